/**
 * corotask's benchmark suite: `npm run bench` (full, about 16 minutes on 2 shared cores), `npm run bench -- --quick`
 * (under a minute), `--smoke` (the few seconds the test suite spends on it).
 *
 * Every (workload, variant) measurement is its own process (bench/lib/child.mjs), which warms up
 * before it measures. Repetitions are interleaved: each repetition runs every variant once, in an
 * order rotated from one repetition to the next, and a variant's ratio to the reference (`native`,
 * or `babel-a2g` for transform) is taken within the repetition, because the machines are shared
 * and noisy. The table gives medians, min-max, and the median ratio with its min-max; the targets
 * of issue 4 are checked at the end.
 *
 * Options: --quick | --smoke, --only=chain,fanout (workloads), --variants=native,corotask-eager,
 * --reps=N, --jobs=N (processes at a time; 1 for full runs), --json=FILE (write the raw results).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { compileSources } from "./lib/prepare.mjs";
import { BENCH_DIR, OUT_DIR, ROOT, VARIANTS, implementationPath } from "./lib/variants.mjs";
import { max, median, min } from "./lib/stats.mjs";
import { checkTargets } from "./lib/targets.mjs";
import { formatTable } from "./lib/table.mjs";

const WORKLOADS = ["chain", "fanout", "promise-await", "cancel", "memory", "deep", "transform"];

const args = parseArgs(process.argv.slice(2));
const mode = args.smoke ? "smoke" : args.quick ? "quick" : "full";
const DEFAULT_REPS = { full: 5, quick: 2, smoke: 1 };
// Quick and smoke runs measure two processes at a time (a smoke check, not numbers to quote).
const DEFAULT_JOBS = { full: 1, quick: 2, smoke: 2 };
const jobs = Number(args.jobs ?? DEFAULT_JOBS[mode]);
const CHILD_TIMEOUT_MS = { full: 180_000, quick: 30_000, smoke: 20_000 };
const started = performance.now();

if (!existsSync(path.join(ROOT, "dist/esm/runtime/index.js"))) {
  console.error("dist/ is missing: run `npm run build` first (npm run bench does)");
  process.exit(1);
}
const python = findPython();
const workloads = args.only ? args.only.split(",") : WORKLOADS;
for (const w of workloads) if (!WORKLOADS.includes(w)) throw new Error(`unknown workload ${w}; known: ${WORKLOADS.join(", ")}`);

log(`corotask bench, ${mode} mode, node ${process.version}, ${python ? python.version : "no python3"}`);
await compileSources(workloads, Object.keys(VARIANTS));

const results = []; // one entry per workload: { workload, title, unit, reference, rows, extra }
for (const workload of workloads) {
  const driver = await import(pathToFileURL(path.join(BENCH_DIR, "workloads", workload, "driver.mjs")).href);
  const variants = driver.variants.filter((v) => !args.variants || args.variants.split(",").includes(v));
  if (driver.search !== undefined) results.push(await runSearch(workload, driver, variants));
  else results.push(await runTimed(workload, driver, variants));
}
const runtimeSize = workloads.includes("transform") ? await measureRuntimeSize() : null;

console.log("");
console.log(formatTable(results, { mode, runtimeSize }));
console.log("");
const verdicts = checkTargets(results, runtimeSize);
for (const line of verdicts.lines) console.log(line);
console.log("");
log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
if (args.json) await writeFile(args.json, JSON.stringify({ mode, results, runtimeSize, verdicts }, null, 2));
else {
  await mkdir(OUT_DIR, { recursive: true });
  await writeFile(path.join(OUT_DIR, `results-${mode}.json`), JSON.stringify({ mode, results, runtimeSize, verdicts }, null, 2));
}

// ---- timed workloads ----

async function runTimed(workload, driver, variants) {
  const reps = Number(args.reps ?? driver.reps?.[mode] ?? DEFAULT_REPS[mode]);
  const reference = driver.reference ?? "native";
  const baseSize = driver.sizes[mode];
  let corpus = null;
  if (typeof driver.prepareCorpus === "function") {
    corpus = await driver.prepareCorpus(baseSize);
    const corpusFile = path.join(OUT_DIR, `corpus-${mode}.json`);
    await writeFile(corpusFile, JSON.stringify(corpus));
    baseSize.corpusFile = corpusFile;
    log(`${workload}: corpus of ${corpus.files.length} files, ${(corpus.bytes / 1024).toFixed(0)} KB, ${corpus.asyncFunctions} async functions`);
  }
  const rows = new Map(variants.map((v) => [v, { variant: v, label: VARIANTS[v].label, values: [], ratios: [], notes: new Set(), skipped: null, extra: {} }]));
  for (const v of variants) {
    const reason = skipReason(workload, v, driver);
    if (reason !== null) rows.get(v).skipped = reason;
  }
  const runnable = variants.filter((v) => rows.get(v).skipped === null);
  for (let rep = 0; rep < reps; rep++) {
    const order = rotate(runnable, rep);
    const values = new Map();
    const records = await mapPool(order, jobs, (v) => measureOnce(workload, v, sizeFor(driver, v, baseSize, rows.get(v)), driver));
    for (const [i, v] of order.entries()) {
      const record = records[i];
      const row = rows.get(v);
      if (record.error) {
        row.skipped ??= `failed: ${record.error}`;
        continue;
      }
      row.values.push(record.value);
      if (record.note) row.notes.add(record.note);
      for (const [k, x] of Object.entries(record)) if (k !== "value" && k !== "note") (row.extra[k] ??= []).push(x);
      values.set(v, record.value);
    }
    const ref = values.get(reference);
    for (const [v, value] of values) if (ref !== undefined) rows.get(v).ratios.push(value / ref);
    log(`${workload} rep ${rep + 1}/${reps}: ` + order.map((v) => `${v}=${fmt(values.get(v))}`).join(" "));
  }
  return finish(workload, driver, rows, reference, corpus);
}

function sizeFor(driver, variant, baseSize, row) {
  const cap = driver.caps?.[variant]?.[mode];
  if (cap === undefined || baseSize.n <= cap) return baseSize;
  row.notes.add(`n=${cap.toLocaleString("en-US")}`);
  return { ...baseSize, n: cap };
}

// ---- deep: the largest depth that works, found by a ladder then a bisection ----

async function runSearch(workload, driver, variants) {
  const { ladder, bisectSteps } = driver.search[mode];
  const rows = new Map(variants.map((v) => [v, { variant: v, label: VARIANTS[v].label, values: [], ratios: [], notes: new Set(), skipped: null, extra: {} }]));
  await mapPool(variants, jobs, async (v) => {
    const row = rows.get(v);
    row.skipped = skipReason(workload, v, driver);
    if (row.skipped !== null) return;
    let ok = 0;
    let failed = null;
    for (const n of ladder) {
      const record = await measureOnce(workload, v, { n }, driver);
      if (record.value === 1) ok = n;
      else {
        failed = n;
        break;
      }
    }
    let lo = ok, hi = failed;
    for (let i = 0; hi !== null && i < bisectSteps && hi - lo > 1; i++) {
      const mid = Math.round((lo + hi) / 2);
      const record = await measureOnce(workload, v, { n: mid }, driver);
      if (record.value === 1) lo = mid;
      else hi = mid;
    }
    row.values.push(lo);
    if (hi === null) row.notes.add(`>= ${lo.toLocaleString("en-US")} (the largest depth tried)`);
    else if (lo === 0) row.notes.add(`fails at ${hi.toLocaleString("en-US")}`);
    else if (hi - lo > 1) row.notes.add(`fails at ${hi.toLocaleString("en-US")}`);
    log(`${workload} ${v}: ${lo}${hi === null ? "+" : ` (fails at ${hi})`}`);
  });
  const ref = rows.get("native")?.values[0];
  for (const row of rows.values()) if (ref && row.values.length > 0) row.ratios.push(row.values[0] / ref);
  return finish(workload, driver, rows, "native", null);
}

function finish(workload, driver, rows, reference, corpus) {
  return {
    workload,
    title: driver.title,
    unit: driver.unit,
    reference,
    higherIsBetter: driver.higherIsBetter === true,
    corpus: corpus === null ? null : { files: corpus.files.length, bytes: corpus.bytes, asyncFunctions: corpus.asyncFunctions },
    rows: [...rows.values()].map((row) => ({
      variant: row.variant,
      label: row.label,
      skipped: row.values.length === 0 ? (row.skipped ?? "no result") : null,
      values: row.values,
      median: row.values.length > 0 ? median(row.values) : null,
      min: row.values.length > 0 ? min(row.values) : null,
      max: row.values.length > 0 ? max(row.values) : null,
      ratio: row.ratios.length > 0 ? median(row.ratios) : null,
      ratioMin: row.ratios.length > 0 ? min(row.ratios) : null,
      ratioMax: row.ratios.length > 0 ? max(row.ratios) : null,
      notes: [...row.notes],
      extra: Object.fromEntries(Object.entries(row.extra).map(([k, xs]) => [k, xs.every((x) => typeof x === "number") ? median(xs) : xs[0]])),
    })),
  };
}

function skipReason(workload, variant, driver) {
  const spec = VARIANTS[variant];
  if (spec === undefined) return "unknown variant";
  if (spec.kind === "slot") return spec.reason;
  if (driver.skip?.[variant]) return driver.skip[variant];
  if (spec.kind === "python" && python === null) return "python3 not found";
  if (driver.measureVariant === undefined && !existsSync(implementationPath(workload, variant))) {
    return `no ${path.relative(ROOT, implementationPath(workload, variant))}`;
  }
  return null;
}

// ---- one child process ----

function measureOnce(workload, variant, size, driver) {
  const spec = VARIANTS[variant];
  const isPython = spec.kind === "python" && driver.measureVariant === undefined;
  const command = isPython ? python.command : process.execPath;
  const argv = isPython
    ? [implementationPath(workload, variant), JSON.stringify(size)]
    : [...(driver.nodeFlags ?? []), path.join(BENCH_DIR, "lib", "child.mjs"), workload, variant, JSON.stringify(size)];
  return new Promise((resolve) => {
    const child = spawn(command, argv, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_ENV: "production" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), CHILD_TIMEOUT_MS[mode]);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split("\n").pop() ?? "";
      if (code === 0) {
        try {
          return resolve(JSON.parse(last));
        } catch {
          /* fall through */
        }
      }
      // A crash is a result for deep (the process ran out of stack or memory), an error elsewhere.
      if (driver.search !== undefined) return resolve({ value: 0 });
      const why = signal === "SIGKILL" ? `timed out after ${CHILD_TIMEOUT_MS[mode] / 1000} s` : firstErrorLine(stderr) ?? `exit ${code}`;
      log(`  ${workload} ${variant}: ${why}`);
      resolve({ error: why });
    });
  });
}

function firstErrorLine(stderr) {
  const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /Error|error:/.test(l)) ?? lines[0] ?? null;
}

// ---- runtime size ----

async function measureRuntimeSize() {
  const { build } = await import("esbuild");
  const runtimeDir = path.join(ROOT, "dist/esm/runtime");
  const bundle = async (options) => {
    const out = await build({ bundle: true, minify: true, format: "esm", write: false, platform: "neutral", logLevel: "silent", ...options });
    const code = out.outputFiles[0].contents;
    return { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length };
  };
  // The core: the loop, futures, tasks, the combinators, and what emitted code imports.
  const core = [
    `export { EventLoop, getEventLoop, newEventLoop } from "./event-loop.js";`,
    `export { Future } from "./future.js";`,
    `export { Task, createTask, currentTask, allTasks, ensureFuture } from "./task.js";`,
    `export { run } from "./run.js";`,
    `export { sleep } from "./sleep.js";`,
    `export { gather } from "./gather.js";`,
    `export { wait } from "./wait.js";`,
    `export { waitFor } from "./wait-for.js";`,
    `export { shield } from "./shield.js";`,
    `export { asCompleted } from "./as-completed.js";`,
    `export { asyncFunction, coroutineBody, siteRegister, BODY } from "./abi.js";`,
  ].join("\n");
  return {
    core: await bundle({ stdin: { contents: core, resolveDir: runtimeDir, loader: "js" } }),
    full: await bundle({ entryPoints: [path.join(runtimeDir, "index.js")] }),
  };
}

// ---- helpers ----

function findPython() {
  const probe = spawnSync("python3", ["--version"], { encoding: "utf8" });
  if (probe.status !== 0) {
    log("python3 not found: the CPython asyncio variant is skipped");
    return null;
  }
  return { command: "python3", version: (probe.stdout || probe.stderr).trim() };
}

/** Maps `fn` over `items` with at most `limit` calls in flight; results in item order. */
async function mapPool(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function rotate(list, by) {
  if (list.length === 0) return list;
  const k = by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

function fmt(x) {
  return x === undefined ? "-" : x >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

function log(message) {
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(5)}s] ${message}\n`);
}

function parseArgs(argv) {
  const out = {};
  for (const arg of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unknown argument ${arg}; see the comment at the top of bench/run.mjs`);
    out[m[1]] = m[2] ?? true;
  }
  return out;
}

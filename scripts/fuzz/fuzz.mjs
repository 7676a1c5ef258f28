// Differential fuzzer (issue 10): random async programs run natively and through every
// transform pipeline, in eager and lazy mode; any difference in output is a bug, shrunk to a
// minimal reproducer and written as a fixture (fixtures/fuzz/<seed>-<n>/).
//
// Usage: npm run fuzz -- [--count N] [--seed S] [--mode eager|lazy|both] [--pipeline babel,typescript|all]
//          [--jobs J] [--avoid KIND,...] [--shrink-budget N | --no-shrink] [--no-write] [--out DIR] [--timeout MS] [--json]
//          [--full-gc]
// --full-gc ends every run with a full collection (slower; see scripts/fuzz/execute.mjs): for a
// mismatch reported as not this program's, rerun the programs before it with it.
// Exit code 1 when any program mismatched (or the generator made an invalid program).
import { fork } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { PIPELINES, ROOT, selectPipelines } from "./pipelines.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const options = { count: 100, seed: null, modes: ["eager", "lazy"], pipelines: PIPELINES.map((p) => p.name), jobs: Math.min(2, availableParallelism()), shrinkBudget: 1200, write: true, out: path.join(ROOT, "fixtures/fuzz"), timeoutMs: 5000, json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    const int = (name) => {
      const v = Number(value());
      if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a non-negative integer`);
      return v;
    };
    switch (arg) {
      case "--count": options.count = int(arg); break;
      case "--seed": options.seed = int(arg); break;
      case "--mode": {
        const m = value();
        if (m !== "eager" && m !== "lazy" && m !== "both") throw new Error(`--mode must be eager, lazy or both, received ${JSON.stringify(m)}`);
        options.modes = m === "both" ? ["eager", "lazy"] : [m];
        break;
      }
      case "--pipeline": {
        const names = value().split(",");
        options.pipelines = names.includes("all") ? PIPELINES.map((p) => p.name) : names;
        break;
      }
      case "--jobs": options.jobs = Math.max(1, int(arg)); break;
      case "--shrink-budget": options.shrinkBudget = int(arg); break;
      case "--no-shrink": options.shrinkBudget = 0; break;
      case "--no-write": options.write = false; break;
      case "--out": options.out = path.resolve(value()); break;
      case "--timeout": options.timeoutMs = int(arg); break;
      case "--json": options.json = true; break;
      case "--full-gc": options.fullGc = true; break;
      case "--first": options.first = int(arg); break;
      // Diagnosis only (never in the bounded test): leave out thenable kinds, e.g. --avoid twice,nested.
      case "--avoid": options.avoid = value().split(","); break;
      default: throw new Error(`unknown argument ${JSON.stringify(arg)}; see the usage at the top of scripts/fuzz/fuzz.mjs`);
    }
  }
  options.seed ??= Math.floor(Math.random() * 2 ** 31);
  selectPipelines(options.pipelines); // fails early on an unknown name
  return options;
}

/** Writes a shrunk mismatch as a fixture case; returns its folder. */
function writeFixture(options, result, mismatch) {
  const suffix = (result.mode === "lazy" ? "-lazy" : "") + (mismatch.pipeline === "babel" ? "" : `-${mismatch.pipeline}`);
  const dir = path.join(options.out, `${options.seed}-${result.index}${suffix}`);
  mkdirSync(dir, { recursive: true });
  const source = mismatch.shrunk ?? mismatch.source;
  const nativeTrace = mismatch.shrunk ? mismatch.shrunkNativeTrace : mismatch.native.split(/^unhandled rejection: |^stderr: /m)[0];
  const avoid = options.avoid?.length ? ` --avoid ${options.avoid.join(",")}` : "";
  writeFileSync(path.join(dir, "input.js"), `// Found by npm run fuzz -- --seed ${options.seed} --first ${result.index} --count 1 --mode ${result.mode}${avoid} (${mismatch.pipeline}); shrunk.\n${source}`);
  // trace.txt is the native trace: what the fixture suite expects of every pipeline.
  writeFileSync(path.join(dir, "trace.txt"), nativeTrace ?? "");
  if (result.mode === "lazy") writeFileSync(path.join(dir, "options.json"), `${JSON.stringify({ mode: "lazy" })}\n`);
  // Not part of the fixture format (the loader ignores it): what the pipeline printed instead.
  writeFileSync(
    path.join(dir, "mismatch.txt"),
    `pipeline: ${mismatch.pipeline}\nmode: ${result.mode}\n\n--- native\n${mismatch.shrunkNative ?? mismatch.native}\n--- ${mismatch.pipeline}\n${mismatch.shrunkCompiled ?? mismatch.compiled}`,
  );
  return dir;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const queue = [];
  for (const mode of options.modes) for (let index = options.first ?? 0; index < (options.first ?? 0) + options.count; index++) queue.push({ mode, index });
  const total = queue.length;
  const results = [];
  const started = Date.now();
  const HANG_MS = Math.max(30_000, options.timeoutMs * 6);

  await new Promise((resolveAll) => {
    let running = 0;
    const spawnWorker = () => {
      if (queue.length === 0) {
        if (running === 0) resolveAll();
        return;
      }
      running++;
      const child = fork(path.join(here, "worker.mjs"), [], { stdio: ["ignore", "ignore", "inherit", "ipc"], execArgv: ["--expose-gc"] });
      let job = null;
      let last = Date.now();
      const next = () => {
        job = queue.shift() ?? null;
        if (!job) {
          child.kill();
          return;
        }
        last = Date.now();
        child.send({ type: "run", seed: options.seed, index: job.index, mode: job.mode, pipelines: options.pipelines, shrinkBudget: options.shrinkBudget, timeoutMs: options.timeoutMs, avoid: options.avoid ?? [], fullGc: options.fullGc === true });
      };
      const watchdog = setInterval(() => {
        if (job && Date.now() - last > HANG_MS) {
          // A program that blocks the worker's thread (a sync infinite loop): record, replace the worker.
          results.push({ index: job.index, mode: job.mode, features: [], mismatches: [{ pipeline: "(worker)", source: "", native: "", compiled: `worker hung for ${HANG_MS} ms` }] });
          job = null;
          child.kill("SIGKILL");
        }
      }, 1000);
      child.on("message", (message) => {
        last = Date.now();
        if (message.type === "ready") next();
        else if (message.type === "amend") {
          // A GC-time report traced back to an earlier program of this worker (worker.mjs).
          results.find((r) => r.index === message.index && r.mode === message.mode)?.mismatches.push(message.mismatch);
        }
        else if (message.type === "result") {
          results.push(message.result);
          if (!options.json && results.length % 50 === 0) process.stderr.write(`fuzz: ${results.length}/${total}\n`);
          next();
        }
      });
      child.on("exit", () => {
        clearInterval(watchdog);
        running--;
        if (job) results.push({ index: job.index, mode: job.mode, features: [], mismatches: [{ pipeline: "(worker)", source: "", native: "", compiled: "worker exited" }] });
        spawnWorker();
      });
    };
    for (let i = 0; i < Math.min(options.jobs, total || 1); i++) spawnWorker();
    if (total === 0) resolveAll();
  });

  const seconds = (Date.now() - started) / 1000;
  results.sort((a, b) => (a.mode < b.mode ? -1 : a.mode > b.mode ? 1 : a.index - b.index));
  const summary = { seed: options.seed, count: options.count, seconds, runs: [], mismatches: [], invalid: [], features: {} };
  for (const mode of options.modes) {
    const ofMode = results.filter((r) => r.mode === mode);
    for (const pipeline of options.pipelines) {
      const bad = ofMode.filter((r) => r.mismatches.some((m) => m.pipeline === pipeline || m.pipeline === "(worker)"));
      // Programs the pipeline's own compiler cannot parse (TypeScript's parser on some valid JavaScript).
      const skipped = ofMode.filter((r) => r.skipped?.some((k) => k.pipeline === pipeline)).length;
      summary.runs.push({ mode, pipeline, programs: ofMode.length - skipped, mismatches: bad.length, skipped });
    }
  }
  for (const r of results) {
    for (const f of r.features) summary.features[f] = (summary.features[f] ?? 0) + 1;
    if (r.invalid) summary.invalid.push({ index: r.index, mode: r.mode, reason: r.invalid });
    for (const m of r.mismatches) {
      const entry = { index: r.index, mode: r.mode, pipeline: m.pipeline, native: m.shrunkNative ?? m.native, compiled: m.shrunkCompiled ?? m.compiled, reproducer: m.shrunk ?? m.source };
      if (m.unconfirmed) entry.unconfirmed = true;
      if (options.write && m.source && !m.unconfirmed) entry.fixture = path.relative(ROOT, writeFixture(options, r, m));
      summary.mismatches.push(entry);
    }
  }
  if (options.json) {
    process.stdout.write(JSON.stringify(summary) + "\n");
  } else {
    console.log(`fuzz: seed ${options.seed}, ${options.count} programs per mode, ${seconds.toFixed(1)} s (${(results.length / seconds).toFixed(1)} programs/s)`);
    for (const run of summary.runs) {
      const skipped = run.skipped > 0 ? `  (${run.skipped} not run: the pipeline's own parser refuses them)` : "";
      console.log(`  ${run.pipeline.padEnd(10)} ${run.mode.padEnd(6)} ${String(run.programs).padStart(6)} programs  ${run.mismatches} mismatched${skipped}`);
    }
    for (const m of summary.mismatches) {
      console.log(`\nmismatch: program ${m.index}, ${m.mode}, ${m.pipeline}${m.fixture ? ` -> ${m.fixture}` : ""}\n--- native\n${m.native}--- ${m.pipeline}\n${m.compiled}`);
      if (m.unconfirmed) {
        console.log(`--- not this program's: it agrees when run alone with full collections, so a GC-time report that an earlier program left landed here; rerun the programs before it with --full-gc`);
      } else if (!m.fixture) console.log(`--- reproducer\n${m.reproducer}`);
    }
    for (const inv of summary.invalid) console.log(`\ninvalid program (a generator bug): ${inv.mode} ${inv.index}: ${inv.reason}`);
    const unused = [];
    console.log(`\nfeatures (programs using each): ${Object.entries(summary.features).sort().map(([k, v]) => `${k} ${v}`).join(", ")}${unused.length ? "" : ""}`);
  }
  process.exitCode = summary.mismatches.length || summary.invalid.length ? 1 : 0;
}

main().catch((error) => {
  console.error(`fuzz: ${error.message}`);
  process.exitCode = 2;
});

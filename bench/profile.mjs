/**
 * Profiles one (workload, variant) measurement: `node bench/profile.mjs chain corotask-eager
 * [--size='{"n":27,"iterations":3}'] [--deopt]`. Runs bench/lib/child.mjs under `--cpu-prof`
 * (profile in .bench-out/profiles/) and prints the functions with the most self time; with
 * --deopt, also runs it under `--trace-deopt` and prints the deoptimisations of the runtime's
 * and the compiled workload's functions. Run `npm run build` first.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { BENCH_DIR, ROOT, VARIANTS } from "./lib/variants.mjs";
import { compileSources } from "./lib/prepare.mjs";

const positional = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const flags = Object.fromEntries(
  process.argv.slice(2).filter((a) => a.startsWith("--")).map((a) => {
    const [k, ...v] = a.slice(2).split("=");
    return [k, v.length > 0 ? v.join("=") : true];
  }),
);
const [workload, variant] = positional;
if (!workload || !variant) {
  console.error("usage: node bench/profile.mjs <workload> <variant> [--size=JSON] [--deopt] [--top=N]");
  process.exit(2);
}
const driver = await import(pathToFileURL(path.join(BENCH_DIR, "workloads", workload, "driver.mjs")).href);
const size = flags.size ? flags.size : JSON.stringify(driver.sizes.full);
await compileSources([workload], Object.keys(VARIANTS));

const dir = path.join(ROOT, ".bench-out", "profiles");
mkdirSync(dir, { recursive: true });
const name = `${workload}-${variant}-${Date.now()}`;
const child = path.join(BENCH_DIR, "lib", "child.mjs");
const run = spawnSync(
  process.execPath,
  [...(driver.nodeFlags ?? []), "--cpu-prof", "--cpu-prof-interval=100", `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}.cpuprofile`, child, workload, variant, size],
  { cwd: ROOT, encoding: "utf8" },
);
if (run.status !== 0) {
  console.error(run.stderr);
  process.exit(1);
}
console.log(`${workload} ${variant} ${size}: ${run.stdout.trim().split("\n").pop()}`);
const file = path.join(dir, `${name}.cpuprofile`);
console.log(`profile: ${path.relative(ROOT, file)}`);
printSelfTime(JSON.parse(readFileSync(file, "utf8")), Number(flags.top ?? 25));

if (flags.deopt) {
  const traced = spawnSync(process.execPath, [...(driver.nodeFlags ?? []), "--trace-deopt", child, workload, variant, size], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  const deopts = new Map();
  for (const line of traced.stdout.split("\n")) {
    // [bailout (kind: deopt-eager, reason: wrong map): begin. deoptimizing 0x..., <JSFunction #runStep (sfi = ...)>, ...
    const m = /\[bailout \(kind: ([^,]+), reason: ([^)]+)\).*?<JSFunction ([^ >]+)/.exec(line);
    if (!m) continue;
    const key = `${m[3]}: ${m[2]} (${m[1]})`;
    deopts.set(key, (deopts.get(key) ?? 0) + 1);
  }
  console.log(`\ndeoptimisations (${[...deopts.values()].reduce((a, b) => a + b, 0)}):`);
  for (const [key, count] of [...deopts].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`  ${String(count).padStart(4)}  ${key}`);
}

/** Self time per function (name, file:line), from the profile's samples. */
function printSelfTime(profile, top) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const interval = (profile.endTime - profile.startTime) / Math.max(1, profile.samples.length);
  const self = new Map();
  for (const id of profile.samples) {
    const { callFrame } = byId.get(id);
    const where = callFrame.url ? `${path.relative(ROOT, callFrame.url.replace(/^file:\/\//, ""))}:${callFrame.lineNumber + 1}` : "";
    const key = `${callFrame.functionName || "(anonymous)"} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + 1);
  }
  const total = profile.samples.length;
  console.log(`\nself time, ${total} samples of ${(interval / 1000).toFixed(2)} ms:`);
  for (const [key, count] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`  ${((100 * count) / total).toFixed(1).padStart(5)}%  ${key}`);
  }
}

// Keep the profiles directory from growing without bound: the newest 40 stay.
const old = readdirSync(dir)
  .map((f) => ({ f, t: statSync(path.join(dir, f)).mtimeMs }))
  .sort((a, b) => b.t - a.t)
  .slice(40);
if (old.length > 0) console.log(`\n(${old.length} older profiles in ${path.relative(ROOT, dir)}; delete them when done)`);

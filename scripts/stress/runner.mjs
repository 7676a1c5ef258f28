// Runs one stress scenario in this (fresh) process and prints its figures as one JSON line:
//   node --expose-gc scripts/stress/runner.mjs COMPILED_SCENARIOS RUNTIME NAME N
// Heap is measured after full collections; the FinalizationRegistry callbacks that report
// unretrieved failures get host turns to run before the end.
const [compiledPath, runtimePath, name, nText] = process.argv.slice(2);
const n = Number(nText);
const { run } = await import(runtimePath);
const { runScenario, sampled } = await import(compiledPath);

if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc");
const turn = () => new Promise((resolve) => setImmediate(resolve));
async function collect() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await turn();
  }
}

let unhandled = 0;
process.on("unhandledRejection", () => unhandled++);
const reports = [];

await collect();
const heapBefore = process.memoryUsage().heapUsed;
const started = performance.now();
const outcome = await run(() => runScenario(name, n, reports), { virtualTime: true });
const seconds = (performance.now() - started) / 1000;
await collect();
const heapAfter = process.memoryUsage().heapUsed;
const alive = sampled.filter((ref) => ref.deref() !== undefined).length;
process.stdout.write(
  JSON.stringify({
    name,
    n,
    expected: outcome.expected,
    actual: outcome.actual,
    leftover: outcome.leftover,
    tasks: outcome.tasks,
    unit: outcome.unit ?? "tasks",
    seconds,
    tasksPerSecond: outcome.tasks / seconds,
    heapBefore,
    heapAfter,
    sampled: sampled.length,
    alive,
    unhandled,
    reports,
  }) + "\n",
);

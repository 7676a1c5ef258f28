// memory: n tasks pending on futures; bytes of V8 heap per pending task (needs --expose-gc).
export const title = "memory";
export const unit = "B/task";
export const nodeFlags = ["--expose-gc", "--max-old-space-size=8192"];
export const reps = { full: 3 };
export const sizes = {
  full: { n: 1_000_000 },
  quick: { n: 50_000 },
  smoke: { n: 10_000 },
};
// Effection creates a task in ~0.2 ms and holds ~11 KB per task: measured on fewer tasks.
export const caps = { effection: { full: 50_000, quick: 5_000, smoke: 2_000 } };
export const variants = ["native", "babel-a2g", "effection", "co", "bluebird", "cpython", "corotask-eager", "corotask-lazy", "corotask-tsc"];

export async function measure(impl, { n }) {
  if (typeof globalThis.gc !== "function") throw new Error("memory needs node --expose-gc");
  {
    // Warm-up: the same code paths, so that compiled code and feedback are not counted.
    const futures = new Array(1000), tasks = new Array(1000);
    await impl.startPending(futures, tasks);
  }
  const futures = new Array(n).fill(null);
  const tasks = new Array(n).fill(null);
  await settle();
  const before = process.memoryUsage().heapUsed;
  const started = await impl.startPending(futures, tasks);
  await settle();
  const after = process.memoryUsage().heapUsed;
  if (started !== n) throw new Error(`started ${started} tasks, expected ${n}`);
  // Keep both arrays alive across the measurement.
  if (futures.length + tasks.length !== 2 * n) throw new Error("unreachable");
  return (after - before) / n;
}

async function settle() {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    globalThis.gc();
  }
}

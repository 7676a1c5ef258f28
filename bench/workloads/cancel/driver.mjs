// cancel: n tasks blocked on futures, all cancelled and gathered with returnExceptions; time per
// cancelled task, cancel and collect only (native: an AbortController per task).
import { median } from "../../lib/stats.mjs";

export const title = "cancel";
export const unit = "us/task";
export const sizes = {
  full: { n: 100_000, iterations: 3 },
  quick: { n: 10_000, iterations: 2 },
  smoke: { n: 2_000, iterations: 2 },
};
// Effection takes ~0.2-0.4 ms per halted task here (linear in n): measured on fewer tasks.
export const caps = { effection: { full: 10_000, quick: 1_000, smoke: 300 } };
export const variants = ["native", "babel-a2g", "effection", "co", "bluebird", "cpython", "corotask-eager", "corotask-lazy", "corotask-tsc"];
export const skip = { co: "co has no cancellation" };

export async function measure(impl, { n, iterations }) {
  await round(impl, n >> 2); // warm-up
  const times = [];
  for (let i = 0; i < iterations; i++) times.push(await round(impl, n));
  return (median(times) * 1e3) / n;
}

async function round(impl, n) {
  const handles = await impl.startBlocked(n);
  const t = performance.now();
  const count = await impl.cancelAll(handles);
  const elapsed = performance.now() - t;
  if (count !== n) throw new Error(`collected ${count} outcomes, expected ${n}`);
  return elapsed;
}

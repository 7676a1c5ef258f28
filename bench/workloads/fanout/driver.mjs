// fanout: n tasks that each `await sleep(0)` once, gathered; time per task.
import { medianTime } from "../../lib/stats.mjs";

export const title = "fanout";
export const unit = "us/task";
export const sizes = {
  full: { n: 100_000, iterations: 3 },
  quick: { n: 10_000, iterations: 2 },
  smoke: { n: 2_000, iterations: 2 },
};
// native-await-null: the native source's `await null` form (a microtask, not a host turn).
// Effection takes ~0.3-0.5 ms per spawned task here (linear in n): measured on fewer tasks.
export const caps = { effection: { full: 10_000, quick: 1_000, smoke: 300 } };
export const variants = ["native", "native-await-null", "babel-a2g", "effection", "co", "bluebird", "cpython", "corotask-eager", "corotask-lazy", "corotask-tsc"];

export async function measure(impl, { n, iterations }, variant) {
  const run = variant === "native-await-null" ? impl.fanoutAwaitNull : impl.fanout;
  for (let i = 0; i < 2; i++) await run(n >> 2); // warm-up
  const ms = await medianTime(iterations, async () => {
    const count = await run(n);
    if (count !== n) throw new Error(`gathered ${count} results, expected ${n}`);
  });
  return (ms * 1e3) / n;
}

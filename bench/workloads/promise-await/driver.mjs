// promise-await: one task awaiting an already-resolved native Promise n times; time per await.
import { medianTime } from "../../lib/stats.mjs";

export const title = "promise-await";
export const unit = "ns/await";
export const sizes = {
  full: { n: 1_000_000, iterations: 3 },
  quick: { n: 100_000, iterations: 2 },
  smoke: { n: 20_000, iterations: 2 },
};
export const variants = ["native", "babel-a2g", "effection", "co", "bluebird", "cpython", "corotask-eager", "corotask-lazy", "corotask-tsc"];

export async function measure(impl, { n, iterations }) {
  await impl.awaitResolved(n >> 2); // warm-up
  const ms = await medianTime(iterations, async () => {
    const sum = await impl.awaitResolved(n);
    if (sum !== n) throw new Error(`summed ${sum}, expected ${n}`);
  });
  return (ms * 1e6) / n;
}

// deep: the deepest `await depth(n - 1)` recursion each variant survives. The runner probes
// depths in separate processes (a ladder, then a bisection); measure() answers one probe.
export const title = "deep";
export const unit = "levels";
export const higherIsBetter = true;
export const search = {
  full: { ladder: [1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000], bisectSteps: 6 },
  quick: { ladder: [1_000, 10_000, 100_000, 1_000_000], bisectSteps: 2 },
  smoke: { ladder: [1_000, 10_000, 100_000], bisectSteps: 0 },
};
export const variants = ["sync", "native", "babel-a2g", "effection", "co", "bluebird", "cpython", "corotask-eager", "corotask-lazy", "corotask-tsc"];

/** 1 when depth(n) returns n, 0 when it fails (a RangeError: the stack overflowed). */
export async function measure(impl, { n }) {
  try {
    return (await impl.depth(n)) === n ? 1 : 0;
  } catch (error) {
    if (error instanceof RangeError || /call stack|recursion/i.test(String(error?.message))) return 0;
    throw error;
  }
}

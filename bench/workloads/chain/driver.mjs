// chain: time per call of a recursive async fib whose every call awaits two recursive calls.
import { median } from "../../lib/stats.mjs";

export const title = "chain";
export const unit = "ns/call";
export const sizes = {
  full: { n: 25, iterations: 5 },
  quick: { n: 20, iterations: 3 },
  smoke: { n: 14, iterations: 2 },
};
export const variants = ["sync", "native", "babel-a2g", "effection", "co", "bluebird", "cpython", "corotask-eager", "corotask-lazy", "corotask-tsc"];

/** Calls made by fib(n): 2·F(n+1) − 1. */
function calls(n) {
  let a = 0, b = 1;
  for (let i = 0; i <= n; i++) [a, b] = [b, a + b];
  return 2 * a - 1;
}
function fibValue(n) {
  let a = 0, b = 1;
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
}

export async function measure(impl, { n, iterations }) {
  const expected = fibValue(n);
  for (let i = 0; i < 3; i++) await impl.fib(n - 2); // warm-up: let the JIT settle
  const times = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    const value = await impl.fib(n);
    times.push(performance.now() - t);
    if (value !== expected) throw new Error(`fib(${n}) gave ${value}, expected ${expected}`);
  }
  return (median(times) * 1e6) / calls(n);
}

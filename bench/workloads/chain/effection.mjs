// chain in Effection 4: an operation per call, awaited with yield* (Effection's await).
import { run } from "effection";

function* fibOp(n) {
  if (n < 2) return n;
  return (yield* fibOp(n - 1)) + (yield* fibOp(n - 2));
}
export function fib(n) {
  return run(() => fibOp(n));
}

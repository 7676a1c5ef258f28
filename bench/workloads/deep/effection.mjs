// deep in Effection 4: operations delegating with yield*.
import { run } from "effection";

function* depthOp(n) {
  if (n === 0) return 0;
  return (yield* depthOp(n - 1)) + 1;
}
export function depth(n) {
  return run(() => depthOp(n));
}

// promise-await in Effection 4: until(promise) is how an operation awaits a Promise.
import { run, until } from "effection";

export function awaitResolved(n) {
  return run(function* () {
    const resolved = Promise.resolve(1);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += yield* until(resolved);
    return sum;
  });
}

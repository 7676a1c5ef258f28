// promise-await in Bluebird: `yield promise` of a native Promise (Bluebird casts the thenable).
import Bluebird from "bluebird";

export const awaitResolved = Bluebird.coroutine(function* (n) {
  const resolved = Promise.resolve(1);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += yield resolved;
  return sum;
});

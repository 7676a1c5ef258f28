// promise-await in co: `yield promise`.
import co from "co";

export const awaitResolved = co.wrap(function* (n) {
  const resolved = Promise.resolve(1);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += yield resolved;
  return sum;
});

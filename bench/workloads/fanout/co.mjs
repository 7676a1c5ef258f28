// fanout in co: n co.wrap tasks that each yield a setImmediate sleep, then Promise.all.
import co from "co";

const sleep = () => new Promise((resolve) => setImmediate(resolve));

const worker = co.wrap(function* (i) {
  yield sleep(0);
  return i;
});

export const fanout = co.wrap(function* (n) {
  const tasks = new Array(n);
  for (let i = 0; i < n; i++) tasks[i] = worker(i);
  const results = yield Promise.all(tasks);
  return results.length;
});

// fanout in Bluebird: n coroutines that each yield a setImmediate sleep, then Bluebird.all.
import Bluebird from "bluebird";

const sleep = () => new Bluebird((resolve) => setImmediate(resolve));

const worker = Bluebird.coroutine(function* (i) {
  yield sleep(0);
  return i;
});

export const fanout = Bluebird.coroutine(function* (n) {
  const tasks = new Array(n);
  for (let i = 0; i < n; i++) tasks[i] = worker(i);
  const results = yield Bluebird.all(tasks);
  return results.length;
});

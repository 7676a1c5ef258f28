// memory in Bluebird: n coroutines, each yielding a pending Bluebird promise (its resolver kept).
import Bluebird from "bluebird";

function newFuture() {
  let resolve;
  const promise = new Bluebird((r) => (resolve = r));
  return { promise, resolve };
}

const pending = Bluebird.coroutine(function* (future) {
  return yield future.promise;
});

export async function startPending(futures, tasks) {
  for (let i = 0; i < futures.length; i++) {
    const future = newFuture();
    futures[i] = future;
    tasks[i] = pending(future);
  }
  await new Promise((resolve) => setImmediate(resolve));
  return futures.length;
}

// memory in co: n co.wrap tasks, each yielding a pending promise (its resolver kept).
import co from "co";

function newFuture() {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
}

const pending = co.wrap(function* (future) {
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

// The environment that corotask variants compile a workload's source against: the same names
// as env/native.js, implemented with corotask. Copied next to each compiled source as env.js.
import { Future, createTask, currentTask } from "corotask";

// Re-exported as is: a compiled `await sleep(0)` calls sleep's inline body (one loop iteration,
// no Future), and gather takes the trailing options object.
export { sleep, gather } from "corotask";

export function newFuture() {
  return new Future();
}
export function waitOn(future) {
  return future;
}

/** A wait that ends only by cancellation: a Future nobody resolves (cancel() cancels it). */
export function blockUntilCancelled(_signal) {
  return new Future();
}

export function spawnCancellable(fn) {
  return createTask(fn(undefined));
}
export function cancel(task) {
  task.cancel();
}

/** An eager call already is a Task (createTask returns it); a lazy one becomes a Task here. */
export function spawn(call) {
  return createTask(call);
}
export { currentTask };

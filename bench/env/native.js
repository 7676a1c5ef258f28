// The environment that native-family variants (native, babel-a2g) compile a workload's source
// against: what JavaScript offers without corotask. Copied next to each compiled source as env.js.

/** One host turn: the setImmediate-based sleep(0) a Promise-based program would write. */
export function sleep(_seconds) {
  return new Promise((resolve) => setImmediate(resolve));
}

/** asyncio.gather's shape over Promise.all / Promise.allSettled. */
export function gather(...args) {
  const last = args[args.length - 1];
  if (last !== null && typeof last === "object" && typeof last.then !== "function" && "returnExceptions" in last) {
    args.pop();
    if (last.returnExceptions) return Promise.allSettled(args.map((h) => (h.promise !== undefined ? h.promise : h)));
  }
  return Promise.all(args.map((h) => (h.promise !== undefined ? h.promise : h)));
}

/** A future: a promise and its resolver. */
export function newFuture() {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
}
/** What to await to wait on a future. */
export function waitOn(future) {
  return future.promise;
}

/** A pending cancellable wait: native cancellation is an AbortSignal that rejects the wait. */
export function blockUntilCancelled(signal) {
  return new Promise((_resolve, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

/** Starts `fn(signal)` as a cancellable native task: its promise and its AbortController. */
export function spawnCancellable(fn) {
  const controller = new AbortController();
  return { promise: fn(controller.signal), controller };
}
export function cancel(handle) {
  handle.controller.abort();
}

/** Native async functions start when called. */
export function spawn(call) {
  return call;
}

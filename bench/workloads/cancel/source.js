// cancel: n tasks blocked on futures, all cancelled, then gathered with returnExceptions.
// Timed: cancelAll only (cancel and collect), not startBlocked.
import { sleep, gather, blockUntilCancelled, spawnCancellable, cancel } from "./env.js";

async function blocked(signal) {
  await blockUntilCancelled(signal);
}

export async function startBlocked(n) {
  const handles = new Array(n);
  for (let i = 0; i < n; i++) handles[i] = spawnCancellable(blocked);
  await sleep(0); // lazily started tasks take their first step and block
  return handles;
}

export async function cancelAll(handles) {
  for (let i = 0; i < handles.length; i++) cancel(handles[i]);
  const outcomes = await gather(...handles, { returnExceptions: true });
  return outcomes.length;
}

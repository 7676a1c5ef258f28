// memory: n tasks pending on futures; heap bytes per pending task. The caller allocates the two
// arrays before its baseline, so they are not counted.
import { sleep, newFuture, waitOn, spawn } from "./env.js";

async function pending(future) {
  return await waitOn(future);
}

export async function startPending(futures, tasks) {
  for (let i = 0; i < futures.length; i++) {
    const future = newFuture();
    futures[i] = future;
    tasks[i] = spawn(pending(future));
  }
  await sleep(0); // lazily started tasks take their first step and suspend
  return futures.length;
}

// fanout: n tasks that each `await sleep(0)` once, then gathered. Time per task.
import { sleep, gather, spawn } from "./env.js";

async function worker(i) {
  await sleep(0);
  return i;
}

async function workerAwaitNull(i) {
  await null;
  return i;
}

export async function fanout(n) {
  const tasks = new Array(n);
  for (let i = 0; i < n; i++) tasks[i] = spawn(worker(i));
  const results = await gather(...tasks);
  return results.length;
}

/** The same with `await null` in place of the sleep: one microtask instead of one host turn. */
export async function fanoutAwaitNull(n) {
  const tasks = new Array(n);
  for (let i = 0; i < n; i++) tasks[i] = spawn(workerAwaitNull(i));
  const results = await gather(...tasks);
  return results.length;
}

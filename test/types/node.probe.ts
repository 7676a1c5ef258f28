/** With @types/node: a Task's signal is Node's AbortSignal, so timers and streams take it. Never run. */
import { setTimeout as delay } from "node:timers/promises";
import type { Task } from "corotask";
import { exact } from "./expect.js";

export async function signalIsNodesAbortSignal(task: Task<number>): Promise<void> {
  exact<AbortSignal>()(task.signal);
  await delay(10, undefined, { signal: task.signal });
}

/** With lib dom: a Task's signal is the DOM AbortSignal, so fetch takes it. Never run. */
import type { Task } from "corotask";
import { exact } from "./expect.js";

export function signalIsTheDomAbortSignal(task: Task<number>): void {
  exact<AbortSignal>()(task.signal);
  void fetch("https://example.com", { signal: task.signal });
}

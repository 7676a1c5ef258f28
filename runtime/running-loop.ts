/** The running-loop slot: which EventLoop is executing a callback right now, if any. */
import type { EventLoop } from "./event-loop.js";
import { RuntimeError } from "./errors.js";

/** The loop executing a callback or stepping a task right now; null between callbacks. */
let runningLoop: EventLoop | null = null;

/**
 * Makes `loop` the running loop and returns the previous one, to hand back to
 * {@link leaveLoop}. Loops nest: a task on one loop may step while another's callback runs.
 */
export function enterLoop(loop: EventLoop): EventLoop | null {
  const previous = runningLoop;
  runningLoop = loop;
  return previous;
}

/** Restores the running loop saved by {@link enterLoop}. */
export function leaveLoop(previous: EventLoop | null): void {
  runningLoop = previous;
}

/**
 * The loop whose callback or task is executing; throws RuntimeError when none is.
 * @see asyncio.get_running_loop
 */
export function getRunningLoop(): EventLoop {
  if (runningLoop === null) throw new RuntimeError("no running event loop");
  return runningLoop;
}

/** The running loop, or null: the non-throwing form the runtime uses. */
export function runningLoopOrNull(): EventLoop | null {
  return runningLoop;
}

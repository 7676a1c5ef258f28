/**
 * Every open event loop of this copy of the runtime, for tools that dump them all (the SIGUSR2
 * handler of `corotask run`, `corotask ps`): asyncio has one loop per thread, corotask may run
 * several at once, and nothing else lists them.
 */
import type { EventLoop } from "./event-loop.js";

/**
 * Weak, so that listing loops never keeps one alive; pruned of collected and closed loops
 * whenever it has doubled since the last prune, so that a program creating loops in a row
 * (a run() per request) keeps it small.
 */
let loops: WeakRef<EventLoop>[] = [];
let pruneAt = 16;

/** Called by the EventLoop constructor only. @internal */
export function trackLoop(loop: EventLoop): void {
  loops.push(new WeakRef(loop));
  if (loops.length >= pruneAt) {
    loops = loops.filter((ref) => {
      const live = ref.deref();
      return live !== undefined && !live.isClosed();
    });
    pruneAt = Math.max(16, loops.length * 2);
  }
}

/**
 * The loops of this runtime that are not closed, in creation order: the process-wide default
 * loop, loops made by `run()` and by `newEventLoop()`. For introspection: pair it with
 * `loop.callSoon(() => printCallGraph())` to dump what every loop's tasks wait on.
 */
export function allLoops(): EventLoop[] {
  const open: EventLoop[] = [];
  for (const ref of loops) {
    const loop = ref.deref();
    if (loop !== undefined && !loop.isClosed()) open.push(loop);
  }
  return open;
}

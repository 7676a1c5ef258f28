// Observations behind docs/differences.md that only exist with corotask (compiled only).
import {
  CancelledError, TaskGroup, TimeoutError, createTask, currentTask, getRunningLoop,
  newEventLoop, run, sleep, wait, waitFor,
} from "corotask";
import * as asyncio from "corotask/asyncio";

const seen = {};
const message = (error) => `${error.name}: ${error.message}`;

try { getRunningLoop(); } catch (error) { seen.runningLoopOutside = message(error); }
seen.currentTaskOutside = currentTask();

{
  const loop = newEventLoop();
  const forever = loop.runForever();
  seen.runForeverIsPromise = forever instanceof Promise;
  loop.callSoon(() => loop.stop());
  await forever;
}

await run(async () => {
  const loop = getRunningLoop();
  const t0 = loop.time();
  await sleep(0.05);
  seen.sleepSeconds = Math.round((loop.time() - t0) * 1000) / 1000;
}, { virtualTime: true });

await run(async () => {
  try { await run(async () => {}); } catch (error) { seen.nestedRun = message(error); }
  try { await wait([]); } catch (error) { seen.waitEmpty = message(error); }
  try {
    await new TaskGroup().run(async (tg) => {
      tg.createTask((async () => { throw new Error("a"); })());
      tg.createTask(sleep(1));
    });
  } catch (error) { seen.taskGroup = [error.constructor.name, error.errors.map((e) => e.message)]; }
  const signal = currentTask().signal;
  try { await waitFor(sleep(1), 0.01); } catch (error) { seen.waitForTimeout = [error.name, error.cause?.name]; }
  seen.signalAfterCaughtTimeout = [signal.aborted, currentTask().cancelling()];
  const domTimeout = AbortSignal.timeout(1);
  await sleep(0.02);
  seen.domTimeoutIsCorotaskTimeout = domTimeout.reason instanceof TimeoutError;
  const task = asyncio.create_task((async () => 1)());
  seen.facade = [asyncio.CancelledError === CancelledError, asyncio.TimeoutError === TimeoutError, typeof task.add_done_callback, typeof task.addDoneCallback];
  await task;
});

// A cancelled task nobody observes is not reported (stderr stays empty).
{
  async function waits() { await sleep(10); }
  const t = waits();
  t.cancel("never mind");
  await new Promise((resolve) => setTimeout(resolve, 5));
  seen.cancelledUnobserved = t.cancelled();
}

process.stdout.write(JSON.stringify(seen));

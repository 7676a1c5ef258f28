// Stress and leak scenarios (issue 10), as plain async JavaScript that scripts/stress.mjs
// compiles with the corotask Babel plugin, so that they exercise what users' code would. Each
// scenario takes a size `n` and returns {expected, actual, tasks} (tasks: how many it ran, or
// with unit "frames" how many coroutine frames a chain had);
// stress.mjs adds timing, heap, leftovers and unobserved failures.
import { allTasks, CancelledError, captureCallGraph, createTask, currentTask, gather, getRunningLoop, sleep, TaskGroup } from "corotask";

const FOREVER = 1e9; // seconds; the loop runs on virtual time, so nothing really waits

/** Tasks to check for leaks: WeakRefs to a sample of what a scenario made. */
export const sampled = [];
function sample(i, task) {
  if (i % 997 === 0) sampled.push(new WeakRef(task));
}

async function short() {
  await sleep(0);
  return 1;
}

/** Gathers `n` tasks made by `make(i)` in batches (a million arguments would not fit one call). */
async function inBatches(n, make, options) {
  const results = [];
  for (let start = 0; start < n; start += 10000) {
    const batch = [];
    for (let i = start; i < Math.min(n, start + 10000); i++) {
      const task = createTask(make(i));
      sample(i, task);
      batch.push(task);
    }
    results.push(...(await (options ? gather(...batch, options) : gather(...batch))));
  }
  return results;
}

export const scenarios = {
  /** n tasks created, run and gathered. */
  async million(n) {
    const results = await inBatches(n, () => short());
    return { expected: { sum: n }, actual: { sum: results.reduce((a, b) => a + b, 0) }, tasks: n };
  },

  /** n tasks cancelled while waiting; every finally counted. */
  async cancelWaiting(n) {
    let finals = 0;
    async function waiter() {
      try {
        await sleep(FOREVER);
      } finally {
        finals++;
      }
    }
    const tasks = [];
    for (let i = 0; i < n; i++) {
      const task = createTask(waiter());
      sample(i, task);
      tasks.push(task);
    }
    await sleep(0);
    for (const t of tasks) t.cancel("stress");
    let cancelled = 0;
    for (let start = 0; start < n; start += 10000) {
      const results = await gather(...tasks.slice(start, start + 10000), { returnExceptions: true });
      cancelled += results.filter((r) => r instanceof CancelledError).length;
    }
    tasks.length = 0;
    return { expected: { finals: n, cancelled: n }, actual: { finals, cancelled }, tasks: n };
  },

  /** Tasks cancelling each other: each one that runs cancels the next; nothing is lost. */
  async mutualCancel(n) {
    const tasks = [];
    let done = 0;
    let cancelled = 0;
    let finals = 0;
    async function member(i) {
      try {
        await sleep(0);
        tasks[(i + 1) % n].cancel();
        await sleep(0.001);
        done++;
      } catch (error) {
        if (error instanceof CancelledError) cancelled++;
        throw error;
      } finally {
        finals++;
      }
    }
    for (let i = 0; i < n; i++) tasks.push(createTask(member(i)));
    const results = await gather(...tasks, { returnExceptions: true });
    const seenCancelled = tasks.filter((t) => t.cancelled()).length;
    tasks.length = 0;
    return {
      expected: { finals: n, total: n, cancelledTasks: cancelled, results: n },
      actual: { finals, total: done + cancelled, cancelledTasks: seenCancelled, results: results.length },
      tasks: n,
    };
  },

  /** Repeated cancel and uncancel: each task takes k cancellations and finishes normally. */
  async cancelUncancel(n, k = 5) {
    let caught = 0;
    async function stubborn() {
      for (;;) {
        try {
          await sleep(1);
          return currentTask().cancelling();
        } catch (error) {
          if (!(error instanceof CancelledError)) throw error;
          caught++;
          currentTask().uncancel();
        }
      }
    }
    const tasks = [];
    for (let i = 0; i < n; i++) tasks.push(createTask(stubborn()));
    for (let round = 0; round < k; round++) {
      await sleep(0);
      for (const t of tasks) t.cancel();
    }
    const results = await gather(...tasks);
    tasks.length = 0;
    return {
      expected: { caught: n * k, normal: n, stillCancelling: 0 },
      actual: { caught, normal: results.length, stillCancelling: results.reduce((a, b) => a + b, 0) },
      tasks: n,
    };
  },

  /** Cancel during finally: the finally's own await is cancelled too; both counted. */
  async cancelInFinally(n) {
    let entered = 0;
    let second = 0;
    let finals = 0;
    async function cleanup() {
      try {
        await sleep(FOREVER);
      } finally {
        entered++;
        try {
          await sleep(FOREVER);
        } catch (error) {
          if (error instanceof CancelledError) second++;
        } finally {
          finals++;
        }
      }
    }
    const tasks = [];
    for (let i = 0; i < n; i++) tasks.push(createTask(cleanup()));
    await sleep(0);
    for (const t of tasks) t.cancel("first");
    await sleep(0);
    for (const t of tasks) t.cancel("second");
    const results = await gather(...tasks, { returnExceptions: true });
    const cancelled = results.filter((r) => r instanceof CancelledError).length;
    tasks.length = 0;
    return { expected: { entered: n, second: n, finals: n, cancelled: n }, actual: { entered, second, finals, cancelled }, tasks: n };
  },

  /** n TaskGroups of 10 children; one child fails, its siblings are cancelled; every finally counted. */
  async groupSiblingFails(n) {
    let finals = 0;
    let aggregates = 0;
    let errors = 0;
    async function sibling() {
      try {
        await sleep(FOREVER);
      } finally {
        finals++;
      }
    }
    async function failing(i) {
      await sleep(0);
      throw new Error(`child ${i} failed`);
    }
    for (let g = 0; g < n; g++) {
      try {
        await new TaskGroup().run(async (tg) => {
          for (let c = 0; c < 9; c++) tg.createTask(sibling());
          tg.createTask(failing(g));
        });
      } catch (error) {
        if (error instanceof AggregateError) {
          aggregates++;
          errors += error.errors.length;
        }
      }
    }
    return { expected: { finals: 9 * n, aggregates: n, errors: n }, actual: { finals, aggregates, errors }, tasks: 10 * n };
  },

  /** An await chain n deep (recursion through `await f()`). */
  async deepChain(n) {
    async function deep(k) {
      return k === 0 ? 0 : 1 + (await deep(k - 1));
    }
    return { expected: { depth: n }, actual: { depth: await deep(n) }, tasks: n, unit: "frames" };
  },

  /** A chain n deep cancelled at its bottom: every frame's finally runs once. */
  async deepCancel(n) {
    let finals = 0;
    async function deep(k) {
      try {
        if (k === 0) await sleep(FOREVER);
        else await deep(k - 1);
      } finally {
        finals++;
      }
    }
    const task = createTask(deep(n));
    await sleep(0);
    const frames = task.getStack().length;
    task.cancel();
    let cancelled = false;
    try {
      await task;
    } catch (error) {
      cancelled = error instanceof CancelledError;
    }
    return { expected: { finals: n + 1, cancelled: true, frames: n + 1 }, actual: { finals, cancelled, frames }, tasks: n + 1, unit: "frames" };
  },

  /** Create/cancel loop; each waiting task's stack, call graph and signal are touched first. */
  async createCancelLoop(n) {
    async function waiter() {
      await sleep(FOREVER);
    }
    let cancelled = 0;
    let aborted = 0;
    for (let i = 0; i < n; i++) {
      const task = createTask(waiter());
      sample(i, task);
      await sleep(0);
      task.getStack();
      captureCallGraph(task);
      const signal = task.signal;
      task.cancel();
      try {
        await task;
      } catch (error) {
        if (error instanceof CancelledError) cancelled++;
      }
      if (signal.aborted) aborted++;
    }
    return { expected: { cancelled: n, aborted: n }, actual: { cancelled, aborted }, tasks: n };
  },
};

/** Tasks of the running loop other than the caller: what a scenario left behind. */
export function leftoverTasks() {
  return [...allTasks()].filter((t) => t !== currentTask()).length;
}

/** The main coroutine of a stress process: runs scenario `name` and notes what the loop reports. */
export async function runScenario(name, n, reports) {
  getRunningLoop().setExceptionHandler((_loop, context) => reports.push(String(context.message)));
  const result = await scenarios[name](n);
  return { ...result, leftover: leftoverTasks() };
}

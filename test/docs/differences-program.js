// Observations behind docs/differences.md. test/docs/differences.test.ts runs this file natively
// and compiled by corotask, and compares what each prints (one JSON object).
import * as util from "node:util";

const seen = {};
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

// An inline await of a callee that does not suspend.
{
  const log = [];
  async function inner() { return 1; }
  async function outer() { await inner(); log.push("outer resumed"); }
  outer();
  log.push("sync end");
  await settle();
  seen.inlineAwait = log;
}

// await null and await of a native Promise, against microtasks.
{
  const log = [];
  async function f() { await null; log.push("after await null"); await Promise.resolve(); log.push("after await Promise.resolve()"); }
  f();
  let n = 0;
  const tick = () => { log.push(`microtask ${++n}`); if (n < 3) queueMicrotask(tick); };
  queueMicrotask(tick);
  await settle();
  seen.awaitNative = log;
}

// Uncompiled code awaiting a finished call: ticks until it resumes.
{
  async function quick() { return 1; }
  const call = quick();
  await settle();
  let ticks = 0;
  let done = false;
  // Built with Function so that the transform leaves this awaiter native.
  const awaitNatively = new Function("p", "done", "return (async () => { await p; done(); })()");
  const p = awaitNatively(call, () => (done = true));
  while (!done) { await Promise.resolve(); ticks++; }
  await p;
  seen.nativeAwaitOfFinishedCall = ticks;
}

// What a call returns.
{
  const log = [];
  async function work(x) { log.push("started"); await null; return x * 2; }
  const t = work(1);
  log.push("after call");
  seen.eagerStart = log.slice();
  seen.instanceofPromise = t instanceof Promise;
  seen.isPromise = util.types.isPromise(t);
  seen.toStringTag = Object.prototype.toString.call(t);
  seen.resolveIdentity = Promise.resolve(t) === t;
  seen.thenReturnsPromise = t.then(() => {}) instanceof Promise;
  seen.stringForm = String(t).replace(/name='Task-\d+'/, "name='Task-N'");
  seen.nameLength = [work.name, work.length];
  seen.isAsyncFunction = util.types.isAsyncFunction(work);
  seen.all = await Promise.all([t, work(2)]);
}

process.stdout.write(JSON.stringify(seen));

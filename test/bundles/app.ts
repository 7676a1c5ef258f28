// A program bundled with the runtime into one file by test/bundles/stack.test.ts; prints one
// JSON line per check.
import { Future, getEventLoop, sleep } from "corotask";

const print = (label: string, value: unknown): void => console.log(JSON.stringify({ label, value }));

async function inner(eager: boolean): Promise<void> {
  if (!eager) await sleep(0.001);
  throw new TypeError("x");
}
async function outer(): Promise<void> {
  await inner(false);
}
function userCaller(): Promise<void> {
  return inner(true);
}
function check(value: number): void {
  if (value > 1) throw new RangeError(`plain ${value}`);
}
async function checksAfterAwait(value: number): Promise<void> {
  await sleep(0.001);
  check(value);
}
async function awaitsACallbacksError(): Promise<void> {
  const loop = getEventLoop();
  const future = loop.createFuture<void>();
  loop.callSoon(function fails() {
    future.setException(new SyntaxError("made in a loop callback"));
  });
  await future;
}

async function main(): Promise<void> {
  await userCaller().catch((e: Error) => print("eager", e.stack));
  await outer().catch((e: Error) => print("loop", e.stack));
  await checksAfterAwait(2).catch((e: Error) => print("plain", e.stack));
  await awaitsACallbacksError().catch((e: Error) => print("callback", e.stack));
  const future = new Future<number>();
  future.setResult(42);
  print("future", [String(future), Object.prototype.toString.call(future)]);
  const task = outer();
  print("task", [String(task).slice(0, 6), Object.prototype.toString.call(task)]);
  await (task as PromiseLike<void>).then(undefined, () => undefined);
  const loop = getEventLoop();
  const timer = loop.callLater(1, function later() {});
  timer.cancel();
  print("handles", [String(loop.callSoon(function soon() {})), String(timer)]);
  loop.setExceptionHandler((_loop, context) => print("report", context.message));
  // Never retrieved: reported at exit, as a Future's (not a Task's) exception.
  new Future<number>().setException(new RangeError("lost"));
}

void main();

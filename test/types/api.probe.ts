/**
 * Type probes of the public declarations (dist), compiled by test/types/types.test.ts under
 * lib es2022 alone, with lib dom, and with @types/node. Never run.
 */
import {
  CancelledError,
  EventLoop,
  Future,
  LazyCoroutine,
  Task,
  TaskGroup,
  asCompleted,
  createTask,
  ensureFuture,
  gather,
  getEventLoop,
  run,
  shield,
  sleep,
  timeout,
  wait,
  waitFor,
  FIRST_COMPLETED,
  type AsCompletedStep,
  type Completed,
  type GatherResultsOrErrors,
  type StackFrame,
} from "corotask";
import * as asyncio from "corotask/asyncio";
import { exact } from "./expect.js";

declare const num: Task<number>;
declare const num2: Task<number>;
declare const str: Future<string>;
declare const bool: Promise<boolean>;
declare const date: LazyCoroutine<Date>;
declare const flag: boolean;
/** A compiled async function as TypeScript sees it: its declared type says Promise. */
declare function compiled(): Promise<number>;
declare function compiledText(): Promise<string>;

export async function gatherIsATuple(): Promise<void> {
  exact<Future<[number, string, boolean, Date]>>()(gather(num, str, bool, date));
  exact<[number, string]>()(await gather(compiled(), compiledText()));
  exact<Future<[]>>()(gather());
  const tasks: Task<number>[] = [num, num2];
  exact<Future<number[]>>()(gather(...tasks));
  exact<Future<[number, string]>>()(gather(num, str, { returnExceptions: false }));
  // A child may throw any value: each place of a returnExceptions gather is unknown.
  exact<Future<[unknown, unknown]>>()(gather(num, str, { returnExceptions: true }));
  exact<Future<GatherResultsOrErrors<[number, string]>>>()(gather(num, str, { returnExceptions: true }));
  const [first] = await gather(num, { returnExceptions: true });
  // @ts-expect-error: unknown until narrowed
  first.toFixed();
  if (typeof first === "number") exact<number>()(first);

  exact<Future<[number] | [unknown]>>()(gather(num, { returnExceptions: flag }));
  // @ts-expect-error: 42 is not awaitable
  gather(num, 42);
  // @ts-expect-error: an unknown option
  gather(num, { returnExceptionz: true });
}

export async function facadeGatherIsATuple(): Promise<void> {
  exact<Future<[number, string, boolean]>>()(asyncio.gather(num, str, bool));
  exact<Future<[number, string]>>()(asyncio.gather(num, str, { return_exceptions: false }));
  exact<Future<[unknown, unknown]>>()(asyncio.gather(num, str, { return_exceptions: true }));
  exact<[number, Date]>()(await asyncio.gather(compiled(), date));
  // @ts-expect-error: the facade takes Python's key
  asyncio.gather(num, { returnExceptions: true });
}

export async function asCompletedYieldsTheOriginalTasks(): Promise<void> {
  for await (const t of asCompleted([num, num2])) {
    exact<Completed<Task<number>>>()(t);
    const task: Task<number> = t;
    exact<number>()(t.result());
    void task;
  }
  // A second loop over the same types: still the Tasks (TypeScript would await a thenable here).
  for await (const t of asCompleted([num, num2])) {
    exact<Completed<Task<number>>>()(t);
    exact<string>()(t.getName());
  }
  for await (const t of asCompleted([num, str])) exact<Completed<Task<number> | Future<string>>>()(t);
  // Coroutines come back as the Tasks that ran them, thenables as Futures.
  for await (const t of asCompleted([date, bool])) exact<Completed<Task<Date> | Future<boolean>>>()(t);
  for await (const t of asCompleted([compiled()])) exact<Completed<Future<number>>>()(t);
  for await (const t of asyncio.as_completed([num, str])) exact<Completed<Task<number> | Future<string>>>()(t);
  for (const step of asCompleted([num, str, compiled()])) {
    exact<AsCompletedStep<number | string>>()(step);
    exact<number | string>()(await step);
  }
  for (const step of asCompleted([compiled(), compiledText()], { timeout: 1 })) exact<number | string>()(await step);
  // @ts-expect-error: a single awaitable, not an iterable of them
  asCompleted(num);
}

export async function waitInfersUnions(): Promise<void> {
  const [done, pending] = await wait([num, str], { returnWhen: FIRST_COMPLETED });
  exact<Set<Task<number> | Future<string>>>()(done);
  exact<Set<Task<number> | Future<string>>>()(pending);
  const [pyDone] = await asyncio.wait([num, num2], { return_when: asyncio.FIRST_EXCEPTION });
  exact<Set<Task<number>>>()(pyDone);
  // @ts-expect-error: wait takes Tasks and Futures, not bare thenables
  wait([bool]);
}

export async function theTypedRouteForCompiledCalls(): Promise<void> {
  // A direct call is typed Promise<T>; createTask gives the Task it is, typed.
  const task = createTask(compiled());
  exact<Task<number>>()(task);
  exact<number>()(task.cancelling());
  exact<boolean>()(task.cancel("why"));
  exact<StackFrame[]>()(task.getStack());
  exact<Future<number>>()(ensureFuture(compiled()));
  exact<number>()(await waitFor(compiled(), 1));
  exact<number>()(await shield(compiled()));
  exact<string>()(await sleep(0, "x"));
  exact<number>()(await run(async () => 1));
  exact<number>()(await timeout(1, async (cm) => (cm.expired() ? 0 : 1)));
  exact<string>()(await new TaskGroup().run(async (tg) => tg.createTask(compiledText())));
  const p: PromiseLike<number> = task;
  void p;
}

export function internalsAreHidden(loop: EventLoop, future: Future<number>, task: Task<number>): void {
  // @ts-expect-error: internal
  future.peekException();
  // @ts-expect-error: internal
  future.markExceptionRetrieved();
  // @ts-expect-error: internal
  future.addWaiter(() => {});
  // @ts-expect-error: internal
  future.hasException();
  // @ts-expect-error: internal
  future.makeCancelledError();
  // @ts-expect-error: internal
  task.waitingOn();
  // @ts-expect-error: internal
  task.waiterLoop;
  // @ts-expect-error: internal
  loop.enqueueRunnable(task);
  exact<number>()(loop.id);
  exact<string>()(loop.toString());
  exact<number>()(future.removeDoneCallback(() => {}));
  exact<EventLoop>()(getEventLoop());
  exact<typeof CancelledError>()(asyncio.CancelledError);
}

export function theSignalIsTyped(task: Task<number>): void {
  exact<boolean>()(task.signal.aborted);
  task.signal.addEventListener("abort", () => {});
  task.signal.throwIfAborted();
}

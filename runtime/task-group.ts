/** TaskGroup: structured concurrency as asyncio 3.11+'s, in callback form. */
import { registerAwaitedBy, unregisterAwaitedBy } from "./awaited-by.js";
import { LazyCoroutine, isFrame, type Coroutine, type Frame } from "./coroutine.js";
import { CancelledError, RuntimeError } from "./errors.js";
import type { EventLoop } from "./event-loop.js";
import { Future } from "./future.js";
import { checkCallback, hiddenBody, setInlineBody, startCallback, startScope } from "./combinator-coroutine.js";
import { getRunningLoop } from "./running-loop.js";
import { Task, currentTask, notACoroutine, type TaskOptions } from "./task.js";

/** The body of a group: a (compiled) async function given the group. */
export type TaskGroupBody<T> = (tg: TaskGroup) => PromiseLike<T> | Coroutine<T> | T;

/** Marks "the body ended without an exception" (undefined is a valid exception in JavaScript). */
const NO_ERROR: unique symbol = Symbol("no error");

/** The hidden coroutine body of `run`, defined in the class's static block for private access. */
let runBody: <T>(this: TaskGroup, body: TaskGroupBody<T>) => Frame<T>;

// States, in order (each run() goes through them once):
//  new      - #entered false: createTask throws; run() enters.
//  entered  - #entered, not #exiting: the body runs; children may be added.
//  exiting  - #exiting: the body is done; run() waits on #onCompleted until #tasks is empty.
//             Children may still add children while #tasks is not empty.
//  finished - #exiting and #tasks empty: createTask throws.
// #aborting (from entered or exiting): a child or the body failed, or the task running run() was
// cancelled; every child was cancelled and createTask throws. #parentCancelRequested: the group
// itself cancelled the parent task to stop the body, and takes that request back with uncancel().
/**
 * A group of tasks that live no longer than `run()`: `run(body)` resolves to the body's result once
 * every child task is done. When the body or a child fails, every other child and the body are
 * cancelled, and `run` rejects with an `AggregateError` of every failure (CancelledErrors are not
 * failures). Cancelling the task that runs `run()` cancels the children, then propagates.
 *
 * ```ts
 * const tg = new TaskGroup();
 * const [a, b] = await tg.run(async (tg) => [tg.createTask(fetchA()), tg.createTask(fetchB())]);
 * ```
 * @see asyncio.TaskGroup
 */
export class TaskGroup {
  #entered = false;
  #exiting = false;
  #aborting = false;
  #loop: EventLoop | null = null;
  /** The task running run(): the body runs in it and is cancelled through it. */
  #parentTask: Task<unknown> | null = null;
  #parentCancelRequested = false;
  /** Children not done yet. */
  readonly #tasks = new Set<Task<unknown>>();
  /** Failures of children and of the body, in the order they happened. */
  #errors: unknown[] = [];
  /** What run() waits on while exiting; set once #tasks becomes empty. */
  #onCompleted: Future<boolean> | null = null;

  /**
   * Runs `body(tg)` in the calling task, then waits for every child task; resolves to the body's
   * result. Rejects with an `AggregateError` whose `errors` holds every failure of the body and
   * the children (the others are cancelled as soon as one fails), or with the CancelledError of
   * an outer cancellation, after the children were cancelled and awaited. A group runs once.
   *
   * Awaited from compiled code, it runs inline in the awaiting task; called from plain code, it
   * starts a new Task (a thenable) that runs the group.
   */
  run<T>(body: TaskGroupBody<T>): Task<T> {
    checkCallback(body, "TaskGroup.run");
    return startScope(runBody.call(this, body) as Frame<T>);
  }

  /**
   * Creates a child task running `coro` and returns it. In eager mode a compiled call already
   * returns a started Task: the group adopts it (and renames it if `name` is given). A Future
   * (what a plain call of `sleep`, `gather` or `shield` returns) runs in a task that awaits it.
   * Throws RuntimeError before run(), after the group finished, and while it is shutting down.
   * @see asyncio.TaskGroup.create_task
   */
  createTask<T>(coro: Coroutine<T> | PromiseLike<T> | Future<T>, options?: TaskOptions): Task<T> {
    const refusal = !this.#entered
      ? "has not been entered"
      : this.#exiting && this.#tasks.size === 0
        ? "is finished"
        : this.#aborting
          ? "is shutting down"
          : null;
    if (refusal !== null) {
      discard(coro);
      throw new RuntimeError(`TaskGroup ${this.toString()} ${refusal}`);
    }
    let task: Task<T>;
    if (coro instanceof Task) {
      task = coro as Task<T>;
      if (options?.name !== undefined) task.setName(options.name);
    } else if (coro instanceof LazyCoroutine || isFrame(coro)) {
      task = this.#loop!.createTask(coro as Coroutine<T>, options);
    } else if (coro instanceof Future) {
      // What a plain call of the runtime's own coroutine functions returns (`sleep(1)`,
      // `gather(...)`, `shield(...)`), where asyncio has a coroutine: run a task that awaits it,
      // so that cancelling the task cancels the future.
      task = this.#loop!.createTask(awaitFuture(coro as Future<T>), options);
    } else {
      throw notACoroutine(coro, "TaskGroup.createTask");
    }
    registerAwaitedBy(this.#parentTask!, task);
    this.#tasks.add(task as Task<unknown>);
    // Added even when the task is already done (an eager task that finished at once), so that
    // its failure aborts the group from a callback, never from inside createTask (gh-128550).
    task.addDoneCallback(this.#onTaskDone);
    if (this.#aborting && !task.done()) task.cancel();
    return task;
  }

  /** `<TaskGroup tasks=2 errors=1 cancelling>`. */
  toString(): string {
    const info: string[] = [];
    if (this.#tasks.size > 0) info.push(`tasks=${this.#tasks.size}`);
    if (this.#errors.length > 0) info.push(`errors=${this.#errors.length}`);
    if (this.#aborting) info.push("cancelling");
    else if (this.#entered) info.push("entered");
    return `<TaskGroup${info.map((s) => " " + s).join("")}>`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  #enter(): void {
    if (this.#entered) throw new RuntimeError(`TaskGroup ${this.toString()} has already been entered`);
    const loop = getRunningLoop();
    const parent = currentTask(loop);
    if (parent === null) throw new RuntimeError(`TaskGroup ${this.toString()} cannot determine the parent task`);
    this.#loop = loop;
    this.#parentTask = parent;
    this.#entered = true;
  }

  /** Cancels every child not done; from now on createTask refuses. */
  #abort(): void {
    this.#aborting = true;
    for (const task of this.#tasks) if (!task.done()) task.cancel();
  }

  /** A child finished: record its failure, and on the first one abort the group and the body. */
  readonly #onTaskDone = (task: Task<unknown>): void => {
    this.#tasks.delete(task);
    const parent = this.#parentTask!;
    unregisterAwaitedBy(parent, task);
    if (this.#onCompleted !== null && this.#tasks.size === 0 && !this.#onCompleted.done()) {
      this.#onCompleted.setResult(true);
    }
    if (task.cancelled()) return;
    const error = task.exception();
    if (error === null) return;
    this.#errors.push(error);
    if (parent.done()) {
      this.#loop!.callExceptionHandler({
        message: `Task ${task.toString()} has errored out but its parent task ${parent.toString()} is already completed`,
        exception: error,
        task: task.toString(),
      });
      return;
    }
    if (!this.#aborting && !this.#parentCancelRequested) {
      // Stop the body wherever it waits; #exit takes this request back with uncancel(), so that
      // the caller of run() sees the AggregateError and is not left cancelled.
      this.#abort();
      this.#parentCancelRequested = true;
      parent.cancel();
    }
  };

  static {
    runBody = hiddenBody("TaskGroup.run", function* runGroup<T>(this: TaskGroup, body: TaskGroupBody<T>): Generator<unknown, T, unknown> {
      checkCallback(body, "TaskGroup.run");
      this.#enter();
      let result: T | undefined;
      let bodyError: unknown = NO_ERROR;
      try {
        result = (yield startCallback(body, this)) as T;
      } catch (error) {
        bodyError = error;
      }
      try {
        yield* this.#exit(bodyError);
      } finally {
        // Drop references to errors and the parent (asyncio does so for the GC's sake).
        this.#parentTask = null;
        this.#errors = [];
      }
      return result as T;
    }) as unknown as typeof runBody;
    setInlineBody(TaskGroup.prototype.run, runBody);
  }

  /** asyncio's TaskGroup.__aexit__: waits for the children, then decides what run() raises. */
  *#exit(bodyError: unknown): Generator<unknown, void, unknown> {
    this.#exiting = true;
    const parent = this.#parentTask!;
    let propagateCancel: CancelledError | null = bodyError instanceof CancelledError ? bodyError : null;
    // Our parent task is being cancelled, or the body failed: cancel the children.
    if (bodyError !== NO_ERROR && !this.#aborting) this.#abort();

    // A loop, since #onCompleted can be cancelled many times when the parent task is cancelled
    // repeatedly (or once while the group's own cancellation is already under way).
    while (this.#tasks.size > 0) {
      this.#onCompleted ??= new Future<boolean>({ loop: this.#loop! });
      try {
        yield this.#onCompleted;
      } catch (error) {
        if (!(error instanceof CancelledError)) throw error;
        if (!this.#aborting) {
          // The task running run() is cancelled from outside while children still run.
          propagateCancel = error;
          this.#abort();
        }
      }
      this.#onCompleted = null;
    }

    // The group cancelled its parent when a child failed: take that request back. Which
    // cancellation would propagate does not matter then: that failure was recorded, and failures
    // have priority (the same holds for asyncio's __aexit__, whose choice here is never raised).
    if (this.#parentCancelRequested) parent.uncancel();

    const errors = this.#errors;
    // A cancellation propagates unless there are failures: those have priority.
    if (propagateCancel !== null && errors.length === 0) throw propagateCancel;

    if (bodyError !== NO_ERROR && !(bodyError instanceof CancelledError)) errors.push(bodyError);
    if (errors.length > 0) {
      // Cancelled from outside too: un-cancel and re-cancel, which keeps the count stable and
      // re-arms the cancellation for the caller's next await.
      if (parent.cancelling() > 0) {
        parent.uncancel();
        parent.cancel();
      }
      // AggregateError copies `errors` into an array of its own.
      throw new AggregateError(errors, "unhandled errors in a TaskGroup");
    }
  }
}

/** The coroutine of a task that only awaits a Future (hidden: it adds no stack frame). */
const awaitFuture = hiddenBody("awaitFuture", function* awaitFuture<T>(future: Future<T>): Generator<unknown, T, unknown> {
  return (yield future) as T;
});

/** What asyncio's `coro.close()` does for a refused coroutine: it will never run. */
function discard(coro: unknown): void {
  if (coro instanceof LazyCoroutine && !coro.started) {
    coro.takeFrame().return(undefined);
  } else if (isFrame(coro)) {
    coro.return(undefined);
  } else if (coro instanceof Task) {
    // An eager task has already started; cancelling is the closest to closing it.
    coro.cancel();
  }
}

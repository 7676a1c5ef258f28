/** gather(): run awaitables concurrently and collect their results, in order, into one Future. */
import { registerAwaitedBy, unregisterAwaitedBy } from "./awaited-by.js";
import { checkAwaitable, type Awaitable } from "./awaitable.js";
import { isCoroutine } from "./coroutine.js";
import { describe, runtimeCancelledError } from "./errors.js";
import { getEventLoop, type EventLoop } from "./event-loop.js";
import { Future, isFuture } from "./future.js";
import { ensureFuture } from "./task.js";

/** The trailing options object of {@link gather}. */
export interface GatherOptions {
  /**
   * When true, a child's exception (or the CancelledError of a cancelled child) takes its place
   * in the results instead of failing the gather at once. Default false.
   */
  returnExceptions?: boolean;
}

/**
 * The results of `gather(..., {returnExceptions: true})`: each place holds its child's result or
 * whatever the child threw (any value, not only an Error) or the CancelledError of a cancelled
 * child. So each place is `unknown`, soundly: narrow with `instanceof Error` (or the check your
 * code needs) before using it. The tuple keeps its length and labels.
 */
export type GatherResultsOrErrors<T extends readonly unknown[]> = { -readonly [K in keyof T]: unknown };

// States (of the Future itself, plus #cancelRequested):
//  pending, #cancelRequested false - children run; the first failure (or all results) finishes it.
//  pending, #cancelRequested true  - cancel() reached at least one child; once every child is
//                                    done it finishes with CancelledError, whatever returnExceptions.
//  finished / cancelled            - #children is emptied; later child outcomes are only marked retrieved.
/**
 * The Future gather() returns (asyncio's `_GatheringFuture`): cancel() cancels the children
 * instead of itself, as Task.cancel() does not immediately mark a task cancelled.
 */
class GatheringFuture<T extends unknown[]> extends Future<T> {
  /** One entry per argument (duplicates share a child), in argument order. */
  #children: Array<Future<unknown>>;
  /** Done callbacks still to come (one per Future argument, one per distinct coroutine). */
  #remaining: number;
  readonly #returnExceptions: boolean;
  /** cancel() reached a child: finish with CancelledError once all are done. */
  #cancelRequested = false;
  #cancelRequestMessage: string | undefined = undefined;

  constructor(children: Array<Future<unknown>>, unique: number, returnExceptions: boolean, loop: EventLoop) {
    super({ loop });
    this.#children = children;
    this.#remaining = unique;
    this.#returnExceptions = returnExceptions;
  }

  /**
   * Cancels every child not yet done; returns true if any accepted. The gather then finishes
   * with CancelledError once every child is done. After the gather is done, does nothing.
   */
  override cancel(msg?: string): boolean {
    if (this.done()) return false;
    let accepted = false;
    for (const child of this.#children) {
      if (child.cancel(msg)) accepted = true;
    }
    if (accepted) {
      // Propagate the cancellation whatever returnExceptions says (bpo-32684).
      this.#cancelRequested = true;
      this.#cancelRequestMessage = msg;
    }
    return accepted;
  }

  /** A child's done callback (registered once per Future argument and per distinct coroutine). */
  readonly childDone = (child: Future<unknown>): void => {
    unregisterAwaitedBy(this, child);
    this.#remaining--;
    if (this.done()) {
      // The gather already failed or was cancelled: nobody will look at this outcome.
      if (!child.cancelled()) child.markExceptionRetrieved();
      return;
    }
    if (!this.#returnExceptions) {
      if (child.cancelled()) {
        this.#fail(child.makeCancelledError());
        return;
      }
      if (child.hasException()) {
        this.#fail(child.exception());
        return;
      }
    }
    if (this.#remaining > 0) return;
    if (this.#cancelRequested) {
      this.#fail(runtimeCancelledError(this.#cancelRequestMessage));
      return;
    }
    const results = this.#children.map((c) => {
      // A cancelled child's CancelledError is made fresh, as asyncio does.
      if (c.cancelled()) return c.makeCancelledError();
      if (c.hasException()) return c.exception();
      return c.result();
    });
    this.#children = [];
    this.setResult(results as T);
  };

  #fail(exception: unknown): void {
    this.#children = [];
    this.finishWithException(exception);
  }
}

/** A plain object that is not awaitable: options, maybe misspelt. */
function looksLikeOptions(value: unknown): boolean {
  if (typeof value !== "object" || value === null || isFuture(value) || isCoroutine(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && typeof (value as { then?: unknown }).then !== "function";
}

/**
 * True for the trailing options object: a plain object (not a Future, a coroutine or a
 * thenable) whose only keys are options.
 */
function isGatherOptions(value: unknown): value is GatherOptions {
  return looksLikeOptions(value) && Object.keys(value as object).every((key) => key === "returnExceptions");
}

/**
 * Runs the awaitables concurrently and returns a Future of their results, in argument order
 * (not completion order). Coroutines are wrapped in Tasks, thenables in Futures; the same
 * awaitable given twice is run once and its result appears twice. All must belong to one loop.
 * With no awaitables, returns a Future already done with `[]`.
 *
 * The first exception (or cancelled child) fails the returned Future at once and the other
 * children keep running; with `{returnExceptions: true}`, exceptions and the CancelledErrors of
 * cancelled children take their places in the results instead.
 *
 * Cancellation: cancelling the returned Future (or the task awaiting it) cancels every child
 * not yet done, and it then fails with CancelledError once they are all done, even with
 * `returnExceptions`. A child cancelled by other means is treated as raising CancelledError; the
 * gather itself is not cancelled, so that one child's cancellation does not cancel the others.
 * Once the gather is done (for instance after it propagated a child's exception), cancel()
 * returns false and cancels nothing.
 *
 * Arguments: a trailing plain object whose only key is `returnExceptions` is the options
 * object. Anything else that is not awaitable throws TypeError, before any Task is created.
 *
 * @example
 * const [user, posts] = await gather(fetchUser(id), fetchPosts(id));
 * const outcomes = await gather(a(), b(), { returnExceptions: true });
 * @see asyncio.gather
 */
export function gather<T extends unknown[]>(...aws: { [K in keyof T]: Awaitable<T[K]> }): Future<T>;
export function gather<T extends unknown[]>(
  ...args: [...aws: { [K in keyof T]: Awaitable<T[K]> }, options: GatherOptions & { returnExceptions?: false }]
): Future<T>;
export function gather<T extends unknown[]>(
  ...args: [...aws: { [K in keyof T]: Awaitable<T[K]> }, options: GatherOptions & { returnExceptions: true }]
): Future<GatherResultsOrErrors<T>>;
export function gather<T extends unknown[]>(
  ...args: [...aws: { [K in keyof T]: Awaitable<T[K]> }, options: GatherOptions]
): Future<T | GatherResultsOrErrors<T>>;
export function gather(...args: unknown[]): Future<unknown[]> {
  let returnExceptions = false;
  if (args.length > 0 && isGatherOptions(args[args.length - 1])) {
    const options = args.pop() as GatherOptions;
    if (options.returnExceptions !== undefined && typeof options.returnExceptions !== "boolean") {
      throw new TypeError(`gather option returnExceptions must be a boolean, got ${describe(options.returnExceptions)}`);
    }
    returnExceptions = options.returnExceptions === true;
  }
  if (args.length === 0) {
    const empty = new Future<unknown[]>();
    empty.setResult([]);
    return empty;
  }
  // Check everything first: a bad argument must not leave Tasks made for the earlier ones.
  let loop: EventLoop | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (i === args.length - 1 && looksLikeOptions(arg)) {
      const keys = Object.keys(arg as object).filter((key) => key !== "returnExceptions");
      throw new TypeError(
        `gather's last argument looks like an options object but has the unknown key${keys.length > 1 ? "s" : ""} ` +
          `${keys.join(", ")}; the only option is returnExceptions`,
      );
    }
    checkAwaitable(arg, `gather argument ${i + 1}`);
    if (isFuture(arg)) {
      if (loop === null) loop = arg.getLoop();
      else if (arg.getLoop() !== loop) {
        throw new RangeError(`gather argument ${i + 1} belongs to a different event loop than argument 1; all must share one loop`);
      }
    }
  }
  loop ??= getEventLoop();
  const children: Array<Future<unknown>> = [];
  // One done callback per entry here: a Future given twice simply counts twice. Only a
  // coroutine given twice must share one Task, so only coroutines go through a Map (a Map
  // lookup per argument was a fifth of a gather of 100,000 tasks).
  const watched: Array<Future<unknown>> = [];
  let taskOfCoroutine: Map<unknown, Future<unknown>> | null = null;
  for (const arg of args) {
    if (isFuture(arg)) {
      children.push(arg);
      watched.push(arg);
      continue;
    }
    let child = taskOfCoroutine?.get(arg);
    if (child === undefined) {
      child = ensureFuture(arg as Awaitable<unknown> as Future<unknown>, { loop });
      (taskOfCoroutine ??= new Map()).set(arg, child);
      watched.push(child);
    }
    children.push(child);
  }
  const outer = new GatheringFuture<unknown[]>(children, watched.length, returnExceptions, loop);
  for (const child of watched) {
    registerAwaitedBy(outer, child);
    child.addDoneCallback(outer.childDone);
  }
  return outer;
}

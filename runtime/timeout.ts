/** timeout() and timeoutAt(): cancel a block of code when a deadline passes, as asyncio 3.11+. */
import type { Coroutine, Frame } from "./coroutine.js";
import { CancelledError, RuntimeError, TimeoutError, describe } from "./errors.js";
import type { Handle } from "./handle.js";
import { checkCallback, hiddenBody, setInlineBody, startCallback, startScope } from "./combinator-coroutine.js";
import { getRunningLoop } from "./running-loop.js";
import { currentTask, type Task } from "./task.js";

/** The body of a timeout block: a (compiled) async function given the Timeout. */
export type TimeoutBody<T> = (cm: Timeout) => PromiseLike<T> | Coroutine<T> | T;

/** A Timeout's state: asyncio's `_State` values, which its string form shows. */
export type TimeoutState = "created" | "active" | "expiring" | "expired" | "finished";

const NO_ERROR: unique symbol = Symbol("no error");

let runBody: <T>(this: Timeout, body: TimeoutBody<T>) => Frame<T>;

// States: created -> active (run() entered it in a task; a timer is armed unless when is null)
//   active -> expiring: the deadline passed and the task was cancelled once by us;
//   expiring -> expired: the block ended (run() then raises TimeoutError if the cancellation
//               it ended with was ours);
//   active -> finished: the block ended before the deadline.
/**
 * A deadline for a block of code: `run(body)` runs `body(cm)` in the calling task; when the
 * deadline passes, the task is cancelled and `run` raises TimeoutError instead of the
 * CancelledError (which becomes its `cause`). A cancellation from anyone else passes through.
 * Usually made by {@link timeout} or {@link timeoutAt}.
 * @see asyncio.Timeout
 */
export class Timeout {
  #state: TimeoutState = "created";
  /** The deadline in loop time (seconds), or null for none. */
  #when: number | null;
  #timer: Handle | null = null;
  /** The task the block runs in, once entered. */
  #task: Task<unknown> | null = null;
  /** The task's cancellation requests when the block began: more at the end are not ours. */
  #cancellingOnEntry = 0;

  /** A timeout at loop time `when` (seconds), or none when `when` is null. */
  constructor(when: number | null) {
    this.#when = checkTime(when, "Timeout when");
  }

  /** The deadline in loop time, or null. */
  when(): number | null {
    return this.#when;
  }

  /**
   * Moves the deadline to loop time `when` (null: no deadline). Only while the block runs;
   * a deadline already past cancels the block in the next loop iteration.
   */
  reschedule(when: number | null): void {
    if (this.#state !== "active") {
      if (this.#state === "created") throw new RuntimeError("Timeout has not been entered");
      throw new RuntimeError(`Cannot change state of ${this.#state} Timeout`);
    }
    when = checkTime(when, "Timeout when");
    this.#when = when;
    this.#timer?.cancel();
    if (when === null) {
      this.#timer = null;
      return;
    }
    const loop = this.#task!.getLoop();
    this.#timer = when <= loop.time() ? loop.callSoon(this.#onTimeout) : loop.callAt(when, this.#onTimeout);
  }

  /** True once the deadline passed while the block ran. */
  expired(): boolean {
    return this.#state === "expiring" || this.#state === "expired";
  }

  /**
   * Runs `body(cm)` under this deadline and resolves to its result; raises TimeoutError when the
   * deadline cancelled it. Awaited from compiled code, it runs inline in the awaiting task;
   * called from plain code, it starts a new Task that runs the block. A Timeout runs once.
   */
  run<T>(body: TimeoutBody<T>): Task<T> {
    checkCallback(body, "Timeout.run");
    return startScope(runBody.call(this, body) as Frame<T>);
  }

  /** `<Timeout [active] when=10.5>`, `<Timeout [expired]>`. */
  toString(): string {
    const when = this.#state === "active" ? ` when=${this.#when === null ? "None" : Math.round(this.#when * 1000) / 1000}` : "";
    return `<Timeout [${this.#state}]${when}>`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  #enter(): void {
    if (this.#state !== "created") throw new RuntimeError("Timeout has already been entered");
    const task = currentTask();
    if (task === null) throw new RuntimeError("Timeout should be used inside a task");
    this.#state = "active";
    this.#task = task;
    this.#cancellingOnEntry = task.cancelling();
    this.reschedule(this.#when);
  }

  /** asyncio's Timeout.__aexit__: turns our own cancellation into TimeoutError. */
  #exit(error: unknown): void {
    this.#timer?.cancel();
    this.#timer = null;
    if (this.#state === "expiring") {
      this.#state = "expired";
      // Fewer requests than on entry plus ours: nobody else cancelled the task meanwhile.
      if (this.#task!.uncancel() <= this.#cancellingOnEntry && error instanceof CancelledError) {
        throw new TimeoutError("", { cause: error });
      }
    } else if (this.#state === "active") {
      this.#state = "finished";
    }
  }

  readonly #onTimeout = (): void => {
    if (this.#state !== "active") return;
    this.#task!.cancel();
    this.#state = "expiring";
    this.#timer = null;
  };

  static {
    runBody = hiddenBody("Timeout.run", function* runTimeout<T>(this: Timeout, body: TimeoutBody<T>): Generator<unknown, T, unknown> {
      checkCallback(body, "Timeout.run");
      this.#enter();
      let result: T;
      try {
        result = (yield startCallback(body, this)) as T;
      } catch (error) {
        this.#exit(error);
        throw error;
      }
      this.#exit(NO_ERROR);
      return result;
    }) as unknown as typeof runBody;
    setInlineBody(Timeout.prototype.run, runBody);
  }
}

function checkTime(value: number | null | undefined, what: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(`${what} must be a loop time in seconds or null, got ${describe(value)}`);
  }
  return value;
}

/**
 * Runs `body(cm)` in the calling task with a deadline `delay` seconds from now (null: none) and
 * resolves to its result. When the deadline passes, the body is cancelled at its innermost
 * `await`, and once it has ended TimeoutError is raised (its `cause` is the CancelledError).
 * Cancellation from outside passes through as CancelledError. `cm` is the {@link Timeout}:
 * `cm.when()`, `cm.reschedule(when)`, `cm.expired()`.
 * @see asyncio.timeout
 */
export function timeout<T>(delay: number | null, body: TimeoutBody<T>): Task<T> {
  checkTime(delay, "timeout delay");
  checkCallback(body, "timeout");
  return startScope(timeoutBody(delay, body));
}

/**
 * As {@link timeout}, with the deadline given as loop time `when` (`loop.time()` seconds).
 * @see asyncio.timeout_at
 */
export function timeoutAt<T>(when: number | null, body: TimeoutBody<T>): Task<T> {
  checkTime(when, "timeoutAt when");
  checkCallback(body, "timeoutAt");
  return startScope(timeoutAtBody(when, body));
}

const timeoutBody = hiddenBody("timeout", function* timeoutDelay<T>(delay: number | null, body: TimeoutBody<T>): Generator<unknown, T, unknown> {
  const d = checkTime(delay, "timeout delay");
  const cm = new Timeout(d === null ? null : getRunningLoop().time() + d);
  return (yield runBody.call(cm, body)) as T;
});
const timeoutAtBody = hiddenBody("timeoutAt", function* timeoutAtWhen<T>(when: number | null, body: TimeoutBody<T>): Generator<unknown, T, unknown> {
  return (yield runBody.call(new Timeout(checkTime(when, "timeoutAt when")), body)) as T;
});
setInlineBody(timeout, timeoutBody);
setInlineBody(timeoutAt, timeoutAtBody);

/**
 * The coroutine protocol: the one interface between code emitted by the corotask transform and
 * the runtime that steps it.
 *
 * A *coroutine function* is compiled into a *body*: a generator function whose `prototype` is a
 * per-function *frame prototype* made by {@link coroutineBody}. Calling the body creates a
 * *frame* (a generator object) that the runtime recognises by that prototype, with no wrapper
 * object and no registry lookup. The frame prototype also carries the function's
 * {@link FunctionInfo} (name, definition site, the table of await sites).
 *
 * Inside a body, `await x` becomes `yield x` preceded by a write of the await site's index to
 * {@link siteRegister}`.at`, made after the operand is evaluated. The stepper reads the register
 * right after the frame yields, so every suspended frame knows the await where it waits.
 * A yielded value means:
 *  - a frame: run it inline in the same task (a trampoline: the stepper pushes it, and sends its
 *    return value or throws its exception into the yielding frame when it ends). This is how
 *    `await f()` of another compiled function costs no Task and no Promise and never grows the
 *    JavaScript stack.
 *  - a {@link LazyCoroutine}: the same, once (a second await is an error, as in Python).
 *  - a Future (or Task): suspend until it is done.
 *  - {@link YIELD_TO_LOOP} or a {@link YieldToLoop}: resume in the next loop iteration.
 *  - any other thenable: suspend until it settles.
 *  - anything else: resume in the next loop iteration with that value.
 *
 * An await of a call `await callee(args)` is compiled so that a compiled callee runs inline:
 * the emitted code calls `callee[BODY]` (the body) when it exists and `callee` otherwise, with the
 * same `this` and arguments. The public function object of a coroutine function (made by
 * {@link asyncFunction} or emitted by the transform) carries its body under {@link BODY}.
 *
 * Delegation: a frame that the call produced is not yielded to the stepper but run by `yield*`,
 * V8's own delegation, which costs half of a trip through the trampoline:
 *   `_d(_t, _k, i) ? (_t = yield* _t, _z(_t, _k) ? (_sr.at = i, yield _t) : _t) : yield _t`
 * (`_df(_t, _k, i, body)` when the frame came from calling a local coroutine's body).
 * {@link delegate} (`_d`) records the frame in the task's *chain* (see {@link siteRegister}) so
 * that stacks still show it. `_k`, read from `siteRegister.depth` when the body starts, is the
 * chain index of the frame's own callees; every await of such a body passes it, so a depth left
 * high by a callee's exception the body caught is set right before anything reads it. Resuming
 * a chain re-enters each of its frames, so a chain is at most {@link DELEGATION_LIMIT} frames
 * long: past that, the frame is yielded, and the stepper starts a new chain on its trampoline
 * (a *level*). Deep recursion thus costs one trampoline step per DELEGATION_LIMIT calls.
 *
 * Catch clauses in a body write their index into the function's `catches` table to
 * `siteRegister.caught`, and the chain index of their own callees to `siteRegister.caughtAt`,
 * so that a swallowed cancellation can be reported at its `catch`.
 */
import { RuntimeError } from "./errors.js";

/** One source position of a coroutine function: an await site or a catch site. */
export interface SiteInfo {
  /** 1-based line in the original source. */
  readonly line: number;
  /** 1-based column in the original source. */
  readonly column: number;
  /** The text of that source line, trimmed, when the transform knew it. */
  readonly source?: string;
}

/** What the transform records of one coroutine function, once per function. */
export interface FunctionInfo {
  /** The function's name as V8 would print it (`fib`, `Server.handle`, `<anonymous>`). */
  readonly name: string;
  /** The original file name (as the user would recognise it, relative where possible). */
  readonly file: string;
  /** The definition site: 1-based line and column of the `async` keyword or the function. */
  readonly line: number;
  readonly column: number;
  /**
   * The line where the function's text ends (0 or absent: unknown). A raising line read off an
   * error's stack is taken only between `line` and this one: a stack in generated positions
   * (not source-mapped) that happens to name the original file would otherwise be believed.
   */
  readonly endLine?: number;
  /** Await sites, indexed by the number the body writes to `siteRegister.at`. */
  readonly sites: readonly SiteInfo[];
  /** Catch sites, indexed by the number the body writes to `siteRegister.caught`. */
  readonly catches?: readonly SiteInfo[];
  /** True for the runtime's own coroutines (sleep, gather...): they add no stack frames. */
  readonly hidden?: boolean;
}

/** How many frames one chain of `yield*` delegation holds before the stepper starts another. */
export const DELEGATION_LIMIT = 64;

/**
 * Registers written by emitted code and read by the stepper right after a frame yields or
 * throws. One process-wide object: only one frame runs at a time. The stepper loads the chain
 * registers of a task when it steps it and saves them when it stops.
 */
export interface SiteRegister {
  /** The await site (index into `sites`) of the frame that last wrote it. */
  at: number;
  /** The catch site (index into `catches`) of the catch clause that last ran. */
  caught: number;
  /** The chain index of the callees of the frame whose catch clause last ran. */
  caughtAt: number;
  /** How many chain entries are live: the chain index of the running frame's callees. */
  depth: number;
  /** The depth at which the current level is full: a frame there is yielded, not delegated to. */
  limit: number;
  /**
   * The running task's chain, null until it first delegates: `[depth, limit, frame0, site0,
   * frame1, site1, ...]`, where entry i is a delegated frame and the await site of its caller.
   * Slots 0 and 1 hold the depth and limit while the task is not running.
   */
  chain: unknown[] | null;
}
export const siteRegister: SiteRegister = { at: -1, caught: -1, caughtAt: -1, depth: 0, limit: DELEGATION_LIMIT, chain: null };

/** Where chain entry `index` starts in a chain array (after the saved depth and limit). */
export function chainSlot(index: number): number {
  return 2 * index + 2;
}

/**
 * `_d(value, index, site, body)`: called by an await of a call in emitted code, with the frame's
 * `_k`, the await's site (which it writes to the register) and the function it called. True when
 * `value` is a frame and the chain has room: the body is recorded as chain entry `index` with the
 * caller's await site, and the caller runs the frame by `yield*`. False otherwise: the caller
 * yields it.
 */
export function delegate(value: unknown, index: number, site: number, body?: CoroutineBody): boolean {
  if (FRAME_PROTOTYPE.isPrototypeOf(value as object)) return delegateFrame(value as Frame, index, site, body);
  siteRegister.at = site;
  siteRegister.depth = index;
  return false;
}

/**
 * `_df(frame, index, site, body)`: {@link delegate} for a frame that emitted code made by calling
 * a local coroutine's `body` (no brand check). The chain records the body, not the frame: stacks
 * need only its info, and storing a just-made frame into the long-lived chain costs V8's
 * generational write barrier on every call (a tenth of the call's time).
 */
export function delegateFrame(frame: Frame, index: number, site: number, body?: CoroutineBody): boolean {
  const register = siteRegister;
  register.at = site;
  if (index >= register.limit) {
    register.depth = index;
    return false;
  }
  // Chain entry `index`: the body (or the frame), and the caller's await site.
  const entry = body ?? frame;
  const chain = register.chain;
  if (chain === null && index === 0) {
    // A task's first delegation: made at its size (an array grown from [depth, limit] would
    // take nineteen slots).
    register.chain = [0, DELEGATION_LIMIT, entry, site];
  } else {
    const grown = chain ?? (register.chain = [0, DELEGATION_LIMIT]);
    const slot = chainSlot(index);
    grown[slot] = entry;
    grown[slot + 1] = site;
  }
  register.depth = index + 1;
  return true;
}

/**
 * The info of a chain entry (a frame, or the body that made it), or null for a hidden one: a
 * runtime coroutine's frame without a stand-in.
 */
export function entryInfo(entry: Frame | CoroutineBody): FunctionInfo | null {
  if (typeof entry !== "function") return visibleFrameInfo(entry);
  // A body's prototype carries its info. A runtime coroutine's inline form is a plain function
  // that makes a hidden frame: no info, nothing to show either way.
  const info = (entry as unknown as { prototype?: Partial<FramePrototype> }).prototype?.[INFO];
  return info === undefined || info.hidden === true ? null : info;
}


/** A frame: a generator created by a coroutine body. */
export type Frame<T = unknown> = Generator<unknown, T, unknown>;

/** A body: the generator function a coroutine function compiles into. */
export type CoroutineBody<T = unknown, A extends unknown[] = any[]> = (...args: A) => Frame<T>;

const INFO: unique symbol = Symbol.for("corotask.functionInfo") as any;
/** The public coroutine function carries its body under this key (read by inline await calls). */
export const BODY: unique symbol = Symbol.for("corotask.body") as any;

// Every frame prototype inherits from this one object, so `isFrame` is a two-hop prototype
// check instead of a registry lookup or a wrapper allocation per call.
const GeneratorPrototype = Object.getPrototypeOf(function* () {}).prototype as object;
const FRAME_PROTOTYPE: object = Object.create(GeneratorPrototype);

interface FramePrototype {
  [INFO]: FunctionInfo;
}

/**
 * Marks `body` as a coroutine body described by `info`: frames it creates are recognised by
 * the runtime. Returns `body`.
 */
export function coroutineBody<F extends (...args: any[]) => Generator>(body: F, info: FunctionInfo): F {
  const current = (body as unknown as { prototype: object }).prototype;
  const currentParent = current === undefined ? null : Object.getPrototypeOf(current);
  if (currentParent !== null && currentParent !== GeneratorPrototype) {
    // A generator function lowered by regenerator (an ES5 target): regenerator creates frames
    // only from a prototype that inherits from its own Generator, so keep that chain and record
    // the prototype in a side set that isFrame consults after the fast check.
    const proto = Object.create(currentParent) as FramePrototype;
    proto[INFO] = info;
    (body as unknown as { prototype: object }).prototype = proto;
    foreignFramePrototypes.add(proto);
    hasForeignFrames = true;
    return body;
  }
  const proto = Object.create(FRAME_PROTOTYPE) as FramePrototype;
  proto[INFO] = info;
  (body as unknown as { prototype: object }).prototype = proto;
  return body;
}

/** Frame prototypes of generator functions that are not native (regenerator's). */
const foreignFramePrototypes = new WeakSet<object>();
/** Whether any exist: the WeakSet lookup is skipped on the hot path until one does. */
let hasForeignFrames = false;

/** True when `value` is a frame created by a coroutine body. */
export function isFrame(value: unknown): value is Frame {
  // isPrototypeOf is a builtin walk: about three times faster here than two getPrototypeOf calls.
  if (FRAME_PROTOTYPE.isPrototypeOf(value as object)) return true;
  return hasForeignFrames && typeof value === "object" && value !== null && foreignFramePrototypes.has(Object.getPrototypeOf(value));
}

/** The FunctionInfo of a frame. */
export function frameInfo(frame: Frame): FunctionInfo {
  return (Object.getPrototypeOf(frame) as FramePrototype)[INFO];
}

/**
 * Hidden frames that run another coroutine's frame themselves (an async generator's request
 * steps the generator's body) name that coroutine here, so that stacks show it in their place.
 */
const standIns = new WeakMap<object, () => FunctionInfo | null>();

/** Makes stacks show `describe()`'s coroutine in place of the hidden `frame`. */
export function setFrameStandIn(frame: Frame, describe: () => FunctionInfo | null): void {
  standIns.set(frame, describe);
}

/** The FunctionInfo a stack shows for `frame`: its own, a stand-in's, or null for a hidden one. */
export function visibleFrameInfo(frame: Frame): FunctionInfo | null {
  const info = frameInfo(frame);
  if (info.hidden !== true) return info;
  const standIn = standIns.get(frame);
  return standIn === undefined ? null : standIn();
}

/** Resume in the next loop iteration with `value`: what `sleep(0, value)` yields. */
export class YieldToLoop<T = unknown> {
  constructor(readonly value: T) {}
}
/** The allocation-free form of {@link YieldToLoop} for `sleep(0)`. */
export const YIELD_TO_LOOP: YieldToLoop<undefined> = new YieldToLoop(undefined);

/** Called with a lazy coroutine's name when it is collected without ever having run. */
let reportNeverAwaited: (name: string) => void = (name) => {
  console.warn(`RuntimeWarning: coroutine '${name}' was never awaited`);
};
/** Replace how never-awaited coroutines are reported (tests, the loop's handler). */
export function setNeverAwaitedReporter(fn: (name: string) => void): void {
  reportNeverAwaited = fn;
}

const neverAwaited: FinalizationRegistry<string> | null =
  typeof FinalizationRegistry === "function"
    ? new FinalizationRegistry((name) => {
        // A collection callback that throws would end the process; a failed report must not.
        try {
          reportNeverAwaited(name);
        } catch {
          /* the reporter failed (a torn-down console, say): nothing else to do */
        }
      })
    : null;

/**
 * Lazy coroutines created since the last microtask. Most are awaited or scheduled in the same
 * synchronous run that made them, so they are registered for the never-awaited report only if
 * still unstarted when this run ends: a registration and its removal cost more than the rest of
 * a coroutine's creation.
 */
let createdThisRun: LazyCoroutine<any>[] = [];
function registerUnstarted(): void {
  const created = createdThisRun;
  createdThisRun = [];
  for (const coro of created) {
    if (!coro.started) neverAwaited!.register(coro, coro.name, coro);
  }
}
const queueTask: (fn: () => void) => void =
  typeof queueMicrotask === "function" ? queueMicrotask : (fn) => void Promise.resolve().then(fn);

/** A lazy coroutine's frame, or null once taken (a helper, not a private method: see Future's). */
let frameOf: <T>(coro: LazyCoroutine<T>) => Frame<T> | null;

/**
 * A coroutine object of lazy mode: calling a lazy coroutine function returns one. It does not
 * run until it is awaited, scheduled as a Task, or its `then` is called.
 */
export class LazyCoroutine<T = unknown> implements PromiseLike<T> {
  /**
   * The frame, until something takes it to run; then the function's info. One field, not two:
   * a lazy task keeps its coroutine object for getCoro(), so each field counts per pending task.
   */
  #state: Frame<T> | FunctionInfo;

  static {
    frameOf = <T>(coro: LazyCoroutine<T>): Frame<T> | null => {
      const state = coro.#state;
      return typeof (state as Partial<Frame<T>>).next === "function" ? (state as Frame<T>) : null;
    };
  }

  constructor(frame: Frame<T>) {
    this.#state = frame;
    if (neverAwaited !== null) {
      if (createdThisRun.length === 0) queueTask(registerUnstarted);
      createdThisRun.push(this);
    }
  }

  /** The coroutine function's name. */
  get name(): string {
    return this.info.name;
  }

  /** What the transform recorded of the coroutine function. */
  get info(): FunctionInfo {
    const frame = frameOf(this);
    return frame === null ? (this.#state as FunctionInfo) : frameInfo(frame);
  }

  /**
   * Takes the frame to run it; throws when the coroutine was already awaited or scheduled,
   * as Python's "cannot reuse already awaited coroutine".
   * @internal
   */
  takeFrame(): Frame<T> {
    const frame = frameOf(this);
    if (frame === null) {
      throw new RuntimeError(`cannot reuse already awaited coroutine '${this.name}'`);
    }
    this.#state = frameInfo(frame);
    neverAwaited?.unregister(this);
    return frame;
  }

  /**
   * Discards a coroutine that will not be run, as Python's `coroutine.close()`: it is not
   * reported as never awaited, and awaiting it afterwards throws RuntimeError. Closing a
   * coroutine already awaited or scheduled does nothing.
   */
  close(): void {
    const frame = frameOf(this);
    if (frame === null) return;
    this.#state = frameInfo(frame);
    neverAwaited?.unregister(this);
    // Not started, so no finally block of the body can run: this only marks the generator done.
    frame.return(undefined as T);
  }

  /** True once the coroutine has been awaited, scheduled or closed. */
  get started(): boolean {
    return frameOf(this) === null;
  }

  /**
   * Schedules the coroutine as a Task (the first time) and chains on it, as awaiting it from
   * plain code would. Later `then`, `catch` and `finally` calls chain on the same Task.
   */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): PromiseLike<R1 | R2> {
    return this.scheduled().then(onFulfilled, onRejected);
  }

  /** Schedules the coroutine as `then` does, and handles its failure: `fn().catch(handler)`. */
  catch<R = never>(onRejected?: ((reason: any) => R | PromiseLike<R>) | null): PromiseLike<T | R> {
    return this.scheduled().then(undefined, onRejected);
  }

  /** Schedules the coroutine as `then` does, and runs `onFinally` when it ends, however it ends. */
  finally(onFinally?: (() => void) | null): PromiseLike<T> {
    return (this.scheduled() as PromiseLike<T> & { finally(f?: (() => void) | null): PromiseLike<T> }).finally(onFinally);
  }

  /** The Task that `then` made of this coroutine, made on first use. @internal */
  scheduled(): PromiseLike<T> {
    let task = scheduledTasks.get(this) as PromiseLike<T> | undefined;
    if (task === undefined) scheduledTasks.set(this, (task = this.schedule()));
    return task;
  }

  /** Makes the Task that `then` chains on: on the running loop, else the default loop. @internal */
  protected schedule(): PromiseLike<T> {
    return scheduleLazy(this);
  }

  toString(): string {
    const info = this.info;
    return `<coroutine object ${info.name} at ${info.file}:${info.line}>`;
  }
}

/** Tasks made by a coroutine's `then`, so that later calls chain on the same one (rare: off the coroutine). */
const scheduledTasks = new WeakMap<LazyCoroutine<any>, PromiseLike<any>>();

let scheduleLazy: (coro: LazyCoroutine<any>) => PromiseLike<any> = () => {
  throw new Error("corotask: task module not loaded");
};
/** Installed by task.ts: how `LazyCoroutine.then` schedules the coroutine. */
export function setLazyScheduler(fn: (coro: LazyCoroutine<any>) => PromiseLike<any>): void {
  scheduleLazy = fn;
}

/** A coroutine: what createTask and friends accept. */
export type Coroutine<T = unknown> = Frame<T> | LazyCoroutine<T>;

/** True for anything createTask can run: a frame or a lazy coroutine. */
export function isCoroutine(value: unknown): value is Coroutine {
  return value instanceof LazyCoroutine || isFrame(value);
}

/** The FunctionInfo of a coroutine. */
export function coroutineInfo(coro: Coroutine): FunctionInfo {
  return coro instanceof LazyCoroutine ? coro.info : frameInfo(coro);
}

// The prototypes a compiled function object is given, so that reflection still sees an async
// function (test262 checks `Object.getPrototypeOf(f) === AsyncFunction.prototype`).
const AsyncFunctionPrototype = Object.getPrototypeOf(async function () {}) as object;
const AsyncGeneratorFunctionPrototype = Object.getPrototypeOf(async function* () {}) as object;
export { AsyncFunctionPrototype, AsyncGeneratorFunctionPrototype };

/** How a compiled coroutine function starts when called without an inline `await`. */
export type StartMode = "eager" | "lazy";

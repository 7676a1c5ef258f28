/**
 * The only thing the plugin knows about the runtime: where emitted code takes its helpers from
 * and the names of the members it uses. `test/plugin/runtime-abi.test.ts` checks these names
 * against what `runtime/abi.ts` exports.
 */

/** The one name emitted code imports from the runtime module. */
export const ABI_EXPORT = "abi";

/** Members of `abi` that emitted code reads. */
export const ABI_MEMBERS = {
  /** `coroutineBody(body, info)`: brands a generator function as a coroutine body. */
  coroutineBody: "coroutineBody",
  /** `asyncFunction(body, mode)`: the public function object of a coroutine function. */
  asyncFunction: "asyncFunction",
  /** `asyncGeneratorFunction(body, mode)`: the public function object of an async generator function. */
  asyncGeneratorFunction: "asyncGeneratorFunction",
  /** The symbol under which a public coroutine function carries its body. */
  BODY: "BODY",
  /** `{at, caught, caughtAt, depth, ...}`: the registers emitted code writes (see runtime/coroutine.ts). */
  siteRegister: "siteRegister",
  /** `caught(error, catchIndex, index)`: the first statement of a catch clause in a body that delegates. */
  caught: "caught",
  /** `delegate(value, index, site)`: writes the await site; true when an awaited call's result is a frame to run by `yield*`. */
  delegate: "delegate",
  /** `delegateFrame(frame, index, site, body)`: `delegate` for the frame a local coroutine's `body` made (no check; the chain records the body). */
  delegateFrame: "delegateFrame",
  /** `delegationReturned(value, index)`: after `yield*`, resets the depth; true when `value` must still be awaited. */
  delegationReturned: "delegationReturned",
  /** `agYield`: the shared request object an async generator body yields for its own `yield v` (value written first). */
  agYield: "agYield",
  /** `asyncDelegate(iterable)`: the helper generator behind `yield*` in an async generator body. */
  asyncDelegate: "asyncDelegate",
  /** `asyncIterator(iterable)`: the iterator record `for await` steps (async, or async-from-sync). */
  asyncIterator: "asyncIterator",
  /** `asyncIteratorStep(record, site)`: one `for await` step, delegated to with `yield*`. */
  asyncIteratorStep: "asyncIteratorStep",
  /** `asyncIteratorClose(record, site, throwing)`: closes a `for await` iterator left early. */
  asyncIteratorClose: "asyncIteratorClose",
  /** `asyncDisposableScope()`: the resources of a block with `await using` declarations. */
  asyncDisposableScope: "asyncDisposableScope",
} as const;

/** How emitted code reaches the runtime module. */
export type RuntimeAccess =
  | { readonly kind: "module"; readonly specifier: string }
  | { readonly kind: "global"; readonly name: string };

/** Parses the `runtime` option (`"corotask"`, `"./local/runtime.js"` or `"global:NAME"`). */
export function runtimeAccess(runtime: string): RuntimeAccess {
  if (runtime.startsWith("global:")) return { kind: "global", name: runtime.slice("global:".length) };
  return { kind: "module", specifier: runtime };
}

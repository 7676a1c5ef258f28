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
  /** `{at, caught}`: await-site and catch-site registers written by emitted code. */
  siteRegister: "siteRegister",
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

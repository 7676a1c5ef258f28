/**
 * Types of host objects the public API mentions, declared here so that the declarations compile
 * under `lib: ["es2022"]` alone, without lib "dom" or @types/node (issue 11).
 */

/**
 * The part of an `AbortSignal` corotask's types rely on: what `Task.signal` offers when
 * neither lib "dom" nor @types/node is loaded.
 */
export interface MinimalAbortSignal {
  /** True once the task's cancellation was requested. */
  readonly aborted: boolean;
  /** Why it aborted: the CancelledError of the cancellation; undefined until then. */
  readonly reason: unknown;
  /** Called once when it aborts. */
  onabort: ((event: unknown) => unknown) | null;
  addEventListener(type: "abort", listener: (event: unknown) => unknown, options?: boolean | { once?: boolean }): void;
  removeEventListener(type: "abort", listener: (event: unknown) => unknown, options?: boolean): void;
  /** Throws `reason` once aborted. */
  throwIfAborted(): void;
}

/**
 * The host's `AbortSignal` type when one is declared (lib "dom", @types/node, Deno, Bun), so a
 * Task's signal passes to `fetch` and timers as is; otherwise {@link MinimalAbortSignal}.
 * Resolved where the declarations are used, not where they were built.
 */
export type HostAbortSignal = typeof globalThis extends { AbortSignal: { prototype: infer S } } ? S : MinimalAbortSignal;

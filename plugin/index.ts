/**
 * corotask's compile-time transform. Its vocabulary, used by every pass of both pipelines:
 *  - *coroutine function*: a function written `async` in the source; compiled into a *body*, a
 *    generator function the runtime steps, and a *public function* made from it.
 *  - *await site*: one `await` of a coroutine function; each becomes a `yield` preceded by a
 *    write of its index to the runtime's site register.
 *  - *frame info*: what is recorded of a coroutine function (name, file, definition site, await
 *    sites and catch sites) so that stacks report original positions.
 */
export { default as babelPlugin } from "./babel/plugin.js";
export { default as typescriptTransformer } from "./typescript/index.js";
export { validateOptions, DEFAULT_OPTIONS, OptionsError, type Options, type ResolvedOptions, type Mode } from "./options.js";

/**
 * `corotask/typescript`: the TypeScript transformer factory, for `program.emit`'s `before`
 * transformers, ts-patch (`plugins: [{ "transform": "corotask/typescript" }]`), ts-loader's
 * `getCustomTransformers` and ts-jest's `astTransformers` (through `name`, `version`, `factory`).
 * Loading it under TypeScript 7, which has no transformer API, throws at once.
 */
import ts from "typescript";
import type * as TS from "typescript";
import { makeCorotask } from "./transformer.js";
import type { TypeScript } from "./context.js";

/**
 * `corotask(program?, options?)`: a `before` transformer factory that rewrites every async
 * function into a coroutine run by the corotask runtime. Pass the Program for the type-aware fast
 * path (awaits of compiled functions skip the runtime's check); options as for the Babel plugin.
 *
 * @example
 * program.emit(undefined, undefined, undefined, false, { before: [corotask(program, { mode: "lazy" })] });
 *
 * Under ts-patch the third argument's `ts` is the compiler in use; the factory is built for it.
 */
const forInstalled = makeCorotask(ts as unknown as TypeScript);
function corotask(program?: TS.Program, options?: unknown, extras?: { ts?: unknown }): TS.TransformerFactory<TS.SourceFile> {
  // ts-patch passes the compiler it patched (which may not be the one this package resolves).
  const compiler = extras?.ts as TypeScript | undefined;
  if (compiler && compiler !== (ts as unknown)) return makeCorotask(compiler)(program, options);
  return forInstalled(program, options);
}
export default corotask;
export { corotask };

/** ts-jest's cache key for this transformer: change `version` with every change of its output. */
export const name = "corotask";
export const version = "0.1.0-ts.1";

/** ts-jest's `astTransformers` entry point: the factory for the compiler ts-jest uses. */
export function factory(tsCompiler: { configSet: { compilerModule: typeof TS; parsedTsConfig?: unknown }; program?: TS.Program }, options?: unknown): TS.TransformerFactory<TS.SourceFile> {
  return makeCorotask(tsCompiler.configSet.compilerModule as unknown as TypeScript)(tsCompiler.program, options);
}

/**
 * One file through the transform for the hook, by way of the disk cache: the step shared by the
 * ES module hooks (in Node's hooks thread) and the CommonJS require hook (on the main thread).
 */
import * as path from "node:path";
import type { CompileFileOptions, CompiledFile } from "../compile-file.js";
import type { RawSourceMap } from "../frame-info.js";
import { cacheKey, readCacheEntry, writeCacheEntry } from "./cache.js";
import type { LoaderOptions } from "./loader-options.js";
import type { ModuleFormat } from "./module-format.js";

/** compileFile, handed in: each side loads Babel its own way, and only on a cache miss. */
export type Compile = (code: string, filename: string, options: CompileFileOptions) => CompiledFile;

let warnedAboutCache = false;

/** A file's cache entry: its key (null with the cache off) and the cached code, if any. */
export interface CacheLookup {
  readonly key: string | null;
  readonly code: string | null;
}

/** Looks `filename` up in the cache (a read, no Babel). */
export function lookUp(source: string, filename: string, format: ModuleFormat, loader: LoaderOptions, compiler: string): CacheLookup {
  if (loader.cacheDir === null) return { key: null, code: null };
  const key = cacheKey(source, { filename, format, mode: loader.mode, runtime: loader.runtime, cwd: loader.cwd, compiler });
  return { key, code: readCacheEntry(loader.cacheDir, key) };
}

/**
 * Compiles `filename` and stores it under `key`: the code with its source map inline. A syntax
 * error is thrown as a SyntaxError whose stack is its message alone (file:line:col, reason and
 * code frame): Node prints it as it is, with no frames from inside corotask.
 */
export function compileAndStore(key: string | null, source: string, filename: string, format: ModuleFormat, loader: LoaderOptions, compile: Compile): string {
  let result: CompiledFile;
  try {
    // Node runs no JSX: a .tsx file's JSX is compiled too (React's classic runtime unless a pragma says otherwise).
    result = compile(source, filename, { mode: loader.mode, runtime: loader.runtime, stripTypes: true, compileJsx: true, moduleKind: format, cwd: loader.cwd });
  } catch (error) {
    if ((error as Error | null)?.name !== "CompileError") throw error;
    const syntax = new SyntaxError((error as Error).message);
    syntax.stack = `SyntaxError: ${(error as Error).message}`;
    throw syntax;
  }
  const code = result.changed && result.map !== null ? withInlineMap(result.code, result.map, filename) : result.code;
  if (key !== null && !writeCacheEntry(loader.cacheDir!, key, code) && !warnedAboutCache) {
    warnedAboutCache = true;
    process.emitWarning(`corotask cannot write its cache in ${loader.cacheDir}; files are compiled on every start. Set COROTASK_CACHE_DIR to a writable folder, or COROTASK_CACHE=0`);
  }
  return code;
}

/**
 * The error to throw when loading the compiler failed: for a missing Babel package, one that says
 * what to install (its stack is its message: nothing inside corotask to look at); else `error`.
 */
export function compilerLoadError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const message = String((error as Error | null)?.message ?? error);
  const missing = /@babel\/[\w-]+/.exec(message);
  if ((code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") || missing === null) return error;
  const friendly = new Error(
    `corotask's Node hook compiles with Babel, and ${missing[0]} is not installed; install it in your project: npm install -D @babel/core @babel/preset-typescript`,
  );
  friendly.stack = `Error: ${friendly.message}`;
  return friendly;
}

function withInlineMap(code: string, map: RawSourceMap, filename: string): string {
  // Sources as absolute paths: Node then prints the original file's path in stack traces.
  const fixed = { ...(typeof map === "string" ? (JSON.parse(map) as object) : map), sources: [filename], file: path.basename(filename) };
  const base64 = Buffer.from(JSON.stringify(fixed)).toString("base64");
  return `${code}\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${base64}\n`;
}

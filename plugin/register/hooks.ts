/**
 * The module hooks of `corotask/register`, which Node runs in its hooks thread: `resolve` finds
 * TypeScript files behind the specifiers TypeScript projects write (`./lib`, `./lib.js`), and
 * `load` compiles the project's ES modules with the corotask transform (types stripped), through
 * the on-disk cache. CommonJS files are handed to Node's CommonJS loader, where the require hook
 * (require-hook.ts) compiles them: only there does their own require() keep working, since
 * Node 20 runs no resolve hook for require().
 */
import { readFileSync } from "node:fs";
import type { InitializeHook, LoadHook, ResolveHook } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { CompiledFile, CompileFileOptions } from "../compile-file.js";
import { compilerIdentity } from "./cache.js";
import { compileAndStore, compilerLoadError, lookUp } from "./compile-cached.js";
import { createFileFilter } from "./file-filter.js";
import type { LoaderOptions } from "./loader-options.js";
import { moduleFormat } from "./module-format.js";

/** What `register()` hands to {@link initialize}. */
export interface HookData {
  readonly options: LoaderOptions;
  /** The package's dist folder: corotask's own files are never compiled. */
  readonly distDir: string;
  readonly version: string;
}

/** Extensions the hook reads and compiles itself (a .tsx file's JSX too). .jsx is not among them: Node does not load that extension. */
export const TYPESCRIPT_EXTENSIONS: readonly string[] = [".ts", ".mts", ".cts", ".tsx"];
export const JAVASCRIPT_EXTENSIONS: readonly string[] = [".js", ".mjs", ".cjs"];

let options: LoaderOptions | null = null;
let compiler = "";
let isIncluded: (file: string) => boolean = () => false;
let compileFile: ((code: string, filename: string, options: CompileFileOptions) => CompiledFile) | null = null;

/** The compiler identity (cache key part) and the include/exclude predicate, as both sides build them. */
export function hookSetup(data: HookData): { compiler: string; isIncluded: (file: string) => boolean } {
  const distDir = data.distDir + path.sep;
  const filter = createFileFilter(data.options.include, data.options.exclude, data.options.cwd);
  return {
    compiler: compilerIdentity(data.version, path.join(data.distDir, "esm", "plugin", "compile-file.js")),
    isIncluded: (file) => !file.startsWith(distDir) && filter(file),
  };
}

/** compile-file.ts's mayContainAsync, repeated: importing that module loads Babel, which a warm start avoids. */
export function mayContainAsync(code: string): boolean {
  return code.includes("async") || code.includes("await");
}

export const initialize: InitializeHook<HookData> = (data) => {
  options = data.options;
  ({ compiler, isIncluded } = hookSetup(data));
};

/** For a relative specifier Node cannot find, the files it most likely means. */
function candidatesFor(specifier: string): string[] {
  const ext = path.posix.extname(specifier);
  const stem = specifier.slice(0, specifier.length - ext.length);
  switch (ext) {
    // TypeScript's own convention: import "./lib.js" names lib.ts.
    case ".js":
      return [`${stem}.ts`, `${stem}.tsx`];
    case ".mjs":
      return [`${stem}.mts`];
    case ".cjs":
      return [`${stem}.cts`];
    case "":
      return [...TYPESCRIPT_EXTENSIONS, ...JAVASCRIPT_EXTENSIONS].map((e) => `${specifier}${e}`).concat(TYPESCRIPT_EXTENSIONS.map((e) => `${specifier}/index${e}`), [`${specifier}/index.js`]);
    default:
      // "./file.config" and the like: an extension Node does not know may be part of the name.
      return /^\.[cm]?[jt]sx?$/.test(ext) ? [] : [`${specifier}.ts`, `${specifier}.js`];
  }
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ERR_MODULE_NOT_FOUND" || code === "ERR_UNSUPPORTED_DIR_IMPORT";
}

/**
 * `error` (Node's, from the next resolve hook) without the stack frames of this file: a missing
 * import is the user's mistake, and Node reports it with its own frames only when no hook runs.
 */
function withoutOwnFrames(error: unknown): unknown {
  const e = error as { stack?: unknown } | null;
  if (e !== null && typeof e === "object" && typeof e.stack === "string") {
    e.stack = e.stack.split("\n").filter((line) => !/^\s+at .*[/\\]plugin[/\\]register[/\\]hooks\.js:/.test(line)).join("\n");
  }
  return error;
}

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const local = specifier.startsWith("./") || specifier.startsWith("../") || specifier.startsWith("/") || specifier.startsWith("file:");
    if (!local || !isNotFound(error)) throw withoutOwnFrames(error);
    for (const candidate of candidatesFor(specifier)) {
      try {
        return await nextResolve(candidate, context);
      } catch (next) {
        if (!isNotFound(next)) throw withoutOwnFrames(next);
      }
    }
    throw withoutOwnFrames(error);
  }
};

export const load: LoadHook = async (url, context, nextLoad) => {
  if (options === null || !url.startsWith("file:")) return nextLoad(url, context);
  const filename = fileURLToPath(url);
  const ext = path.extname(filename).toLowerCase();
  const isTypeScript = TYPESCRIPT_EXTENSIONS.includes(ext);
  if (!(isTypeScript || JAVASCRIPT_EXTENSIONS.includes(ext)) || !isIncluded(filename)) return nextLoad(url, context);
  let source: string;
  if (isTypeScript) {
    source = readFileSync(filename, "utf8");
    // No source: Node loads it with its CommonJS loader, through the require hook.
    if (moduleFormat(filename, source) === "commonjs") return { format: "commonjs", source: undefined, shortCircuit: true };
  } else {
    const loaded = await nextLoad(url, context);
    if (loaded.format !== "module") return loaded;
    source = loaded.source == null ? readFileSync(filename, "utf8") : typeof loaded.source === "string" ? loaded.source : Buffer.from(loaded.source as Uint8Array).toString("utf8");
    if (!mayContainAsync(source)) return loaded;
  }
  const cached = lookUp(source, filename, "module", options, compiler);
  if (cached.code !== null) return { format: "module", source: cached.code, shortCircuit: true };
  // Loaded on the first cache miss only: a start with every file cached never loads Babel.
  if (compileFile === null) {
    try {
      compileFile = (await import("../compile-file.js")).compileFile;
    } catch (error) {
      throw compilerLoadError(error);
    }
  }
  return { format: "module", source: compileAndStore(cached.key, source, filename, "module", options, compileFile), shortCircuit: true };
};

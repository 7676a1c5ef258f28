/**
 * Compiles one source file with the corotask transform (through Babel): the single entry that the
 * CLI, the Node hook and the bundler plugins share, so that they all emit the same code and
 * report bad input the same way.
 */
import { getHeapStatistics } from "node:v8";
import * as babel from "@babel/core";
// @ts-expect-error: the plugin ships no type declarations; it is only passed to Babel.
import reactJsxPlugin from "@babel/plugin-transform-react-jsx";
// @ts-expect-error: the preset ships no type declarations; it is only passed to Babel.
import typescriptPreset from "@babel/preset-typescript";
import babelPlugin from "./babel/plugin.js";
import { COMPILE_FILE_OPTIONS, validateOptions, type Mode } from "./options.js";
import type { RawSourceMap } from "./frame-info.js";
import { CompileError, codeFrame, printable } from "./compile-error.js";
import { deepestNesting, deepNestingReason, isStackOverflow, lineAndColumn } from "./deep-nesting.js";

/** How the emitted code should treat the file: as an ES module, as CommonJS, or decided from its syntax. */
export type ModuleKind = "module" | "commonjs" | "unknown";

/** What {@link compileFile} takes besides the source. */
export interface CompileFileOptions {
  /** The transform's call mode (default `"eager"`). */
  readonly mode?: Mode;
  /** Where emitted code takes its helpers from (default `"corotask"`). */
  readonly runtime?: string;
  /**
   * `true` (the default for the loader and the CLI): TypeScript syntax is removed, so the output
   * is plain JavaScript. `false` (bundlers that compile TypeScript themselves): types are kept.
   */
  readonly stripTypes?: boolean;
  /**
   * `true` (the Node hook, hence `corotask run`: Node runs no JSX): the JSX of a `.tsx` or `.jsx`
   * file becomes `React.createElement` calls, React's classic runtime as Babel compiles it; the
   * file's own `@jsx`/`@jsxFrag` pragmas name other functions, and `@jsxRuntime automatic`
   * (with `@jsxImportSource`) picks the automatic runtime. `false` (the default: bundlers and
   * `corotask build`, whose JSX is the bundler's business): JSX is kept.
   */
  readonly compileJsx?: boolean;
  /** The module kind, when the caller knows it (Node's hooks do); else decided from the file's syntax. */
  readonly moduleKind?: ModuleKind;
  /** A source map of the input, which the output map is chained through. */
  readonly inputSourceMap?: RawSourceMap | null;
  /** Directory that file names in frame infos are relative to (default `process.cwd()`). */
  readonly cwd?: string;
}

/** The compiled code and its source map (to the original source, through any input map). */
export interface CompiledFile {
  readonly code: string;
  readonly map: RawSourceMap | null;
  /** False when nothing was done (no async function, and no types to strip): `code` is then the input. */
  readonly changed: boolean;
}

export { CompileError };

/** Extensions the transform compiles. */
export const SOURCE_EXTENSIONS: readonly string[] = [".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs", ".jsx"];

/** A quick test, before parsing, of whether a file can contain an async function at all. */
export function mayContainAsync(code: string): boolean {
  return code.includes("async") || code.includes("await");
}

/**
 * Compiles `code` (the contents of `filename`) and returns the new code with its source map.
 * Throws {@link CompileError} for a syntax error, with the position and a code frame, and
 * `OptionsError` for a bad option.
 */
export function compileFile(code: string, filename: string, options: CompileFileOptions = {}): CompiledFile {
  if (typeof code !== "string") {
    throw new TypeError(`compileFile takes the source as a string, received ${describe(code)}; read the file with readFileSync(file, "utf8")`);
  }
  if (typeof filename !== "string" || filename === "") throw new TypeError(`compileFile takes the file's name as a string, received ${describe(filename)}`);
  const pluginOptions = validateOptions(options, COMPILE_FILE_OPTIONS);
  const { stripTypes = true, compileJsx = false, moduleKind, inputSourceMap = null, cwd = process.cwd() } = (options ?? {}) as CompileFileOptions;
  const ext = extensionOf(filename);
  const isTs = ext === ".ts" || ext === ".mts" || ext === ".cts" || ext === ".tsx";
  const isJsx = ext === ".tsx" || ext === ".jsx";
  // TypeScript that is to be stripped, and JSX that is to be compiled, must go through Babel even without an async function.
  if (!mayContainAsync(code) && !(isTs && stripTypes) && !(isJsx && compileJsx)) return { code, map: null, changed: false };
  refuseWhatCannotFit(code, filename);
  const kind: ModuleKind = moduleKind ?? (ext === ".cjs" || ext === ".cts" ? "commonjs" : ext === ".mjs" || ext === ".mts" ? "module" : "unknown");
  const presets: babel.PluginItem[] = [];
  const parserPlugins: NonNullable<babel.ParserOptions["plugins"]> = [];
  if (isTs && stripTypes) {
    presets.push([typescriptPreset as babel.PluginItem, { isTSX: isJsx, allExtensions: true, onlyRemoveTypeImports: false, allowDeclareFields: true }]);
  } else if (isTs) {
    parserPlugins.push(isJsx ? ["typescript", { dts: false }] : "typescript");
  }
  if (isJsx) parserPlugins.push("jsx");
  // A plain .js file may be JSX in a bundler's pipeline (React projects): parse it permissively.
  if (ext === ".js" && !isTs) parserPlugins.push("jsx");
  let result: babel.BabelFileResult | null;
  try {
    result = babel.transformSync(code, {
      filename,
      cwd,
      babelrc: false,
      configFile: false,
      sourceType: kind === "module" ? "module" : kind === "commonjs" ? "script" : "unambiguous",
      highlightCode: false,
      sourceMaps: true,
      inputSourceMap: (inputSourceMap ?? undefined) as babel.TransformOptions["inputSourceMap"],
      retainLines: false,
      compact: false,
      parserOpts: { plugins: parserPlugins, allowReturnOutsideFunction: kind === "commonjs" },
      presets,
      plugins: [[babelPlugin, pluginOptions], ...(isJsx && compileJsx ? [jsxPlugin] : [])],
    });
  } catch (error) {
    throw asCompileError(error, code, filename);
  }
  if (!result || result.code == null) return { code, map: null, changed: false };
  return { code: result.code, map: (result.map ?? null) as RawSourceMap | null, changed: true };
}

/**
 * The JSX transform of @babel/preset-react, alone and without its pragma options: given
 * `pragma`, as the preset always gives it in classic mode, the plugin refuses a file's
 * `@jsxRuntime automatic`. Its other plugins (displayName, PURE annotations) serve bundles.
 */
const jsxPlugin: babel.PluginItem = [reactJsxPlugin as babel.PluginItem, { runtime: "classic" }];

// What a compile keeps in memory at its peak, measured (Babel 7, Node 20): Babel's nodes and
// paths take about 230 bytes per byte of source, and each coroutine function about 95 KB more
// (its emitted body and frame info, and their paths). The estimate is good to about 20%: a
// 10 MB file of generated async code needs about 4.5 GB, where V8's default heap is at most 4 GB.
const HEAP_PER_SOURCE_BYTE = 230;
const HEAP_PER_ASYNC_FUNCTION = 95_000;

/**
 * Refuses, with one message, a file too large for this process's heap: compiling it would run
 * the garbage collector for minutes and then abort the process (V8's "heap out of memory" is no
 * error that can be caught). The file compiles once the heap is raised or the file is split.
 */
function refuseWhatCannotFit(code: string, filename: string): void {
  if (code.length < 1_000_000) return;
  let asyncFunctions = 0;
  for (let at = code.indexOf("async"); at >= 0; at = code.indexOf("async", at + 5)) asyncFunctions++;
  const needed = code.length * HEAP_PER_SOURCE_BYTE + asyncFunctions * HEAP_PER_ASYNC_FUNCTION;
  const limit = getHeapStatistics().heap_size_limit;
  if (needed <= limit) return;
  const gb = (bytes: number): string => (bytes / 2 ** 30).toFixed(1);
  // With room for the estimate's error, in whole gigabytes.
  const suggested = Math.ceil((needed * 1.25) / 2 ** 30) * 1024;
  throw new CompileError(
    filename,
    `File too large to compile in this process's memory: ${(code.length / 2 ** 20).toFixed(1)} MB with ${asyncFunctions} async functions ` +
      `needs about ${gb(needed)} GB, and the heap limit is ${gb(limit)} GB; split the file, or raise the limit ` +
      `(NODE_OPTIONS=--max-old-space-size=${suggested})`,
    undefined,
    undefined,
    "",
  );
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
  return typeof value;
}

function extensionOf(filename: string): string {
  const clean = filename.replace(/[?#].*$/, "");
  const dot = clean.lastIndexOf(".");
  return dot < 0 || dot < clean.lastIndexOf("/") ? "" : clean.slice(dot).toLowerCase();
}

interface BabelErrorShape {
  message?: unknown;
  code?: unknown;
  /** Babel's parser: the position (1-based line, 0-based column) and the offset. */
  loc?: { line?: number; column?: number };
  pos?: unknown;
  /** The plugin's own refusals (babel/context.ts's refusal()): the reason alone, and how many columns the construct spans. */
  reason?: unknown;
  span?: unknown;
}

/**
 * Turns Babel's error into a CompileError: the reason, the 1-based position and a plain code
 * frame built here (so that a line of minified code or binary junk shows as a window, not as
 * megabytes). A stack overflow (nesting too deep for Babel's recursive parser and traversal)
 * becomes one message at the start of the deepest nesting.
 */
function asCompileError(error: unknown, code: string, filename: string): unknown {
  const e = error as BabelErrorShape | null;
  if (!e || typeof e.message !== "string") return error;
  if (e.code === "BABEL_UNKNOWN_OPTION" || (e as Error).name === "OptionsError") return error;
  if (isStackOverflow(error)) {
    const deepest = deepestNesting(code);
    if (deepest === null) return new CompileError(filename, deepNestingReason(undefined), undefined, undefined, "");
    const { line, column } = lineAndColumn(code, deepest.offset);
    return new CompileError(filename, deepNestingReason(deepest.depth), line, column, codeFrame(code, line, column));
  }
  // Babel's message is "FILE: REASON (L:C)\n\nFRAME" for a syntax error, "FILE: REASON\nFRAME" for a plugin's.
  let message = e.message;
  const prefix = `${filename}: `;
  if (message.startsWith(prefix)) message = message.slice(prefix.length);
  const line = e.loc?.line;
  const column = e.loc?.column;
  const split = message.indexOf("\n\n");
  let reason = typeof e.reason === "string" ? e.reason : (split < 0 ? message : message.slice(0, split)).replace(/ \(\d+:\d+\)$/, "");
  reason = printable(reason) + binaryHint(code, e.pos);
  if (line === undefined || column === undefined) {
    const frame = split < 0 ? "" : message.slice(split + 2).replace(/\s+$/, "");
    return new CompileError(filename, reason, undefined, undefined, frame);
  }
  const span = typeof e.span === "number" ? e.span : 1;
  return new CompileError(filename, reason, line, column, codeFrame(code, line, column, span));
}

/** For a syntax error at a character that text does not hold (`pos`, the parser's offset): a word on what the file may be. */
function binaryHint(code: string, pos: unknown): string {
  const c = typeof pos === "number" ? code.charCodeAt(pos) : NaN;
  if (c === 0xfffd) return " (U+FFFD stands for bytes that are not UTF-8: is it a binary file, or text in another encoding?)";
  if (c < 32 && c !== 9 && c !== 10 && c !== 13) return " (a control character: is it a binary file?)";
  return "";
}

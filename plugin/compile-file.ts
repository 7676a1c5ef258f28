/**
 * Compiles one source file with the corotask transform (through Babel): the single entry that the
 * CLI, the Node hook and the bundler plugins share, so that they all emit the same code and
 * report bad input the same way.
 */
import * as babel from "@babel/core";
// @ts-expect-error: the preset ships no type declarations; it is only passed to Babel.
import typescriptPreset from "@babel/preset-typescript";
import babelPlugin from "./babel/plugin.js";
import { COMPILE_FILE_OPTIONS, validateOptions, type Mode } from "./options.js";
import type { RawSourceMap } from "./frame-info.js";

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

/** A syntax error (or any error the transform raises for a position) in a user's file. */
export class CompileError extends Error {
  /** The file, as it was given. */
  readonly file: string;
  /** 1-based line and column of the error, when known. */
  readonly line: number | undefined;
  readonly column: number | undefined;
  /** The reason alone, without the position or the code frame. */
  readonly reason: string;
  /** The code frame (plain text, no colours), or "" when there is no position. */
  readonly frame: string;

  constructor(file: string, reason: string, line: number | undefined, column: number | undefined, frame: string) {
    const where = line === undefined ? file : `${file}:${line}:${(column ?? 0) + 1}`;
    super(frame ? `${where}: ${reason}\n\n${frame}` : `${where}: ${reason}`);
    this.file = file;
    this.reason = reason;
    this.line = line;
    this.column = column;
    this.frame = frame;
  }
}
CompileError.prototype.name = "CompileError";

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
  const { stripTypes = true, moduleKind, inputSourceMap = null, cwd = process.cwd() } = (options ?? {}) as CompileFileOptions;
  const ext = extensionOf(filename);
  const isTs = ext === ".ts" || ext === ".mts" || ext === ".cts" || ext === ".tsx";
  // TypeScript that is to be stripped must go through Babel even without an async function.
  if (!mayContainAsync(code) && !(isTs && stripTypes)) return { code, map: null, changed: false };
  const isJsx = ext === ".tsx" || ext === ".jsx";
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
      plugins: [[babelPlugin, pluginOptions]],
    });
  } catch (error) {
    throw asCompileError(error, filename);
  }
  if (!result || result.code == null) return { code, map: null, changed: false };
  return { code: result.code, map: (result.map ?? null) as RawSourceMap | null, changed: true };
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
  loc?: { line?: number; column?: number };
  reasonCode?: unknown;
}

/** Turns Babel's error into a CompileError: the reason, the 1-based position and the plain code frame. */
function asCompileError(error: unknown, filename: string): unknown {
  const e = error as BabelErrorShape | null;
  if (!e || typeof e.message !== "string") return error;
  if (e.code === "BABEL_UNKNOWN_OPTION" || (e as Error).name === "OptionsError") return error;
  const line = e.loc?.line;
  const column = e.loc?.column;
  // Babel's message is "FILE: REASON (L:C)\n\n FRAME"; keep the reason and the frame apart.
  let message = e.message;
  const prefix = `${filename}: `;
  if (message.startsWith(prefix)) message = message.slice(prefix.length);
  const split = message.indexOf("\n\n");
  let reason = split < 0 ? message : message.slice(0, split);
  const frame = split < 0 ? "" : message.slice(split + 2).replace(/\s+$/, "");
  reason = reason.replace(/ \(\d+:\d+\)$/, "");
  return new CompileError(filename, reason, line, column, frame);
}

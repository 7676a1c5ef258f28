/** The transform's options: their defaults and the one place where every option error is raised. */

/** How a compiled coroutine function starts when it is called rather than awaited inline. */
export type Mode = "eager" | "lazy";

/** Options accepted by every integration (Babel plugin, TypeScript transformer, loader, bundlers). */
export interface Options {
  /** `"eager"` (default): a call runs the body to its first suspension and returns a Task. `"lazy"`: a call returns a coroutine. */
  readonly mode?: Mode;
  /** Module specifier the emitted code imports `abi` from (default `"corotask"`), or `"global:NAME"` to read `globalThis.NAME.abi`. */
  readonly runtime?: string;
}

/** Options after validation, every field present. */
export interface ResolvedOptions {
  readonly mode: Mode;
  readonly runtime: string;
}

export const DEFAULT_OPTIONS: ResolvedOptions = Object.freeze({ mode: "eager", runtime: "corotask" });

const MODES: readonly Mode[] = ["eager", "lazy"];

/** An option an integration adds on top of the transform's own, with the check of its value. */
export interface ExtraOption {
  readonly name: string;
  /** True for an accepted value; `undefined` (the integration's default) is always accepted. */
  readonly accepts: (value: unknown) => boolean;
  /** The accepted values in words, for the message (`true or false`). */
  readonly expected: string;
}

/**
 * Options an integration adds on top of the transform's own: a name alone is accepted here and
 * checked by the integration (the loader's and bundlers' include/exclude); an {@link ExtraOption}
 * is checked here.
 */
export type ExtraOptionNames = readonly (string | ExtraOption)[];

/** compileFile's own options (plugin/compile-file.ts), besides `mode` and `runtime`. */
export const COMPILE_FILE_OPTIONS: readonly ExtraOption[] = [
  { name: "stripTypes", accepts: (v) => typeof v === "boolean", expected: "true or false" },
  { name: "compileJsx", accepts: (v) => typeof v === "boolean", expected: "true or false" },
  { name: "moduleKind", accepts: (v) => v === "module" || v === "commonjs" || v === "unknown", expected: '"module", "commonjs" or "unknown"' },
  {
    name: "inputSourceMap",
    accepts: (v) => v === null || (typeof v === "object" && !Array.isArray(v)),
    expected: "a source map object or null",
  },
  { name: "cwd", accepts: (v) => typeof v === "string" && v !== "", expected: "a directory path" },
];

/** Thrown for a bad option; its message names the option and what is accepted. */
export class OptionsError extends Error {}
OptionsError.prototype.name = "OptionsError";

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

/**
 * Checks raw options and returns the transform's own with defaults filled in. `extra` lists the
 * options the calling integration adds: each is accepted, and checked when it comes with its check.
 */
export function validateOptions(raw: unknown, extra: ExtraOptionNames = []): ResolvedOptions {
  if (raw === undefined || raw === null) return DEFAULT_OPTIONS;
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new OptionsError(`corotask options must be an object, received ${show(raw)}`);
  }
  const accepted = ["mode", "runtime", ...extra.map((option) => (typeof option === "string" ? option : option.name))];
  for (const key of Object.keys(raw)) {
    if (!accepted.includes(key)) {
      throw new OptionsError(
        `Unknown corotask option ${JSON.stringify(key)}; accepted options are ${accepted.map((k) => JSON.stringify(k)).join(", ")}`,
      );
    }
  }
  for (const option of extra) {
    if (typeof option === "string") continue;
    const value = (raw as Record<string, unknown>)[option.name];
    if (value !== undefined && !option.accepts(value)) {
      throw new OptionsError(`corotask option ${JSON.stringify(option.name)} must be ${option.expected}, received ${show(value)}`);
    }
  }
  const { mode = DEFAULT_OPTIONS.mode, runtime = DEFAULT_OPTIONS.runtime } = raw as Options;
  if (!MODES.includes(mode)) {
    throw new OptionsError(`corotask option "mode" must be "eager" or "lazy", received ${show(mode)}`);
  }
  if (typeof runtime !== "string" || runtime === "" || runtime === "global:") {
    throw new OptionsError(
      `corotask option "runtime" must be a module specifier such as "corotask", or "global:NAME", received ${show(runtime)}`,
    );
  }
  return { mode, runtime };
}

/** A file filter as the loader and bundler plugins take it (`include`/`exclude`): globs, paths or RegExps. */
export type FilterPattern = string | RegExp | ReadonlyArray<string | RegExp>;

/**
 * Checks the file filter option `name` (`include` or `exclude`): a string, a RegExp, or an array
 * of them. Returns it as given, or undefined when it is absent.
 */
export function validateFilterPattern(name: string, value: unknown): FilterPattern | undefined {
  if (value === undefined || value === null) return undefined;
  const isPattern = (v: unknown): v is string | RegExp => (typeof v === "string" && v !== "") || v instanceof RegExp;
  if (isPattern(value) || (Array.isArray(value) && value.every(isPattern))) return value as FilterPattern;
  throw new OptionsError(
    `corotask option ${JSON.stringify(name)} must be a glob, a RegExp or an array of them, received ${show(value)}`,
  );
}

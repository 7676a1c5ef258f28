/**
 * The Node hook's options: read from environment variables (a `--import` module takes no
 * arguments), checked by the shared validation, and passed to the hooks thread as plain data.
 */
import { OptionsError, validateOptions, type Mode } from "../options.js";

/** What the hooks need, as structured-clonable data (it crosses to the hooks thread). */
export interface LoaderOptions {
  readonly mode: Mode;
  readonly runtime: string;
  /** Globs (relative to `cwd`) of the files to compile; empty: every file. */
  readonly include: readonly string[];
  /** Globs of the files left alone; default `**\/node_modules/**`. */
  readonly exclude: readonly string[];
  /** The on-disk cache directory, or null when caching is off. */
  readonly cacheDir: string | null;
  /** The directory that include/exclude globs and frame-info file names are relative to. */
  readonly cwd: string;
}

/** The environment variables the hook reads, with what each one sets. */
export const ENV_VARIABLES = {
  COROTASK_MODE: "mode",
  COROTASK_RUNTIME: "runtime",
  COROTASK_INCLUDE: "include",
  COROTASK_EXCLUDE: "exclude",
} as const;

/** Default of `exclude` (CONTRACT section 2: everything but node_modules). */
export const DEFAULT_EXCLUDE: readonly string[] = ["**/node_modules/**"];

/** `COROTASK_CACHE_DIR` names the cache directory; `COROTASK_CACHE=0` (or `false`, `off`) turns the cache off. */
export function loaderOptionsFromEnv(env: NodeJS.ProcessEnv, cwd: string, defaultCacheDir: () => string): LoaderOptions {
  const raw: Record<string, unknown> = {};
  for (const [variable, option] of Object.entries(ENV_VARIABLES)) {
    const value = env[variable];
    if (value === undefined || value === "") continue;
    const parsed = option === "include" || option === "exclude" ? splitList(value) : value;
    // One variable at a time, so that the message names the variable that is wrong.
    try {
      validateOptions({ [option]: parsed }, ["include", "exclude"]);
    } catch (error) {
      if (error instanceof OptionsError) throw new OptionsError(`${variable}=${value}: ${error.message}`);
      throw error;
    }
    raw[option] = parsed;
  }
  const resolved = validateOptions(raw, ["include", "exclude"]);
  const cacheOff = /^(0|false|off|no)$/i.test(env.COROTASK_CACHE ?? "");
  return {
    mode: resolved.mode,
    runtime: resolved.runtime,
    include: (raw.include as string[] | undefined) ?? [],
    exclude: (raw.exclude as string[] | undefined) ?? DEFAULT_EXCLUDE,
    cacheDir: cacheOff ? null : env.COROTASK_CACHE_DIR || defaultCacheDir(),
    cwd,
  };
}

/** "a/**, b/*.ts" -> ["a/**", "b/*.ts"]: a list in one variable, comma-separated. */
function splitList(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

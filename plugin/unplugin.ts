/**
 * The bundler plugins: one unplugin factory over {@link compileFile}, which `corotask/vite`,
 * `corotask/rollup`, `corotask/webpack`, `corotask/esbuild` and `corotask/rspack` instantiate.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { createUnplugin, type FilterPattern, type UnpluginContextMeta, type SourceMapCompact, type UnpluginInstance, type UnpluginMessage, type UnpluginOptions } from "unplugin";
import { compileFile, CompileError, SOURCE_EXTENSIONS } from "./compile-file.js";
import { validateFilterPattern, validateOptions, type Mode } from "./options.js";

/** Options of every corotask bundler plugin. */
export interface BundlerPluginOptions {
  /** `"eager"` (default): a call runs the body to its first suspension and returns a Task. `"lazy"`: a call returns a coroutine. */
  readonly mode?: Mode;
  /** Module specifier emitted code imports the runtime from (default `"corotask"`), or `"global:NAME"`. */
  readonly runtime?: string;
  /**
   * Files to compile: globs (relative to the working directory, or starting with `**`), absolute
   * paths or RegExps, tested against the module id. Default: every JS/TS source file.
   */
  readonly include?: FilterPattern;
  /** Files to leave alone, in the same forms; default `/[\\/]node_modules[\\/]/`. Given, it replaces the default. */
  readonly exclude?: FilterPattern;
}

const DEFAULT_EXCLUDE: FilterPattern = [/[\\/]node_modules[\\/]/];
const SOURCE_FILE = new RegExp(`(${SOURCE_EXTENSIONS.map((e) => e.replace(".", "\\.")).join("|")})$`, "i");

// Bundlers that compile TypeScript themselves after this plugin (enforce "pre") get the types
// kept, so that their own TS semantics (tsconfig, decorators, enums) apply; the others cannot
// parse TypeScript at all, so the types are stripped here.
const KEEPS_TYPES: ReadonlySet<string> = new Set(["vite", "rolldown", "esbuild", "bun", "farm"]);

// Rollup-family bundlers print an error's `loc` and `frame` themselves; the others show only
// the message, so it carries the position and the code frame.
const PRINTS_FRAMES: ReadonlySet<string> = new Set(["vite", "rollup", "rolldown"]);

/** The file a module id names: without a query or hash (`?v=123`, `?worker`), with webpack's `\0#` escapes undone. */
function fileOf(id: string): string {
  return id.replace(/\0(?=#)/g, "").replace(/\?.*$/, "");
}

let instances = 0;

// Directory -> root of the corotask package it lies in, or null.
const packageRoots = new Map<string, string | null>();

function corotaskPackageRoot(dir: string): string | null {
  const known = packageRoots.get(dir);
  if (known !== undefined) return known;
  let root: string | null = null;
  try {
    root = (JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: unknown }).name === "corotask" ? dir : null;
  } catch {
    const parent = path.dirname(dir);
    root = parent === dir ? null : corotaskPackageRoot(parent);
  }
  packageRoots.set(dir, root);
  return root;
}

/**
 * True for a file of corotask's own built runtime. It must never be compiled (it holds native
 * async functions on purpose), and a linked or self-referenced package is not under node_modules.
 */
function isCorotaskRuntime(file: string): boolean {
  const root = corotaskPackageRoot(path.dirname(file));
  return root !== null && file.startsWith(path.join(root, "dist") + path.sep);
}

/** The unplugin factory: one set of hooks that every bundler adapter shares. */
export function corotaskUnplugin(rawOptions: BundlerPluginOptions | undefined, meta: UnpluginContextMeta): UnpluginOptions {
  const { mode, runtime } = validateOptions(rawOptions, ["include", "exclude"]);
  const include = validateFilterPattern("include", rawOptions?.include);
  const exclude = validateFilterPattern("exclude", rawOptions?.exclude) ?? DEFAULT_EXCLUDE;
  const framework = meta.framework;
  const stripTypes = !KEEPS_TYPES.has(framework);
  // File names in stacks are relative to the project root where the bundler has one.
  let cwd = process.cwd();
  // webpack and rspack find an instance's hooks by its name: a second instance (other include) needs its own.
  instances++;
  return {
    name: instances === 1 ? "corotask" : `corotask-${instances}`,
    enforce: "pre" as const,
    transform: {
      filter: { id: { include: include === undefined ? [SOURCE_FILE] : [include].flat(), exclude: [exclude].flat() } },
      handler(code, id) {
        // Virtual modules (`\0rolldown/runtime.js`) are not files of the user's.
        if (id.startsWith("\0")) return null;
        const file = fileOf(id);
        if (!SOURCE_FILE.test(file) || isCorotaskRuntime(file)) return null;
        try {
          const result = compileFile(code, file, { mode, runtime, stripTypes, cwd });
          if (!result.changed) return null;
          // Babel names the source relative to its cwd; bundlers resolve it against different
          // directories (webpack: the output's), so name it by its absolute path.
          const map = result.map === null ? null : ({ ...(result.map as SourceMapCompact), sources: [file] } as SourceMapCompact);
          return { code: result.code, map };
        } catch (error) {
          if (!(error instanceof CompileError)) throw error;
          // The bundler reports it with the file, line and code frame, never a stack from here.
          const loc = error.line === undefined ? undefined : { file, line: error.line, column: error.column ?? 0 };
          // The stack is the message alone: a trace of corotask's own frames would only mislead.
          const message: UnpluginMessage & { frame?: string } = PRINTS_FRAMES.has(framework)
            ? { message: error.reason, id: file, loc, frame: error.frame, stack: `CompileError: ${error.message}` }
            : { message: error.message, id: file, loc, stack: `CompileError: ${error.message}` };
          this.error(message);
          return null;
        }
      },
    },
    vite: {
      configResolved(config: { root: string }) {
        cwd = config.root;
      },
    },
    webpack(compiler) {
      cwd = compiler.options.context ?? cwd;
    },
    rspack(compiler) {
      cwd = compiler.options.context ?? cwd;
    },
    esbuild: {
      setup(build) {
        cwd = build.initialOptions.absWorkingDir ?? cwd;
      },
    },
  };
}

/** corotask as an unplugin: `.vite()`, `.rollup()`, `.webpack()`, `.esbuild()`, `.rspack()`, ... */
export const unplugin: UnpluginInstance<BundlerPluginOptions | undefined, false> = createUnplugin(corotaskUnplugin);

export default unplugin;

/**
 * `corotask build SRC... --out-dir DIR`: compiles files and folders with the corotask transform
 * (types stripped) into DIR, keeping the folder structure, each file with its source map.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { compileFile, CompileError, SOURCE_EXTENSIONS, type ModuleKind } from "../compile-file.js";
import type { Mode } from "../options.js";
import { CliError } from "./cli-error.js";

/** Options of {@link buildFiles}. */
export interface BuildOptions {
  readonly outDir: string;
  readonly mode?: Mode;
  readonly runtime?: string;
  /** Where relative paths start (default process.cwd()). */
  readonly cwd?: string;
}

/** What a build did. */
export interface BuildSummary {
  /** Files written. */
  readonly written: number;
  /** Of those, files without an async function, copied as they are. */
  readonly unchanged: number;
  /** Compile errors, one per failed file (their files are not written). */
  readonly errors: readonly CompileError[];
  readonly seconds: number;
}

/** One file to compile and where its output goes (relative to the out dir). */
interface BuildEntry {
  readonly source: string;
  readonly output: string;
}

const OUTPUT_EXTENSION: Record<string, string> = { ".ts": ".js", ".mts": ".mjs", ".cts": ".cjs", ".tsx": ".jsx" };

/**
 * Compiles every source file of `sources`. A folder's files keep their paths below it (as
 * `babel src --out-dir lib`); a file named alone keeps its path relative to the working
 * directory. Folders named node_modules or starting with a dot are skipped, and so are `.d.ts`
 * files and the out dir itself.
 */
export function buildFiles(sources: readonly string[], options: BuildOptions): BuildSummary {
  const started = process.hrtime.bigint();
  const cwd = options.cwd ?? process.cwd();
  const outDir = path.resolve(cwd, options.outDir);
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) {
    throw new CliError(`The --out-dir ${JSON.stringify(options.outDir)} is a file (${outDir}); give a folder to write into`);
  }
  const entries: BuildEntry[] = [];
  for (const source of sources) {
    const absolute = path.resolve(cwd, source);
    if (!existsSync(absolute)) throw new CliError(`Cannot find ${JSON.stringify(source)} (looked for ${absolute}); check the path`);
    if (statSync(absolute).isDirectory()) {
      for (const file of walk(absolute, outDir)) entries.push({ source: file, output: path.relative(absolute, file) });
    } else {
      if (!isSourceFile(absolute)) {
        throw new CliError(`${JSON.stringify(source)} is not a file corotask compiles; it takes ${SOURCE_EXTENSIONS.join(", ")}`);
      }
      const relative = path.relative(cwd, absolute);
      entries.push({ source: absolute, output: relative.startsWith("..") || path.isAbsolute(relative) ? path.basename(absolute) : relative });
    }
  }
  const errors: CompileError[] = [];
  let written = 0;
  let unchanged = 0;
  const packageTypes = new Map<string, ModuleKind>();
  for (const entry of entries) {
    const ext = path.extname(entry.source).toLowerCase();
    const output = path.join(outDir, entry.output.slice(0, entry.output.length - ext.length) + (OUTPUT_EXTENSION[ext] ?? ext));
    const code = fileSystem(() => readFileSync(entry.source, "utf8"), "read", entry.source);
    let result;
    try {
      result = compileFile(code, entry.source, { mode: options.mode, runtime: options.runtime, stripTypes: true, moduleKind: moduleKindOf(entry.source, ext, packageTypes), cwd });
    } catch (error) {
      if (!(error instanceof CompileError)) throw error;
      errors.push(error);
      continue;
    }
    fileSystem(() => mkdirSync(path.dirname(output), { recursive: true }), "write", output);
    if (!result.changed || result.map === null) {
      fileSystem(() => writeFileSync(output, result.code), "write", output);
      unchanged++;
    } else {
      const mapFile = `${output}.map`;
      const map = { ...(typeof result.map === "string" ? (JSON.parse(result.map) as object) : result.map), file: path.basename(output), sources: [path.relative(path.dirname(output), entry.source).split(path.sep).join("/")], sourcesContent: [code] };
      fileSystem(() => writeFileSync(output, `${result.code}\n//# sourceMappingURL=${path.basename(mapFile)}\n`), "write", output);
      fileSystem(() => writeFileSync(mapFile, JSON.stringify(map)), "write", mapFile);
    }
    written++;
  }
  return { written, unchanged, errors, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** Runs a file-system call; its failure (a folder where a file goes, no permission, a full disk) is one message, no stack. */
function fileSystem<T>(call: () => T, what: "read" | "write", file: string): T {
  try {
    return call();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | null)?.code;
    if (typeof code !== "string") throw error;
    throw new CliError(`Cannot ${what} ${file}: ${(error as Error).message}`);
  }
}

function isSourceFile(file: string): boolean {
  return SOURCE_EXTENSIONS.includes(path.extname(file).toLowerCase()) && !/\.d\.[cm]?ts$/i.test(file);
}

function* walk(dir: string, outDir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === "node_modules" || entry.name.startsWith(".") || full === outDir) continue;
      yield* walk(full, outDir);
    } else if (entry.isFile() && isSourceFile(full)) {
      yield full;
    }
  }
}

/** .mjs/.mts and .cjs/.cts say; .js/.ts follow the nearest package.json `type`, else their own syntax. */
function moduleKindOf(file: string, ext: string, cache: Map<string, ModuleKind>): ModuleKind {
  if (ext === ".mjs" || ext === ".mts") return "module";
  if (ext === ".cjs" || ext === ".cts") return "commonjs";
  return packageKind(path.dirname(file), cache);
}

function packageKind(dir: string, cache: Map<string, ModuleKind>): ModuleKind {
  const known = cache.get(dir);
  if (known !== undefined) return known;
  let kind: ModuleKind = "unknown";
  const file = path.join(dir, "package.json");
  if (existsSync(file)) {
    try {
      const type = (JSON.parse(readFileSync(file, "utf8")) as { type?: unknown }).type;
      kind = type === "module" ? "module" : type === "commonjs" ? "commonjs" : "unknown";
    } catch {
      kind = "unknown";
    }
  } else if (path.dirname(dir) !== dir) {
    kind = packageKind(path.dirname(dir), cache);
  }
  cache.set(dir, kind);
  return kind;
}

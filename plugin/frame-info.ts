/**
 * Frame infos: what the transform records of each coroutine function (its name, definition site
 * and await sites), built the same way from either AST, in original-source positions.
 */
import { TraceMap, originalPositionFor, sourceContentFor } from "@jridgewell/trace-mapping";
import * as path from "node:path";

/** One await site or catch site: 1-based line and column, and the trimmed text of that line. */
export interface SiteRecord {
  line: number;
  column: number;
  source?: string;
}

/** The frame info of one coroutine function, as the runtime's `FunctionInfo`. */
export interface FrameInfo {
  name: string;
  file: string;
  line: number;
  column: number;
  /**
   * The line where the function's text ends (0 when it ends in another file than it starts):
   * a raising line read off a stack must lie between `line` and this one (see the runtime's
   * FunctionInfo).
   */
  endLine: number;
  /** The header `toString()` shows (`async function f(a, b = 1)`), see reflection.ts. */
  header: string;
  sites: SiteRecord[];
  catches: SiteRecord[];
}

/** A raw source map, as Babel's `inputSourceMap` or a `//# sourceMappingURL` comment gives it. */
export type RawSourceMap = ConstructorParameters<typeof TraceMap>[0];

/**
 * Maps positions of the code being compiled (0-based columns, as both ASTs give them) to
 * original-source sites, through the input source map when there is one.
 */
export class SourcePositions {
  /** The file name reported for positions with no mapping. */
  readonly file: string;
  readonly #lines: string[];
  readonly #map: TraceMap | null;
  readonly #baseDir: string;
  readonly #cwd: string;
  readonly #mappedFiles = new Map<string, string>();
  readonly #mappedLines = new Map<string, string[] | null>();

  constructor(code: string, filename: string | undefined | null, cwd: string, inputMap?: RawSourceMap | null) {
    this.#cwd = cwd;
    this.file = displayFile(filename, cwd);
    this.#lines = code.split(/\r\n?|\n|\u2028|\u2029/);
    this.#baseDir = filename ? path.dirname(path.resolve(cwd, filename)) : cwd;
    let map: TraceMap | null = null;
    if (inputMap) {
      try {
        map = new TraceMap(inputMap);
      } catch {
        map = null; // An unreadable input map: report generated positions rather than fail the build.
      }
    }
    this.#map = map;
  }

  /** The site of a 1-based line and 0-based column of the compiled code, plus its file. */
  site(line: number, column0: number): SiteRecord & { file: string } {
    if (this.#map) {
      const original = originalPositionFor(this.#map, { line, column: column0 });
      if (original.source !== null && original.line !== null && original.column !== null) {
        const file = this.#mappedFile(original.source);
        const lines = this.#mappedSourceLines(original.source);
        const text = lines?.[original.line - 1]?.trim();
        return { file, line: original.line, column: original.column + 1, ...(text ? { source: text } : {}) };
      }
    }
    const text = this.#lines[line - 1]?.trim();
    return { file: this.file, line, column: column0 + 1, ...(text ? { source: text } : {}) };
  }

  #mappedFile(source: string): string {
    let file = this.#mappedFiles.get(source);
    if (file === undefined) {
      file = /^[a-z][a-z0-9+.-]*:/i.test(source) && !source.startsWith("file:")
        ? source
        : displayFile(path.resolve(this.#baseDir, source.replace(/^file:\/\//, "")), this.#cwd);
      this.#mappedFiles.set(source, file);
    }
    return file;
  }

  #mappedSourceLines(source: string): string[] | null {
    let lines = this.#mappedLines.get(source);
    if (lines === undefined) {
      const content = this.#map ? sourceContentFor(this.#map, source) : null;
      lines = content == null ? null : content.split(/\r\n?|\n/);
      this.#mappedLines.set(source, lines);
    }
    return lines;
  }
}

/** A file name as users recognise it: relative to `cwd` when inside it, else its base name. */
export function displayFile(filename: string | undefined | null, cwd: string): string {
  if (!filename) return "<anonymous>";
  const absolute = path.resolve(cwd, filename);
  const relative = path.relative(cwd, absolute);
  if (relative && !relative.startsWith("..") && !path.isAbsolute(relative)) return relative.split(path.sep).join("/");
  return path.basename(absolute);
}

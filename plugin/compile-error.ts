/**
 * CompileError, the one error every integration raises for a user's file (a syntax error, a
 * construct the transform refuses, nesting too deep to compile), with the plain code frame it
 * carries. Nothing here loads a compiler: the TypeScript transformer uses it as well as Babel's.
 */

/** A syntax error (or any error the transform raises for a position) in a user's file. */
export class CompileError extends Error {
  /** The file, as it was given. */
  readonly file: string;
  /** 1-based line and 0-based column of the error, when known. */
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
    // What went wrong is in the user's file: a trace of corotask's own frames would only mislead.
    this.stack = `${this.name}: ${this.message}`;
  }
}
CompileError.prototype.name = "CompileError";

/** Line breaks as JavaScript counts them (Babel's code frame splits on the same). */
const LINE_BREAK = /\r\n|[\n\r\u2028\u2029]/;

/**
 * Characters a terminal would not show as themselves: C0 and C1 controls but tab, DEL, the
 * zero-width no-break space (a BOM), bidirectional overrides (which would reorder the frame's
 * text on screen) and lone surrogates (which cannot be written as UTF-8).
 */
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `text` with its unprintable characters written as `\uXXXX` escapes: for a reason, which has no caret to keep aligned. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Most characters of a source line a frame shows; a longer line (minified code, binary junk) is cut around the column. */
export const FRAME_LINE_WIDTH = 120;

/**
 * The code frame of `code` at `line` (1-based) and `column` (0-based), in the layout of Babel's
 * (`@babel/code-frame`, no colours): two lines above, the line with `>` and carets under the
 * `span` columns from `column`, three below. Lines longer than {@link FRAME_LINE_WIDTH} are cut to a window around the
 * column, marked with `…`, and characters a terminal would not show as themselves are replaced
 * by U+FFFD, one for one, so the caret stays under its column.
 */
export function codeFrame(code: string, line: number, column: number, span = 1): string {
  const lines = code.split(LINE_BREAK);
  const target = Math.min(Math.max(line, 1), lines.length);
  const start = Math.max(target - 3, 0);
  const end = Math.min(lines.length, target + 3);
  const width = String(end).length;
  const markerText = lines[target - 1] ?? "";
  const col = Math.min(Math.max(column, 0), markerText.length);
  // One window for every line of the frame, so that they stay aligned.
  const from = markerText.length <= FRAME_LINE_WIDTH ? 0 : Math.max(0, Math.min(col - FRAME_LINE_WIDTH / 2, markerText.length - FRAME_LINE_WIDTH));
  const shown = (text: string): string => {
    let cut = from === 0 && text.length <= FRAME_LINE_WIDTH ? text : text.slice(from, from + FRAME_LINE_WIDTH);
    cut = cut.replace(UNPRINTABLE, "\ufffd");
    if (from > 0 && text.length > 0) cut = `…${cut}`;
    if (text.length > from + FRAME_LINE_WIDTH) cut = `${cut}…`;
    return cut;
  };
  const rows: string[] = [];
  for (let index = start; index < end; index++) {
    const number = String(index + 1).padStart(width);
    const text = shown(lines[index]!);
    const body = text.length > 0 ? ` ${text}` : "";
    if (index + 1 !== target) {
      rows.push(`  ${number} |${body}`);
      continue;
    }
    // Babel's marker keeps the line's tabs, so that the caret lines up under tab-indented code.
    const before = shown(markerText).slice(0, col - from + (from > 0 ? 1 : 0)).replace(/[^\t]/g, " ");
    rows.push(`> ${number} |${body}`);
    const carets = Math.max(1, Math.min(span, markerText.length - col, from + FRAME_LINE_WIDTH - col));
    rows.push(`  ${" ".repeat(width)} | ${before}${"^".repeat(carets)}`);
  }
  return rows.join("\n");
}

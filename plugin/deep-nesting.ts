/**
 * Nesting too deep to compile: recognising the stack overflow it causes in a parser or a
 * transform (all of which recurse), and finding where in the file it starts, for the message.
 */

/** True for the error JavaScript raises when the call stack runs out (V8's RangeError). */
export function isStackOverflow(error: unknown): boolean {
  const e = error as { name?: unknown; message?: unknown } | null;
  return e !== null && typeof e === "object" && e.name === "RangeError" && typeof e.message === "string" &&
    e.message.includes("Maximum call stack size exceeded");
}

/** The reason a CompileError gives for nesting too deep to compile. */
export function deepNestingReason(depth: number | undefined): string {
  const levels = depth === undefined ? "" : ` (about ${depth} levels)`;
  return `Expression nested too deeply to compile${levels}: the compiler ran out of stack in it; ` +
    "split it into smaller parts, e.g. with intermediate variables";
}

/** The deepest nesting of a file: where the expression (or run of blocks) that holds it starts, and its depth. */
export interface DeepNesting {
  /** Offset in the text of the start of that expression or block. */
  readonly offset: number;
  /** Brackets, braces and operators open at its deepest point. */
  readonly depth: number;
}

/** Below this depth no parser runs out of stack: a file whose deepest point is shallower gets no position. */
const LEAST_SUSPECT_DEPTH = 100;

// One level of brackets: a statement list (the file, a block, a function or class body), an
// expression bracket (`(`, `[`, an object literal's `{`) or a template's `${`.
const BLOCK = 0;
const BRACKET = 1;
const SUBSTITUTION = 2;

interface Level {
  readonly kind: number;
  /** Offset of the first token of the expression being read at this level, or -1 between expressions. */
  start: number;
  /** Operators read in that expression: each one is a level of the parser's recursion too. */
  operators: number;
  /** For a block: the outermost block of the run of blocks nested directly in each other that it ends, and the run's length. */
  readonly runStart: number;
  readonly runLength: number;
  /** Offset of the bracket that opened this level. */
  readonly opener: number;
}

const STATEMENT_KEYWORDS = new Set([
  "return", "throw", "case", "default", "const", "let", "var", "if", "else", "for", "while", "do", "try", "catch",
  "finally", "switch", "export", "import", "class", "function", "break", "continue", "debugger", "with",
]);
/** Keywords that work as operators (each nests one more level in the parser). */
const OPERATOR_KEYWORDS = new Set(["typeof", "void", "delete", "await", "new", "in", "instanceof", "yield", "of"]);
/** After these keywords an expression may follow, so `/` starts a regular expression and `{` an object. */
const EXPRESSION_KEYWORDS = new Set([...OPERATOR_KEYWORDS, "return", "throw", "case", "extends"]);
/** Block keywords: a `{` after them opens a block. */
const BLOCK_KEYWORDS = new Set(["else", "do", "try", "finally"]);

const isIdentifierChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c === 92 || c === 35 || c >= 128;
const isLineBreak = (c: number): boolean => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

/**
 * Finds the deepest nesting of `code` by a light scan of its text, without a parser (this runs
 * when the parser itself ran out of stack): strings, comments, templates and regular expressions
 * are skipped, brackets are counted, and so are operators, since a chain of them (`1 + 1 + ...`)
 * nests the parser as deeply as brackets do. Returns the start of the expression (or of the run
 * of blocks) that holds the deepest point, or null when nothing nests deeply enough to be the
 * cause. A heuristic: JSX text or an odd regular expression may mislead it.
 */
export function deepestNesting(code: string): DeepNesting | null {
  const levels: Level[] = [{ kind: BLOCK, start: -1, operators: 0, runStart: -1, runLength: 0, opener: -1 }];
  const blockOf: number[] = [0];
  let depth = 0;
  let best: DeepNesting | null = null;
  // Whether an expression may start at the next token (so `/` is a regular expression).
  let expectExpression = true;
  let previous = "";
  // A line break after a complete expression in a block: the next token may start a new statement.
  let lineBreakAfterValue = false;
  const n = code.length;
  let i = 0;

  const top = (): Level => levels[levels.length - 1]!;
  const endExpression = (level: Level): void => {
    depth -= level.operators;
    level.operators = 0;
    level.start = -1;
  };
  const note = (): void => {
    if (best !== null && depth <= best.depth) return;
    const block = levels[blockOf[blockOf.length - 1]!]!;
    // Blocks in blocks (functions in functions) make most of the depth: the run's first block is where it starts.
    const inRun = block.runStart >= 0 && (block.start < 0 || block.runLength * 2 > depth);
    const offset = inRun ? block.runStart : block.start >= 0 ? block.start : top().opener;
    best = { offset: Math.max(offset, 0), depth };
  };
  /** A token begins at `at`: it belongs to the expression of the innermost level. */
  const token = (at: number): void => {
    const level = top();
    if (lineBreakAfterValue && level.kind === BLOCK) endExpression(level);
    lineBreakAfterValue = false;
    if (level.start < 0) level.start = at;
  };
  const open = (kind: number, at: number): void => {
    let runStart = -1;
    let runLength = 0;
    if (kind === BLOCK) {
      const outer = levels[blockOf[blockOf.length - 1]!]!;
      const continues = outer.opener >= 0 && at - outer.opener <= 100 && top() === outer;
      runStart = continues ? outer.runStart : at;
      runLength = continues ? outer.runLength + 1 : 1;
    }
    levels.push({ kind, start: -1, operators: 0, runStart, runLength, opener: at });
    if (kind === BLOCK) blockOf.push(levels.length - 1);
    depth++;
    note();
  };
  const close = (): number => {
    if (levels.length === 1) return BLOCK;
    const level = levels.pop()!;
    depth -= level.operators + 1;
    if (level.kind === BLOCK) blockOf.pop();
    return level.kind;
  };
  const operator = (): void => {
    top().operators++;
    depth++;
    note();
  };
  /** Skips template text from `from` (inside backquotes); returns the offset after it, and opens a level at `${`. */
  const templateText = (from: number): number => {
    let j = from;
    while (j < n) {
      const c = code.charCodeAt(j);
      if (c === 92) j += 2;
      else if (c === 96) return j + 1;
      else if (c === 36 && code.charCodeAt(j + 1) === 123) {
        open(SUBSTITUTION, j);
        return j + 2;
      } else j++;
    }
    return n;
  };

  while (i < n) {
    const c = code.charCodeAt(i);
    if (c === 32 || c === 9 || c === 11 || c === 12 || c === 0xfeff || c === 0xa0) {
      i++;
      continue;
    }
    if (isLineBreak(c)) {
      if (!expectExpression && top().kind === BLOCK) lineBreakAfterValue = true;
      i++;
      continue;
    }
    const next = code.charCodeAt(i + 1);
    if (c === 47 && next === 47) {
      while (i < n && !isLineBreak(code.charCodeAt(i))) i++;
      continue;
    }
    if (c === 47 && next === 42) {
      const end = code.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
      continue;
    }
    const at = i;
    if (c === 39 || c === 34) {
      token(at);
      i++;
      while (i < n) {
        const d = code.charCodeAt(i);
        if (d === 92) i += 2;
        else if (d === c) {
          i++;
          break;
        } else if (isLineBreak(d)) break;
        else i++;
      }
      expectExpression = false;
      previous = "string";
      continue;
    }
    if (c === 96) {
      token(at);
      i = templateText(i + 1);
      expectExpression = top().kind === SUBSTITUTION && top().opener >= at;
      previous = "template";
      continue;
    }
    if (c === 47 && expectExpression) {
      // A regular expression literal: to its closing slash, outside any character class.
      let j = i + 1;
      let inClass = false;
      while (j < n) {
        const d = code.charCodeAt(j);
        if (d === 92) j += 2;
        else if (isLineBreak(d)) break;
        else if (d === 91) (inClass = true), j++;
        else if (d === 93) (inClass = false), j++;
        else if (d === 47 && !inClass) break;
        else j++;
      }
      if (j < n && code.charCodeAt(j) === 47) {
        token(at);
        j++;
        while (j < n && isIdentifierChar(code.charCodeAt(j))) j++;
        i = j;
        expectExpression = false;
        previous = "regexp";
        continue;
      }
    }
    if (isIdentifierChar(c)) {
      let j = i + 1;
      // Numbers take their dots and exponent signs' letters along (1.5e3, 0x1F, 1_000n).
      const numeric = c >= 48 && c <= 57;
      while (j < n && (isIdentifierChar(code.charCodeAt(j)) || (numeric && code.charCodeAt(j) === 46))) j++;
      const word = code.slice(i, j);
      i = j;
      // A property name (`a.return`) is no keyword.
      const keyword = previous !== "." && previous !== "?.";
      if (keyword && STATEMENT_KEYWORDS.has(word) && top().kind === BLOCK) {
        lineBreakAfterValue = false;
        endExpression(top());
        expectExpression = !BLOCK_KEYWORDS.has(word) && word !== "function" && word !== "class";
        previous = word;
        continue;
      }
      token(at);
      if (keyword && OPERATOR_KEYWORDS.has(word)) operator();
      expectExpression = keyword && EXPRESSION_KEYWORDS.has(word);
      previous = word;
      continue;
    }
    // Punctuation.
    if (c === 40 || c === 91) {
      token(at);
      open(BRACKET, at);
      expectExpression = true;
      previous = c === 40 ? "(" : "[";
      i++;
      continue;
    }
    if (c === 123) {
      token(at);
      const object = expectExpression && previous !== "=>" && previous !== "" && previous !== ";" && previous !== "{" && previous !== "}" && !BLOCK_KEYWORDS.has(previous);
      open(object ? BRACKET : BLOCK, at);
      expectExpression = true;
      previous = "{";
      i++;
      continue;
    }
    if (c === 41 || c === 93 || c === 125) {
      const kind = close();
      i++;
      if (kind === SUBSTITUTION) {
        i = templateText(i);
        expectExpression = false;
        previous = "template";
        continue;
      }
      // After a block, a new statement; after a bracket, the end of a value.
      expectExpression = kind === BLOCK;
      if (kind === BLOCK && top().kind === BLOCK) endExpression(top());
      previous = c === 125 ? "}" : ")";
      continue;
    }
    if (c === 59 || c === 44) {
      endExpression(top());
      lineBreakAfterValue = false;
      expectExpression = true;
      previous = c === 59 ? ";" : ",";
      i++;
      continue;
    }
    // An operator: the longest run of operator characters (close enough: `a+-b` counts as one).
    let j = i + 1;
    while (j < n && "=<>!&|^+-*%?:.~".includes(code[j]!) && !(code[j] === "." && code[j - 1] !== "." && code[j - 1] !== "?")) j++;
    if (c === 46 && j === i + 1 && code.charCodeAt(j) >= 48 && code.charCodeAt(j) <= 57) {
      // `.5`: a number.
      token(at);
      while (j < n && isIdentifierChar(code.charCodeAt(j))) j++;
      i = j;
      expectExpression = false;
      previous = "number";
      continue;
    }
    const text = code.slice(i, j);
    i = j;
    if (!"=<>!&|^+-*/%?:.~".includes(text[0]!)) {
      // A character no JavaScript token starts with (`@`, `#` alone, junk): skip it.
      previous = text;
      continue;
    }
    // A continuation of the expression across a line break (`a\n  + b`, `a\n  .b`) is not a new statement.
    if (top().kind !== BLOCK || !lineBreakAfterValue || text === "!" || text === "~") token(at);
    else lineBreakAfterValue = false;
    if (text === ":") {
      top().start = -1;
    } else {
      operator();
      // After an assignment or an arrow, the expression that matters is its right side.
      if (/^(?:[-+*/%&|^]|\*\*|<<|>>>?|&&|\|\||\?\?)?=$/.test(text) || text === "=>") top().start = -1;
    }
    expectExpression = text !== "." && text !== "?." && text !== "++" && text !== "--";
    previous = text;
  }
  const found = best as DeepNesting | null;
  return found !== null && found.depth >= LEAST_SUSPECT_DEPTH ? found : null;
}

/** 1-based line and 0-based column of `offset` in `code`, counting line breaks as JavaScript does. */
export function lineAndColumn(code: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c === 13 && code.charCodeAt(i + 1) === 10) continue;
    if (isLineBreak(c)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart };
}

/**
 * The hostile corpus of test/trust/hostile.test.ts, generated (nothing large is committed): files
 * each tool must refuse with one clear message, and odd but valid files each must compile to code
 * that parses again. Positions are 1-based, columns as printed (FILE:LINE:COLUMN).
 */

/** A file every tool must refuse. */
export interface BrokenInput {
  readonly name: string;
  /** The file's name: its extension decides how it is parsed. */
  readonly file: string;
  /** The file's bytes (the CLI reads them as UTF-8) or its text (for the tools run in-process). */
  readonly contents: () => string | Buffer;
  /** compileFile's and the CLI's reason (CompileError.reason). */
  readonly reason: RegExp;
  /** Where the message must point; undefined: some position, not known in advance. */
  readonly at?: { readonly line: number; readonly column: number };
  /** Text a file cannot hold (a lone surrogate is not UTF-8): the CLI does not get it. */
  readonly inMemoryOnly?: boolean;
  /** Valid TypeScript that only the Babel pipeline refuses (a construct it cannot compile). */
  readonly babelOnly?: boolean;
}

/** A file every tool must compile; where running it is cheap, `call` names the export to call and what it must resolve to. */
export interface ValidInput {
  readonly name: string;
  readonly file: string;
  readonly contents: () => string;
  /** How the output parses again: as a module (default) or a script. */
  readonly sourceType?: "module" | "script";
  /** Text a file cannot hold (a lone surrogate is not UTF-8): the CLI does not get it. */
  readonly inMemoryOnly?: boolean;
  readonly call?: { readonly name: string; readonly args: readonly unknown[]; readonly expected: unknown };
}

/** The text of a broken or valid input, as the in-process tools get it (bytes read as UTF-8, as the CLI does). */
export function textOf(contents: string | Buffer): string {
  return typeof contents === "string" ? contents : contents.toString("utf8");
}

/** Deterministic junk: `n` bytes from a small linear congruential generator. */
export function junkBytes(n: number, seed = 20260): Buffer {
  const bytes = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

/** The nesting the issue names: 10,000 deep. */
export const DEEP = 10_000;

const NESTED_TOO_DEEPLY = /^Expression nested too deeply to compile \(about \d+ levels\): the compiler ran out of stack in it; split it into smaller parts/;

export const BROKEN: readonly BrokenInput[] = [
  {
    name: "a syntax error",
    file: "syntax-error.ts",
    contents: () => "export async function f() {\n  await 1;\n  let = = 2;\n}\n",
    reason: /^Unexpected reserved word 'let'\.$/,
    at: { line: 3, column: 3 },
  },
  {
    name: "an unterminated string",
    file: "unterminated-string.ts",
    contents: () => "export async function f() {\n  return 'abc;\n}\n",
    reason: /^Unterminated string constant\.$/,
    at: { line: 2, column: 10 },
  },
  {
    name: "an unterminated template",
    file: "unterminated-template.js",
    contents: () => "export async function f() {\n  return `abc ${await 1}\n}\n",
    reason: /^Unterminated template\.$/,
    at: { line: 2, column: 25 },
  },
  {
    name: "an unterminated comment",
    file: "unterminated-comment.ts",
    contents: () => "export async function f() {\n  /* never closed\n  await 1;\n",
    reason: /^Unterminated comment\.$/,
    at: { line: 2, column: 3 },
  },
  {
    name: "an escaped keyword",
    file: "escaped-keyword.js",
    contents: () => "export async function f() {\n  return \\u0061wait 1;\n}\n",
    reason: /^Unexpected reserved word 'await'\.$/,
    at: { line: 2, column: 10 },
  },
  {
    name: "random bytes",
    file: "random-bytes.ts",
    contents: () => junkBytes(4000),
    reason: /./,
  },
  {
    name: "a NUL byte",
    file: "nul-byte.ts",
    contents: () => "export async function f() {\n  await 1;\u0000\n}\n",
    reason: /^Unexpected character '\\u0000'\. \(a control character: is it a binary file\?\)$/,
    at: { line: 2, column: 11 },
  },
  {
    name: "UTF-16 text (a BOM, then NUL bytes between the letters)",
    file: "utf16.ts",
    contents: () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("export async function f() { await 1; }\n", "utf16le")]),
    reason: /^Unexpected character '\uFFFD'\. \(U\+FFFD stands for bytes that are not UTF-8: is it a binary file, or text in another encoding\?\)$/,
    at: { line: 1, column: 1 },
  },
  {
    name: "a lone UTF-16 surrogate",
    file: "lone-surrogate.ts",
    contents: () => "export async function f() {\n  const \ud800 = await 1;\n}\n",
    reason: /^Unexpected character '\\ud800'\.$/,
    at: { line: 2, column: 9 },
    inMemoryOnly: true,
  },
  {
    name: "a UTF-8 BOM followed by a syntax error",
    file: "bom-then-error.ts",
    contents: () => "\ufeffexport async function f() {\n  let = = 2;\n}\n",
    reason: /^Unexpected reserved word 'let'\.$/,
    at: { line: 2, column: 3 },
  },
  {
    name: "CRLF line ends and a syntax error",
    file: "crlf.ts",
    contents: () => "export async function f() {\r\n  await 1;\r\n  let = = 2;\r\n}\r\n",
    reason: /^Unexpected reserved word 'let'\.$/,
    at: { line: 3, column: 3 },
  },
  {
    name: `1 + await 1 + await 1 ..., ${DEEP} deep`,
    file: "deep-await-chain.ts",
    contents: () => `export async function f() {\n  return 1${" + await 1".repeat(DEEP)};\n}\n`,
    reason: NESTED_TOO_DEEPLY,
    at: { line: 2, column: 10 },
  },
  {
    name: `(((...))), ${DEEP} deep`,
    file: "deep-parens.ts",
    contents: () => `export async function f() {\n  const x = await 1;\n  return ${"(".repeat(DEEP)}x${")".repeat(DEEP)};\n}\n`,
    reason: NESTED_TOO_DEEPLY,
    at: { line: 3, column: 10 },
  },
  {
    name: `[[[...]]], ${DEEP} deep`,
    file: "deep-arrays.js",
    contents: () => `export async function f() {\n  return ${"[".repeat(DEEP)}await 1${"]".repeat(DEEP)};\n}\n`,
    reason: NESTED_TOO_DEEPLY,
    at: { line: 2, column: 10 },
  },
  {
    name: "a construct the transform refuses (an async arrow using this and super in a static field)",
    file: "refused-construct.ts",
    contents: () => "class A {}\nexport class B extends A {\n  static f = async () => { this.name; super.name; await 1; };\n}\n",
    reason: /^corotask cannot compile an async arrow that uses both `this` and `super` in a static field or static block; make it a static async method$/,
    at: { line: 3, column: 14 },
    babelOnly: true,
  },
  {
    name: "a 10 MB line of minified code with a syntax error at its end",
    file: "minified-10mb.js",
    contents: () => {
      const statements: string[] = [];
      for (let i = 0, size = 0; size < 10 * 2 ** 20; i++) {
        const s = `var a${i}=${i};`;
        statements.push(s);
        size += s.length;
      }
      return `${statements.join("")}async function f(){let = = 2}\n`;
    },
    reason: /^Unexpected reserved word 'let'\.$/,
  },
];

/** Nesting that is deep but within what Babel's recursion (and TypeScript's) handles: it must compile. */
const DEEP_BUT_COMPILABLE = { brackets: 100, chain: 300 };

export const VALID: readonly ValidInput[] = [
  {
    name: "a UTF-8 BOM followed by code",
    file: "bom.ts",
    contents: () => "\ufeffexport async function f(): Promise<number> {\n  return await 41 + 1;\n}\n",
    call: { name: "f", args: [], expected: 42 },
  },
  {
    name: "unicode identifiers",
    file: "unicode.ts",
    contents: () => "export async function ñandú(π: number) {\n  const 𝑥 = await π;\n  return 𝑥 * 2;\n}\nexport const ℮ = async (ä: number) => (await ñandú(ä)) + 1;\n",
    call: { name: "℮", args: [20], expected: 41 },
  },
  {
    name: "`await` as an identifier in a script",
    file: "await-identifier.cjs",
    contents: () => "var await = 20;\nasync function twice(n) {\n  return 2 * await n;\n}\nexports.f = function () { return twice(await + 1); };\n",
    sourceType: "script",
    call: { name: "f", args: [], expected: 42 },
  },
  {
    name: "`async` as an identifier, and a line break that keeps it one",
    file: "async-identifier.js",
    contents: () => "var async = 1;\nasync\nfunction f() { return async; }\nexport const g = async () => f() + async;\n",
    call: { name: "g", args: [], expected: 2 },
  },
  {
    name: "a 4 MB string literal",
    file: "huge-string.ts",
    contents: () => `export async function f() {\n  const s = "${"x".repeat(4 * 2 ** 20)}";\n  await null;\n  return s.length;\n}\n`,
    call: { name: "f", args: [], expected: 4 * 2 ** 20 },
  },
  {
    name: `nesting of plain expressions, ${DEEP_BUT_COMPILABLE.brackets} brackets and ${DEEP_BUT_COMPILABLE.chain} operators deep`,
    file: "deep-but-compilable.ts",
    contents: () => {
      const { brackets, chain } = DEEP_BUT_COMPILABLE;
      return [
        "export async function f(a: number) {",
        `  const parens = ${"(".repeat(brackets)}a${")".repeat(brackets)};`,
        `  const arrays = ${"[".repeat(brackets)}a${"]".repeat(brackets)};`,
        `  const sum = a${" + 1".repeat(chain)};`,
        `  const awaited = a${" + await 1".repeat(chain / 3)};`,
        `  return [parens, JSON.stringify(arrays).length, sum, awaited];`,
        "}",
        "",
      ].join("\n");
    },
    call: {
      name: "f",
      args: [1],
      expected: [1, 2 * DEEP_BUT_COMPILABLE.brackets + 1, DEEP_BUT_COMPILABLE.chain + 1, DEEP_BUT_COMPILABLE.chain / 3 + 1],
    },
  },
  {
    name: "a string holding a lone surrogate",
    file: "surrogate-string.ts",
    contents: () => "export async function f() {\n  const s = '\ud800';\n  await null;\n  return s.charCodeAt(0);\n}\n",
    call: { name: "f", args: [], expected: 0xd800 },
    inMemoryOnly: true,
  },
  {
    name: "line separators (U+2028) as line ends",
    file: "line-separators.js",
    contents: () => "export async function f() {\u2028  const x = await 1;\u2029  return x + 1;\u2028}\n",
    call: { name: "f", args: [], expected: 2 },
  },
  {
    name: "a shebang line",
    file: "shebang.js",
    contents: () => "#!/usr/bin/env node\nexport async function f() {\n  return await 7;\n}\n",
    call: { name: "f", args: [], expected: 7 },
  },
  { name: "an empty file", file: "empty.ts", contents: () => "" },
  { name: "only comments that mention async and await", file: "comments.ts", contents: () => "// async function f() { await 1 }\n/* await */\n" },
];

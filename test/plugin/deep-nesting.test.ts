/** plugin/deep-nesting.ts: where a file nests deepest, found without a parser; the stack overflow it causes. */
import { deepestNesting, isStackOverflow, lineAndColumn } from "../../plugin/deep-nesting.js";

const N = 3000;

/** The line and 1-based column deepestNesting reports for `code`. */
function start(code: string): string | null {
  const found = deepestNesting(code);
  if (found === null) return null;
  const { line, column } = lineAndColumn(code, found.offset);
  return `${line}:${column + 1}`;
}

describe("deepestNesting", () => {
  test.each([
    ["an operator chain", `async function f() {\n  return 1${" + await 1".repeat(N)};\n}\n`, "2:10"],
    ["parentheses", `const x = 1;\nasync function f() {\n  return ${"(".repeat(N)}x${")".repeat(N)};\n}\n`, "3:10"],
    ["brackets after an assignment", `let y;\ny = ${"[".repeat(N)}1${"]".repeat(N)};\n`, "2:5"],
    ["object literals", `const o = ${"{a:".repeat(N)}1${"}".repeat(N)};\n`, "1:11"],
    ["calls", `f(${"g(".repeat(N)}1${")".repeat(N)});\n`, "1:1"],
    ["template substitutions", `x = ${"`${".repeat(N)}1${"}`".repeat(N)};\n`, "1:5"],
    ["functions in functions", `x;\n${"function a(){".repeat(N)}${"}".repeat(N)}\n`, "2:13"],
  ])("finds the start of %s", (_, code, at) => {
    expect(start(code)).toBe(at);
  });

  test("skips strings, comments, templates and regular expressions", () => {
    const noise = `const s = "((((" + '[[[[' + \`{{{{\`; // ((((\n/* [[[[ */ const r = /\\((((/g;\n`;
    expect(start(`${noise}const z = ${"(".repeat(N)}1${")".repeat(N)};\n`)).toBe("3:11");
  });

  test("a file that nests no deeper than ordinary code has no position to give", () => {
    expect(deepestNesting("async function f() { return [(1 + 2) * 3, { a: [4] }]; }\n")).toBeNull();
  });
});

test("isStackOverflow is true for V8's stack overflow only", () => {
  const recurse = (n: number): number => recurse(n + 1) + 1;
  let overflow: unknown;
  try {
    recurse(0);
  } catch (error) {
    overflow = error;
  }
  expect(isStackOverflow(overflow)).toBe(true);
  expect(isStackOverflow(new RangeError("Invalid array length"))).toBe(false);
  expect(isStackOverflow(null)).toBe(false);
});

test("lineAndColumn counts every JavaScript line break: LF, CRLF, CR, U+2028, U+2029", () => {
  expect(lineAndColumn("a\nb\r\nc\rd\u2028e\u2029f", 12)).toEqual({ line: 6, column: 1 });
});

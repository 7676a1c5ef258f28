/** plugin/compile-error.ts: CompileError's message, and code frames as Babel lays them out, windowed for long lines. */
import { codeFrameColumns } from "@babel/code-frame";
import { CompileError, codeFrame, FRAME_LINE_WIDTH, printable } from "../../plugin/compile-error.js";

describe("codeFrame", () => {
  const code = "async function f() {\n  await 1;\n  let = = 2;\n}\n";

  test("a short line's frame is Babel's, character for character", () => {
    expect(codeFrame(code, 3, 2)).toBe(codeFrameColumns(code, { start: { line: 3, column: 3 } }, { highlightCode: false }));
    expect(codeFrame(code, 1, 0)).toBe(codeFrameColumns(code, { start: { line: 1, column: 1 } }, { highlightCode: false }));
    expect(codeFrame(code, 3, 2, 3)).toBe(codeFrameColumns(code, { start: { line: 3, column: 3 }, end: { line: 3, column: 6 } }, { highlightCode: false }));
  });

  test("a long line shows as a window around the column, marked with ellipses, the caret under the column", () => {
    const line = "x".repeat(5000) + "BAD" + "y".repeat(5000);
    const frame = codeFrame(`${line}\n`, 1, 5000);
    const [marked, caret] = frame.split("\n");
    expect(marked!.length).toBeLessThan(FRAME_LINE_WIDTH + 12);
    expect(marked).toMatch(/^> 1 \| …x+BADy+…$/);
    expect(marked!.indexOf("BAD")).toBe(caret!.indexOf("^"));
  });

  test("characters a terminal would not show are replaced one for one, so the caret stays under its column", () => {
    const frame = codeFrame("a\u0000b\u202ec\ud800d\ufeffe !\n", 1, 11);
    expect(frame.split("\n")[0]).toBe("> 1 | a\ufffdb\ufffdc\ufffdd\ufffde !");
    expect(frame.split("\n")[1]).toBe("    |            ^");
  });
});

describe("printable", () => {
  test("escapes control characters, bidirectional overrides and lone surrogates, and leaves the rest", () => {
    expect(printable("Unexpected character '\u0000' '\u202e' '\ud800' 'é' '😀'")).toBe("Unexpected character '\\u0000' '\\u202e' '\\ud800' 'é' '😀'");
  });
});

describe("CompileError", () => {
  test("its message is FILE:LINE:COLUMN: REASON and the frame; its stack is the message alone", () => {
    const error = new CompileError("/p/a.ts", "Unexpected token", 3, 2, "> 3 | x\n    |   ^");
    expect(error.message).toBe("/p/a.ts:3:3: Unexpected token\n\n> 3 | x\n    |   ^");
    expect(error.stack).toBe(`CompileError: ${error.message}`);
    expect(new CompileError("/p/a.ts", "Too large", undefined, undefined, "").message).toBe("/p/a.ts: Too large");
  });
});

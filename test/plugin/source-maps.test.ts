/**
 * Output source maps: with `sourceMaps: true` the code the plugin emits maps back to the original
 * file — each await's `yield` to its `await`, a function's emitted body and public function to its
 * definition, a thrown error's stack position to its `throw` line — also when the input is itself
 * compiled (an `inputSourceMap` from a TypeScript step) and when a later step (CommonJS) follows.
 */
import * as babel from "@babel/core";
import { TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";
import babelPlugin from "../../plugin/babel/plugin.js";
import * as runtime from "../../runtime/index.js";
import { executeProgram } from "../support/pipelines.js";

type RawMap = ConstructorParameters<typeof TraceMap>[0];

interface Position {
  line: number;
  /** 0-based, as source maps count. */
  column: number;
}

/**
 * The position of the first `needle` after `anchor` in `text`: the yields an await of a call
 * emits (`_t = f(...), ... ? (_t = yield* _t, _z(_t, _k) ? (..., yield _t) : _t) : yield _t`) all read
 * alike, so they are found from the start of their await.
 */
function positionAfter(text: string, anchor: string, needle: RegExp): Position {
  const start = text.indexOf(anchor);
  if (start < 0) throw new Error(`${JSON.stringify(anchor)} not found in:\n${text}`);
  const found = needle.exec(text.slice(start));
  if (found === null) throw new Error(`${needle} not found after ${JSON.stringify(anchor)}`);
  const index = start + found.index;
  const before = text.slice(0, index).split("\n");
  return { line: before.length, column: before[before.length - 1]!.length };
}

/** The original position of each yield an await of a call emits (found from `anchor`). */
function originalsOfDelegation(map: RawMap, code: string, anchor: string) {
  const trace = new TraceMap(map);
  return ([[/yield\* _t\d*/, 0], [/yield _t\d*\)/, 0], [/: yield _t\d*/, 2]] as const).map(([needle, offset]) => {
    const at = positionAfter(code, anchor, needle);
    const { source, line, column } = originalPositionFor(trace, { line: at.line, column: at.column + offset });
    return { source, line, column };
  });
}

/** The position of the `occurrence`-th `needle` in `text`, shifted `offset` characters into it. */
function positionOf(text: string, needle: string, offset = 0, occurrence = 1): Position {
  let index = -1;
  for (let n = 0; n < occurrence; n++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`${JSON.stringify(needle)} (occurrence ${occurrence}) not found in:\n${text}`);
  }
  index += offset;
  const before = text.slice(0, index).split("\n");
  return { line: before.length, column: before[before.length - 1]!.length };
}

/** Where the generated `needle` (at `offset` into it) comes from, per `map`. */
function originalOf(map: RawMap, code: string, needle: string, offset = 0, occurrence = 1) {
  const { source, line, column } = originalPositionFor(new TraceMap(map), positionOf(code, needle, offset, occurrence));
  return { source, line, column };
}

function compile(code: string, filename: string, options: babel.TransformOptions = {}) {
  const result = babel.transformSync(code, {
    filename,
    cwd: "/project",
    babelrc: false,
    configFile: false,
    sourceType: "module",
    sourceMaps: true,
    plugins: [babelPlugin],
    ...options,
  })!;
  return { code: result.code!, map: result.map as unknown as RawMap };
}

describe("output source maps (plain JavaScript)", () => {
  const SOURCE = [
    'import { sleep } from "corotask";',
    "export async function load(url) {",
    "  const a = await fetchIt(url);",
    "  const b = await sleep(1);",
    '  if (!a) throw new Error("no data");',
    "  return a + (await b);",
    "}",
    "const handler = async (x) => {",
    "  for await (const v of x) use(v);",
    "};",
    "class Store {",
    "  async save(item) {",
    "    await item.flush();",
    "  }",
    "}",
    "export { handler, Store };",
    "",
  ].join("\n");
  const { code, map } = compile(SOURCE, "/project/src/app.js");
  const original = (needle: string, offset = 0) => ({ source: "app.js", ...positionOf(SOURCE, needle, offset) });

  test("the map names the original file", () => {
    expect((map as { sources: string[] }).sources).toEqual(["app.js"]);
  });

  test("the `yield` emitted for `await b` maps to its `await`", () => {
    expect(originalOf(map, code, "yield (_sr.at = 2, b)")).toEqual(original("await b"));
  });

  test.each([
    ["await fetchIt(url)", "_t = fetchIt"],
    ["await sleep(1)", "_t = sleep"],
    ["await item.flush()", "_o = item"],
  ])("each `yield` emitted for `%s` (delegating or not) maps to its `await`", (awaitText, anchor) => {
    const want = original(awaitText);
    expect(originalsOfDelegation(map, code, anchor)).toEqual([want, want, want]);
  });

  test("the operand of an await keeps its own position", () => {
    expect(originalOf(map, code, "fetchIt, _b", 0)).toEqual(original("fetchIt(url)"));
  });

  test("the emitted `for await` loop maps to the original `for await`", () => {
    expect(originalOf(map, code, "for (; !(yield* _ais(")).toEqual(original("for await"));
    expect(originalOf(map, code, "yield* _ais(")).toEqual(original("for await"));
  });

  test("a function definition: its emitted body and its public function map to the definition", () => {
    // `async function load` starts at `async` (after `export `).
    expect(originalOf(map, code, "*load(url)")).toEqual(original("async function load"));
    expect(originalOf(map, code, "var _load = ")).toEqual(original("async function load"));
    expect(originalOf(map, code, "_af(_load, ")).toMatchObject({ source: "app.js", line: 2 });
    // The arrow becomes `_af(_cb({ *handler(x) {...} }.handler, ...))`.
    expect(originalOf(map, code, "= _af(_cb({", 2)).toEqual(original("async (x) =>"));
    expect(originalOf(map, code, "*handler(x)")).toEqual(original("async (x) =>"));
    // A class method stays a (generator) method.
    expect(originalOf(map, code, "*save(item)")).toEqual(original("async save"));
  });

  test("the `throw` statement maps to its original line", () => {
    expect(originalOf(map, code, "throw new Error")).toEqual(original("throw new Error"));
    expect(originalOf(map, code, "new Error")).toEqual(original("new Error"));
  });
});

describe("output source maps (async generators, await using)", () => {
  const SOURCE = [
    "export async function* numbers(source) {",
    "  yield 1;",
    "  yield* source;",
    "  return later();",
    "}",
    "export async function useIt(open) {",
    "  {",
    "    await using handle = open();",
    "    handle.touch();",
    "  }",
    "}",
    "",
  ].join("\n");
  const { code, map } = compile(SOURCE, "/project/src/gen.js");
  const original = (needle: string) => ({ source: "gen.js", ...positionOf(SOURCE, needle) });

  test("an async generator's own yield, yield* and return map to the original statements", () => {
    expect(originalOf(map, code, "yield (_agy.value = 1")).toEqual(original("yield 1"));
    expect(originalOf(map, code, "yield* _agd(source)")).toEqual(original("yield* source"));
    expect(originalOf(map, code, "yield (_t = later()")).toEqual(original("later()"));
  });

  test("`await using`: the scope, the declaration and the disposing yield map to the declaration", () => {
    expect(originalOf(map, code, "const _usings = ")).toEqual(original("await using"));
    expect(originalOf(map, code, "yield* _usings.dispose(")).toEqual(original("await using"));
    expect(originalOf(map, code, "handle.touch()")).toEqual(original("handle.touch()"));
  });
});

describe("a thrown error's stack position maps back through plugin and CommonJS steps", () => {
  const SOURCE = [
    "async function fail(n) {",
    "  await null;",
    "  if (n > 0) {",
    '    throw new Error("boom");',
    "  }",
    "}",
    "export async function main() {",
    "  await fail(1);",
    "}",
    "",
  ].join("\n");

  test("the V8 position of `new Error` in the compiled program maps to line 4 of the original", async () => {
    const step1 = compile(SOURCE, "/project/src/fail.js");
    const step2 = compile(step1.code, "/project/src/fail.js", {
      inputSourceMap: step1.map as never,
      plugins: [require.resolve("@babel/plugin-transform-modules-commonjs")],
    });
    const exports = executeProgram(step2.code, { corotask: runtime }, "compiled-fail.js");
    let error: Error | undefined;
    try {
      await runtime.run(() => (exports.main as () => never)(), { virtualTime: true });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toBe("boom");
    const frame = /compiled-fail\.js:(\d+):(\d+)/.exec(error!.stack!);
    expect(frame).not.toBeNull();
    // `new Function` puts two wrapper lines before the body; stack columns are 1-based.
    const generated = { line: Number(frame![1]) - 2, column: Number(frame![2]) - 1 };
    expect(step2.code.split("\n")[generated.line - 1]).toContain('throw new Error("boom")');
    const { source, line, column } = originalPositionFor(new TraceMap(step2.map), generated);
    expect({ source, line, column }).toEqual({ source: "fail.js", ...positionOf(SOURCE, 'new Error("boom")') });
  });
});

describe("with an input source map from a TypeScript step", () => {
  const TS = [
    "interface Item {",
    "  flush(): Promise<void>;",
    "}",
    "type Url = string;",
    "",
    "export async function load(url: Url, item: Item): Promise<number> {",
    "  const a: number = await fetchIt(url);",
    "  await item.flush();",
    '  if (!a) throw new Error("no data");',
    "  return a;",
    "}",
    "",
    "export const first = async <T,>(xs: T[]): Promise<T> => {",
    "  return await xs[0]!;",
    "};",
    "declare function fetchIt(url: string): Promise<number>;",
    "",
  ].join("\n");
  // The earlier step: types stripped (lines move up), with its own map to app.ts.
  const ts = babel.transformSync(TS, {
    filename: "/project/src/app.ts",
    cwd: "/project",
    babelrc: false,
    configFile: false,
    sourceMaps: true,
    presets: [require.resolve("@babel/preset-typescript")],
  })!;
  const { code, map } = compile(ts.code!, "/project/src/app.ts", { inputSourceMap: ts.map as never });
  const original = (needle: string, offset = 0) => ({ source: "app.ts", ...positionOf(TS, needle, offset) });

  test("the earlier step really moved lines (so the test can tell the two apart)", () => {
    expect(positionOf(ts.code!, "await fetchIt").line).not.toBe(positionOf(TS, "await fetchIt").line);
  });

  test("the output map points into the original TypeScript file", () => {
    expect((map as { sources: string[] }).sources).toEqual(["app.ts"]);
  });

  test("the `yield` emitted for `await xs[0]` maps to its `await` in app.ts", () => {
    expect(originalOf(map, code, "yield (_t2 = xs[0]")).toEqual(original("await xs[0]"));
  });

  test.each([
    ["await fetchIt(url)", "_t = fetchIt"],
    ["await item.flush()", "_o = item"],
  ])("each `yield` emitted for `%s` maps to its `await` in app.ts", (awaitText, anchor) => {
    const want = original(awaitText);
    expect(originalsOfDelegation(map, code, anchor)).toEqual([want, want, want]);
  });

  test("function definitions and the throw map to app.ts", () => {
    expect(originalOf(map, code, "*load(url, item)")).toEqual(original("async function load"));
    expect(originalOf(map, code, "*first(xs)")).toEqual(original("async <T,>"));
    expect(originalOf(map, code, "throw new Error")).toEqual(original("throw new Error"));
  });

  test("frame infos report app.ts positions too", () => {
    const at = positionOf(TS, "await fetchIt");
    expect(code).toContain(`file: "src/app.ts",\n  line: ${positionOf(TS, "async function load").line},`);
    expect(code).toContain(`line: ${at.line},\n    column: ${at.column + 1},\n    source: "const a: number = await fetchIt(url);"`);
  });
});

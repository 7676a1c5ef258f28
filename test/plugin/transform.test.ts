/** The Babel plugin's behaviour beyond what the fixtures pin: headers, ordering with other transforms, errors, positions. */
import * as babel from "@babel/core";
import babelPlugin from "../../plugin/babel/plugin.js";
import { transformWithPlugin } from "../support/pipelines.js";
import { OWN_NAME_CASES, constAssignments, ownNameScript, runOwnNameScript } from "../support/own-name-cases.js";

const FILE = "/project/src/app.js";

/** The emitted code after the frame-info table (whose source texts quote the input). */
function codeAfterInfos(out: string): string {
  const end = out.indexOf("}];\n");
  return end < 0 ? out : out.slice(end + 4);
}

function transform(code: string, options: babel.TransformOptions = {}, pluginOptions: object = {}): string {
  return babel.transformSync(code, {
    filename: FILE,
    cwd: "/project",
    babelrc: false,
    configFile: false,
    // Plain code frames, whatever the terminal (CI=true makes Babel colour them).
    highlightCode: false,
    ...options,
    plugins: [...(options.plugins ?? []), [babelPlugin, pluginOptions]],
  })!.code!;
}

describe("the runtime header", () => {
  test("a file without async functions comes out unchanged, with no runtime import", () => {
    const code = "function f() {\n  return 1;\n}\nconst g = () => 2;";
    expect(transform(code)).toBe(code);
  });

  test("an ES module imports abi from the runtime module", () => {
    expect(transform("async function f() {}")).toMatch(/^import \{ abi as _ct \} from "corotask";/);
  });

  test("the runtime option changes the module specifier", () => {
    expect(transform("async function f() {}", {}, { runtime: "./rt.js" })).toMatch(/^import \{ abi as _ct \} from "\.\/rt\.js";/);
  });

  test("a CommonJS script requires the runtime", () => {
    expect(transform("async function f() {}", { sourceType: "script" })).toMatch(/^const \{\s*abi: _ct\s*\} = require\("corotask"\);/);
  });

  test("a module that reads require, module or exports and has no import or export of its own is CommonJS: it requires the runtime", () => {
    const required = /^const \{\s*abi: _ct\s*\} = require\("corotask"\);/;
    for (const use of ['const fs = require("fs");', "module.exports = {};", "exports.x = 1;"]) {
      expect(transform(`${use}\nasync function f() {}`)).toMatch(required);
    }
  });

  test("a module with an import or export of its own imports the runtime, whatever CommonJS names it reads", () => {
    const imported = /^import \{ abi as _ct \} from "corotask";/m;
    for (const declaration of ['import x from "x";', "export const x = 1;", "export default 1;", 'export * from "x";', "export {};"]) {
      expect(transform(`${declaration}\nconst fs = require("fs");\nasync function f() {}`)).toMatch(imported);
    }
    // TypeScript's own module forms, as the plugin sees them before a TypeScript preset strips them.
    const ts = { filename: "/project/src/app.ts", parserOpts: { plugins: ["typescript" as const] } };
    expect(transform('import fs = require("fs");\nmodule.hot;\nasync function f() {}', ts)).toMatch(imported);
    expect(transform("async function f() {}\nmodule.hot;\nexport = f;", ts)).toMatch(imported);
  });

  test("runtime global:NAME reads the abi from globalThis.NAME", () => {
    expect(transform("async function f() {}", { sourceType: "script" }, { runtime: "global:__corotask" })).toMatch(
      /^const _ct = globalThis\.__corotask\.abi;/,
    );
  });

  test("the header follows the program's directives and leading imports", () => {
    const out = transform('"use client";\nimport a from "a";\nimport b from "b";\nasync function f() {}');
    expect(out.split("\n").slice(0, 4)).toEqual(['"use client";', "", 'import a from "a";', 'import b from "b";']);
    expect(out).toMatch(/import b from "b";\nimport \{ abi as _ct \} from "corotask";/);
  });

  test("a plain (not async) named function expression that writes its own name is left as written", () => {
    const out = transform("const f = function g() {\n  g = 1;\n  return typeof g;\n};\nasync function h() {}");
    expect(out).toContain("const f = function g() {\n  g = 1;\n  return typeof g;\n};");
  });

  test("names already used in the file are not shadowed", () => {
    const out = transform("const _ct = 1, _sr = 2;\nasync function f() { await _ct; }");
    expect(out).toMatch(/import \{ abi as _ct2 \} from "corotask";/);
    expect(out).toMatch(/_sr2 = _ct2\.siteRegister/);
  });
});

describe("what is left alone", () => {
  test("module top-level await stays native", () => {
    const out = transform("const x = await fetchIt();\nexport { x };");
    expect(out).toBe("const x = await fetchIt();\nexport { x };");
  });

  test("a top-level await beside a compiled function stays native", () => {
    const out = transform("async function f() { await 1; }\nawait f();");
    expect(out).toMatch(/\nawait f\(\);$/);
  });

  test("no async keyword and no await remain inside compiled code", () => {
    const out = codeAfterInfos(transform("async function f() { const g = async () => await 1; class C { async m() { await g(); } } return { async n() { await 2; } }; }"));
    expect(out).not.toMatch(/\basync\b/);
    expect(out).not.toMatch(/\bawait\b/);
  });
});

describe("running with other transforms", () => {
  test("it runs before preset-env's async transforms, whatever the order in the config", () => {
    const code = "export async function f(x) { return await x; }\nexport const g = async () => { await f(1); };";
    const out = babel.transformSync(code, {
      filename: FILE,
      babelrc: false,
      configFile: false,
      presets: [[require.resolve("@babel/preset-env"), { targets: "chrome 50", modules: false }]],
      plugins: [require.resolve("@babel/plugin-transform-async-to-generator"), babelPlugin],
    })!.code!;
    expect(out).not.toMatch(/asyncToGenerator/);
    expect(out).toMatch(/_cb\(/);
    expect(out).toMatch(/_af\(/);
  });

  test("preset-typescript strips the types of compiled functions", () => {
    const out = babel.transformSync("export async function f(this: Window, x: number): Promise<number> { return (await x) as number; }", {
      filename: "/project/a.ts",
      babelrc: false,
      configFile: false,
      presets: [require.resolve("@babel/preset-typescript")],
      plugins: [babelPlugin],
    })!.code!;
    expect(codeAfterInfos(out)).not.toMatch(/: number|Promise<|Window/);
    expect(out).toMatch(/\*f\(x\)/);
  });
});

describe("frame infos", () => {
  test("record the definition site, each await site and catch site, with the line's text", () => {
    const out = transform("async function load(url) {\n  try {\n    return await get(url);\n  } catch (e) {\n    return null;\n  }\n}");
    expect(out).toContain('name: "load",\n  file: "src/app.js",\n  line: 1,\n  column: 1,');
    expect(out).toContain('line: 3,\n    column: 12,\n    source: "return await get(url);"');
    expect(out).toContain('catches: [{\n    line: 4,\n    column: 5,\n    source: "} catch (e) {"');
  });

  test("class members are named Class.member", () => {
    const out = transform("class Server { async handle() {} static async start() {} async #drain() {} }");
    expect(out).toContain('name: "Server.handle"');
    expect(out).toContain('name: "Server.start"');
    expect(out).toContain('name: "Server.#drain"');
  });

  test("a file outside cwd is reported by its base name", () => {
    const out = babel.transformSync("async function f() {}", { filename: "/elsewhere/lib/x.js", cwd: "/project", babelrc: false, configFile: false, plugins: [babelPlugin] })!.code!;
    expect(out).toContain('file: "x.js"');
  });

  test("positions follow the input source map to the original file", () => {
    // What a TypeScript compile of original.ts (5 lines) to this JS (2 lines) would map: the
    // await on generated line 2, column 35 comes from original line 4, column 10.
    const generated = "async function f(u) {\n  const r = 1; return 2 + (await g(u)); }";
    const map = {
      version: 3,
      sources: ["original.ts"],
      sourcesContent: ["// header\nasync function f(u: string) {\n  const r = 1;\n  return 2 + (await g(u));\n}"],
      names: [],
      // gen 1:0 -> src 2:0; gen 2:26 (the await) -> src 4:14
      mappings: "AACA;0BAEc",
    };
    const out = babel.transformSync(generated, {
      filename: "/project/src/out.js",
      cwd: "/project",
      babelrc: false,
      configFile: false,
      inputSourceMap: map as never,
      plugins: [babelPlugin],
    })!.code!;
    expect(out).toContain('file: "src/original.ts",\n  line: 2,\n  column: 1,');
    expect(out).toContain('line: 4,\n    column: 15,\n    source: "return 2 + (await g(u));"');
  });
});

describe("bad input", () => {
  test("a syntax error is Babel's message with a code frame, not a corotask stack", () => {
    let error: Error | undefined;
    try {
      transformWithPlugin("async function f() {\n  await = 1;\n}", "/project/bad.js");
    } catch (e) {
      error = e as Error;
    }
    expect(error).toBeDefined();
    expect(error!.message).toMatch(/bad\.js: .*\(2:/);
    expect(error!.message).toContain("> 2 |   await = 1;");
    expect(error!.stack ?? "").not.toMatch(/plugin\/babel/);
  });

  test("an async declaration directly in a switch case is a compile error naming the construct and position", () => {
    expect(() => transform("switch (x) { case 1: async function f() {} }")).toThrow(
      /app\.js: corotask cannot compile an async function declaration directly inside a switch case[^\n]*\n[\s\S]*1 \| switch/,
    );
  });
});

describe("sloppy-mode async functions", () => {
  test("`yield` used as an identifier is renamed, or read from globalThis, so the body still parses and runs", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { executeProgram } = require("../support/pipelines.js") as typeof import("../support/pipelines.js");
    const runtime = await import("../../runtime/index.js");
    const code = transform(
      [
        "async function local(a) { var yield = 1; yield += await a; return yield; }",
        "async function param(yield) { return yield + 1; }",
        // A parameter the body never reads: no identifier in the body leads to its binding.
        "async function unread(yield) { await null; return arguments.length; }",
        "async function global() { return typeof yield; }",
        "module.exports = { local, param, unread, global };",
      ].join("\n"),
      { sourceType: "script" },
    );
    expect(() => babel.parseSync(code, { sourceType: "script", babelrc: false, configFile: false })).not.toThrow();
    const exports = executeProgram(code, { corotask: runtime }) as Record<string, (x?: number) => PromiseLike<unknown>>;
    expect(await exports.local!(41)).toBe(42);
    expect(await exports.param!(1)).toBe(2);
    expect(await exports.unread!(1)).toBe(1);
    expect(await exports.global!()).toBe("undefined");
  });

  test("eval assigning a named function expression's own name is ignored silently, as natively", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { executeProgram } = require("../support/pipelines.js") as typeof import("../support/pipelines.js");
    const runtime = await import("../../runtime/index.js");
    const code = transform(
      [
        "var valueOf = 5;",
        "var f = async function named() { eval('named = 1'); await null; return typeof named + ' ' + (named === f) + ' ' + typeof valueOf; };",
        "module.exports = { f };",
      ].join("\n"),
      { sourceType: "script" },
    );
    const exports = executeProgram(code, { corotask: runtime }) as Record<string, () => PromiseLike<unknown>>;
    // The name still reads the function after the ignored assignment, and Object.prototype's
    // names (valueOf) do not shadow the program's own through the scope that implements it.
    expect(await exports.f!()).toBe("function true number");
  });
});

// Sloppy code ignores a write to a named function expression's own name, strict code throws
// TypeError after evaluating what native code evaluates; the emitted `const` is never assigned
// (bundlers that check const assignments refuse that). Fixtures, being modules, pin only strict code.
describe.each([["sloppy", false], ["strict", true]] as const)("writes to a named function expression's own name in %s code", (_kind, strict) => {
  test.each(OWN_NAME_CASES)("%s", async (body) => {
    const source = ownNameScript(body, strict);
    const code = transform(source, { sourceType: "script" });
    expect(constAssignments(code)).toEqual([]);
    expect(await runOwnNameScript(code)).toEqual(await runOwnNameScript(source));
  });
});

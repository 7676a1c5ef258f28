/**
 * The runtime header of a CommonJS file parsed as a module (issue 7 part 4): `require()`, not
 * `import`, in both front ends, so that Node keeps loading the file as CommonJS.
 */
import * as runtime from "../../runtime/index.js";
import { runtimeImportKind } from "../../plugin/module-kind.js";
import ts from "typescript";
import { executeProgram, transformWithPlugin, transformWithTypeScript } from "../support/pipelines.js";

const COMMONJS_SOURCE = [
  'const path = require("node:path");',
  "async function greet(name) { await null; return `hello ${name} from ${path.basename('/a/b.js')}`; }",
  "module.exports = { greet };",
].join("\n");

describe("runtimeImportKind", () => {
  test("a module with import or export declarations imports the runtime", () => {
    expect(runtimeImportKind({ parsedAsModule: true, hasImportOrExport: true, usesCommonJsGlobals: true })).toBe("import");
  });
  test("a module without import/export that uses require, module or exports requires it", () => {
    expect(runtimeImportKind({ parsedAsModule: true, hasImportOrExport: false, usesCommonJsGlobals: true })).toBe("require");
  });
  test("a module with neither imports the runtime", () => {
    expect(runtimeImportKind({ parsedAsModule: true, hasImportOrExport: false, usesCommonJsGlobals: false })).toBe("import");
  });
  test("a script always requires it", () => {
    expect(runtimeImportKind({ parsedAsModule: false, hasImportOrExport: false, usesCommonJsGlobals: false })).toBe("require");
  });
});

describe("the Babel plugin on a CommonJS file under sourceType module", () => {
  const out = transformWithPlugin(COMMONJS_SOURCE, "/project/lib.js");

  test("requires the runtime and has no import", () => {
    expect(out).toMatch(/^const \{\s*abi: _ct\s*\} = require\("corotask"\);/);
    expect(out).not.toMatch(/\bimport\b/);
  });

  test("runs as CommonJS as it is, its exports intact", async () => {
    const exports = executeProgram(out, { corotask: runtime, "node:path": require("node:path") }, "lib.js") as {
      greet(name: string): PromiseLike<string>;
    };
    await expect(exports.greet("ada")).resolves.toBe("hello ada from b.js");
  });

  test("a file that exports keeps its import even when it also reads require", () => {
    const esm = transformWithPlugin('const x = require("x");\nexport async function f() { await x; }', "/project/m.js");
    expect(esm).toMatch(/^import \{ abi as _ct \} from "corotask";/);
  });

  test("a declared local named module does not make a file CommonJS", () => {
    const esm = transformWithPlugin("const module = {};\nasync function f() { await module; }", "/project/m.js");
    expect(esm).toMatch(/^import \{ abi as _ct \} from "corotask";/);
  });
});

describe("the TypeScript transformer's runtime header", () => {
  const esm = { module: ts.ModuleKind.ESNext };

  test("a CommonJS file emitted as ESM output requires the runtime and runs as CommonJS", async () => {
    const { code } = transformWithTypeScript(COMMONJS_SOURCE, "/project/lib.js", {}, esm);
    expect(code).toMatch(/const \{ abi: _ct \} = require\("corotask"\);/);
    expect(code).not.toMatch(/\bimport\b/);
    const exports = executeProgram(code, { corotask: runtime, "node:path": require("node:path") }, "lib.js") as {
      greet(name: string): PromiseLike<string>;
    };
    await expect(exports.greet("ada")).resolves.toBe("hello ada from b.js");
  });

  test("an ES module emitted as ESM imports the runtime", () => {
    const { code } = transformWithTypeScript('const x = require("x");\nexport async function f() { await x; }', "/project/m.ts", {}, esm);
    expect(code).toMatch(/^import \{ abi as _ct \} from "corotask";/m);
  });

  test("CommonJS output always requires it (TypeScript's module transform would not rewrite an added import)", () => {
    const { code } = transformWithTypeScript('import { x } from "x";\nexport async function f() { await x; }', "/project/m.ts", {});
    expect(code).toMatch(/const \{ abi: _ct \} = require\("corotask"\);/);
  });

  test("runtime global:NAME reads the abi from globalThis.NAME", () => {
    const { code } = transformWithTypeScript("async function f() {}", "/project/m.ts", { runtime: "global:__corotask" }, esm);
    expect(code).toMatch(/const _ct = globalThis\.__corotask\.abi;/);
  });

  test("a file without async functions gets no runtime header", () => {
    const { code } = transformWithTypeScript("export function f(): number { return 1; }", "/project/m.ts", {}, esm);
    expect(code).not.toMatch(/corotask|_ct/);
  });
});

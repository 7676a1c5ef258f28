/**
 * The TypeScript transformer beyond what the fixtures pin: TypeScript-only forms (decorators),
 * the type-aware fast path, source maps, and bad input (syntax errors stay the compiler's
 * diagnostics, bad options are the shared OptionsError, TypeScript 7 fails at load).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";
import ts from "typescript";
import * as runtime from "../../runtime/index.js";
import corotask, { name, version } from "../../plugin/typescript/index.js";
import { assertTransformerApi } from "../../plugin/typescript/transformer.js";
import { OptionsError } from "../../plugin/options.js";
import { executeProgram, transformWithTypeScript } from "../support/pipelines.js";
import { OWN_NAME_CASES, constAssignments, ownNameScript, runOwnNameScript } from "../support/own-name-cases.js";

type Exports = Record<string, (...args: any[]) => any>;

function load(code: string): Exports {
  return executeProgram(code, { corotask: runtime }, "input.ts") as Exports;
}

/** The line (1-based) of the first occurrence of `needle` in `text`. */
function lineOf(text: string, needle: string | RegExp): { line: number; column: number } {
  const index = typeof needle === "string" ? text.indexOf(needle) : text.search(needle);
  if (index < 0) throw new Error(`${needle} not found in:\n${text}`);
  const before = text.slice(0, index).split("\n");
  return { line: before.length, column: before[before.length - 1]!.length };
}

describe("TypeScript-only forms", () => {
  test("experimental decorators on a class and its async methods see the compiled public function", async () => {
    const source = `
      const seen: string[] = [];
      function sealed(ctor: Function) { seen.push("class " + ctor.name); }
      function logged(_target: object, key: string, descriptor: PropertyDescriptor) {
        const original = descriptor.value;
        seen.push(key + " " + original.toString());
        descriptor.value = function (this: unknown, ...args: unknown[]) { seen.push("call " + key); return original.apply(this, args); };
      }
      @sealed
      class Service {
        constructor(private readonly base: number) {}
        @logged
        async add(x: number): Promise<number> { await null; return this.base + x; }
      }
      export async function main() { const value = await new Service(40).add(2); return [value, seen]; }
    `;
    const { code, diagnostics } = transformWithTypeScript(source, "/project/input.ts", {}, { experimentalDecorators: true });
    expect(diagnostics).toEqual([]);
    const result = await runtime.run(() => load(code).main!());
    expect(result).toEqual([42, ["add async add(x) { [native code] }", "class Service", "call add"]]);
  });

  test("parameter properties and a typed this parameter keep their meaning", async () => {
    const source = `
      class Counter { constructor(public count = 0) {} }
      export async function bump(this: Counter, by: number): Promise<number> { await null; return (this.count += by); }
      export const counter = new Counter(1);
    `;
    const exports = load(transformWithTypeScript(source, "/project/input.ts").code);
    await expect(exports.bump!.call(exports.counter, 2)).resolves.toBe(3);
  });
});

// As the Babel plugin (transform.test.ts): sloppy code ignores a write to a named function
// expression's own name, strict code throws; the emitted `const` is never assigned. The file is
// a script, strict by a directive or by TypeScript's alwaysStrict (on by default).
describe.each<[string, boolean, ts.CompilerOptions]>([
  ["a sloppy script (alwaysStrict false)", false, { alwaysStrict: false }],
  ['a "use strict" script', true, { alwaysStrict: false }],
  ["a script under alwaysStrict", false, {}],
])("writes to a named function expression's own name in %s", (_kind, directive, options) => {
  test.each(OWN_NAME_CASES)("%s", async (body) => {
    const source = ownNameScript(body, directive);
    const { code, diagnostics } = transformWithTypeScript(source, "/project/input.js", {}, { ignoreDeprecations: "6.0", ...options });
    expect(diagnostics).toEqual([]);
    expect(constAssignments(code)).toEqual([]);
    const strict = directive || options.alwaysStrict !== false;
    expect(await runOwnNameScript(code)).toEqual(await runOwnNameScript(strict && !directive ? `"use strict";\n${source}` : source));
  });
});

describe("the type-aware fast path", () => {
  const source = `
    async function leaf(n: number): Promise<number> { await null; return n; }
    export async function viaImport(f: typeof leaf) { return await f(1); }
    export async function direct() { return await leaf(2); }
  `;

  test("an await of a local coroutine declaration calls its body directly, with no dynamic check", () => {
    const { code } = transformWithTypeScript(source, "/project/input.ts");
    expect(code).toMatch(/_t\w* = _leaf\(2\), _df\(/);
  });

  test("an await of a callee the checker cannot prove keeps the dynamic form", () => {
    const { code } = transformWithTypeScript(source, "/project/input.ts");
    expect(code).toMatch(/_b\w* = \(_t\w*\?\.\[_B\] \?\? _t\w*\), _t\w* = _b\w*\(1\), _d\(/);
  });

  test("an imported coroutine function proved by the checker skips the check (_t[_B], _df)", () => {
    const files: Record<string, string> = {
      "/p/lib.ts": "export async function leaf(n: number): Promise<number> { await null; return n; }\n",
      "/p/main.ts": 'import { leaf } from "./lib";\nexport async function main() { return await leaf(3); }\n',
    };
    const options: ts.CompilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, noLib: true, types: [], outDir: "/out" };
    const host = ts.createCompilerHost(options);
    host.getSourceFile = (f) => (files[f] === undefined ? undefined : ts.createSourceFile(f, files[f]!, ts.ScriptTarget.ES2022, true));
    host.fileExists = (f) => files[f] !== undefined;
    host.readFile = (f) => files[f];
    host.directoryExists = (d) => d === "/p";
    host.getCurrentDirectory = () => "/p";
    const out: Record<string, string> = {};
    host.writeFile = (f, text) => (out[path.basename(f)] = text);
    const program = ts.createProgram(["/p/main.ts", "/p/lib.ts"], options, host);
    program.emit(undefined, undefined, undefined, false, { before: [corotask(program)] });
    expect(out["main.js"]).toMatch(/_b\w* = _t\w*\[_B\], _t\w* = _b\w*\(3\), _df\(/);
    const lib = load(out["lib.js"]!);
    const main = executeProgram(out["main.js"]!, { corotask: runtime, "./lib": lib }, "main.js") as Exports;
    return expect(runtime.run(() => main.main!())).resolves.toBe(3);
  });
});

describe("source maps", () => {
  const source = [
    'import { createTask, sleep } from "corotask";',
    "interface Options {",
    "  depth: number;",
    "}",
    "type Pair = [string, number];",
    "export async function fail(options: Options): Promise<Pair> {",
    "  const pair: Pair = [\"x\", options.depth];",
    "  await null;",
    "  throw new Error(\"bad \" + pair[0]);",
    "}",
    "export async function probe(): Promise<string[]> {",
    "  const task = createTask(fail({ depth: 1 }));",
    "  await sleep(0);",
    "  const frames = task.getStack().map((f) => `${f.functionName}:${f.lineNumber}`);",
    "  try { await task; } catch { frames.push(\"raised\"); }",
    "  return frames;",
    "}",
  ].join("\n");
  const { code, map } = transformWithTypeScript(source, "/project/input.ts", {}, { sourceMap: true });

  test("the yield of an await and the throw after it map back to their .ts lines", () => {
    const trace = new TraceMap(JSON.parse(map!));
    const yieldAt = lineOf(code, /\(yield \(_sr\.at = 0, null\)\)/);
    expect(originalPositionFor(trace, yieldAt)).toMatchObject({ line: 8 });
    const throwAt = lineOf(code, "throw new Error");
    expect(originalPositionFor(trace, throwAt)).toMatchObject({ line: 9, column: 2 });
  });

  test("frame infos carry .ts positions: getStack() shows the original await line (this stack is in generated positions under the .ts name: its raising line, past the function's end, is not believed)", async () => {
    const exports = load(code);
    await expect(runtime.run(() => exports.probe!())).resolves.toEqual(["fail:8", "raised"]);
  });
});

describe("bad input", () => {
  test("a syntax error is the compiler's diagnostic, with file and position; the transform does not throw", () => {
    const { diagnostics } = transformWithTypeScript("async function broken() {\n  const x = await;\n}\n", "/project/broken.ts");
    expect(diagnostics.length).toBeGreaterThan(0);
    const first = diagnostics[0]!;
    expect(first.file?.fileName).toBe("/project/broken.ts");
    expect(ts.getLineAndCharacterOfPosition(first.file!, first.start!).line).toBe(1);
    expect(ts.flattenDiagnosticMessageText(first.messageText, "\n")).toBe("Expression expected.");
  });

  test("type errors stay the compiler's: the file is still transformed and runs", async () => {
    const { code } = transformWithTypeScript("export async function f(): Promise<number> { const s: string = 1 as any as number; return await s; }", "/project/t.ts");
    await expect(runtime.run(() => load(code).f!())).resolves.toBe(1);
  });

  test("an ES5 target is refused with what to do instead (TypeScript's ES5 generators are not frames)", () => {
    expect(() => transformWithTypeScript("export async function f() {}", "/project/es5.ts", {}, { target: ts.ScriptTarget.ES5 })).toThrow(
      /corotask\/typescript needs "target": "es2015" or later, found ES5 in \/project\/es5\.ts.*preset-env/,
    );
  });

  test("bad options throw the shared OptionsError naming the option", () => {
    expect(() => corotask(undefined, { mode: "fast" })).toThrow(OptionsError);
    expect(() => corotask(undefined, { mode: "fast" })).toThrow('corotask option "mode" must be "eager" or "lazy", received "fast"');
    expect(() => corotask(undefined, { modes: "lazy" })).toThrow(/Unknown corotask option "modes"/);
  });

  test("ts-patch's own keys next to the options are accepted", () => {
    expect(() => corotask(undefined, { transform: "corotask/typescript", after: false, mode: "lazy" })).not.toThrow();
  });

  test("ts-jest's cache key: name and version are exported", () => {
    expect(name).toBe("corotask");
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("TypeScript 7", () => {
  test("the check names the version and both ways on", () => {
    expect(() => assertTransformerApi({ version: "7.0.2" })).toThrow(
      /TypeScript 5\.x or 6\.x, but "typescript" is version 7\.0\.2.*"typescript": "npm:@typescript\/typescript6@\^6".*Babel plugin \(corotask\/babel\), the Node loader \(corotask\/register\) or a bundler plugin/,
    );
    expect(() => assertTransformerApi(ts)).not.toThrow();
  });

  test("loading corotask/typescript where typescript is 7 fails at once, in require and import", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "corotask-ts7-"));
    try {
      mkdirSync(path.join(dir, "node_modules/typescript/lib"), { recursive: true });
      // What typescript@7 exports from its main entry: only its version.
      writeFileSync(path.join(dir, "node_modules/typescript/package.json"), JSON.stringify({ name: "typescript", version: "7.0.2", main: "lib/version.cjs" }));
      writeFileSync(path.join(dir, "node_modules/typescript/lib/version.cjs"), 'module.exports = { version: "7.0.2", versionMajorMinor: "7.0" };');
      // corotask as installed: its package.json and dist, without this repository's node_modules.
      const root = path.resolve(__dirname, "../..");
      mkdirSync(path.join(dir, "node_modules/corotask"));
      writeFileSync(path.join(dir, "node_modules/corotask/package.json"), readFileSync(path.join(root, "package.json")));
      symlinkSync(path.join(root, "dist"), path.join(dir, "node_modules/corotask/dist"), "dir");
      symlinkSync(path.join(root, "node_modules/@jridgewell"), path.join(dir, "node_modules/@jridgewell"), "dir");
      for (const code of ['require("corotask/typescript")', 'import("corotask/typescript").catch((e) => { console.error(e.message); process.exit(1); })']) {
        let message = "(loaded)";
        try {
          execFileSync(process.execPath, ["--preserve-symlinks", "-e", code], { cwd: dir, encoding: "utf8", stdio: "pipe" });
        } catch (error) {
          message = String((error as { stderr: string }).stderr);
        }
        expect(message).toMatch(/"typescript" is version 7\.0\.2, which has no transformer API/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The four ways into the TypeScript transformer, each by building a small project and running
 * it with Node: `program.emit` (TypeScript 6.0 and 5.9, CommonJS and ESM, ES2015 to ES2022),
 * `tspc` under ts-patch 4 (TS 6) and ts-patch 3 (TS 5.9), ts-loader under webpack, and ts-jest's
 * `astTransformers`. The project proves it ran as corotask coroutines (a Task, `currentTask()`
 * inside, toString of the header), not as native async functions.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import ts from "typescript";
import ts59 from "typescript59";
import { makeCorotask } from "../../plugin/typescript/transformer.js";
import type { TypeScript } from "../../plugin/typescript/context.js";

const ROOT = path.resolve(__dirname, "../..");
const MODULES = path.join(ROOT, "node_modules");

const MAIN_TS = `import { currentTask, sleep } from "corotask";
enum Greeting { Hello = "hello" }
class Greeter {
  declare readonly kind: string;
  constructor(private readonly greeting: Greeting) {}
  async greet<T extends string>(name: T): Promise<string> {
    await sleep(0);
    return \`\${this.greeting} \${name} inTask=\${currentTask() !== null}\`;
  }
}
export async function main(): Promise<string> {
  const greeter = new Greeter(Greeting.Hello) satisfies Greeter;
  return await greeter.greet("ada");
}
`;
const RUN_TS = `import { main } from "./main";
const task = main();
task.then((text) => console.log(JSON.stringify({ text, cancellable: typeof (task as any).cancel === "function", header: String(main) })));
`;
const EXPECTED = { text: "hello ada inTask=true", cancellable: true, header: "async function main() { [native code] }" };

let workDir: string;
beforeAll(() => {
  if (!existsSync(path.join(ROOT, "dist/cjs/plugin/typescript/index.js"))) throw new Error("dist is missing: run `npm run build` first (npm test does)");
  workDir = mkdtempSync(path.join(os.tmpdir(), "corotask-ts-"));
});
afterAll(() => {
  if (process.env.KEEP_TS_PROJECTS !== "1") rmSync(workDir, { recursive: true, force: true });
});

/** A project folder with src/main.ts and src/run.ts, and node_modules links (`corotask` is this package). */
function project(name: string, links: Record<string, string> = {}, esm = false): string {
  const dir = path.join(workDir, name);
  mkdirSync(path.join(dir, "src"), { recursive: true });
  mkdirSync(path.join(dir, "node_modules"), { recursive: true });
  writeFileSync(path.join(dir, "src/main.ts"), MAIN_TS);
  writeFileSync(path.join(dir, "src/run.ts"), esm ? RUN_TS.replace('"./main"', '"./main.js"') : RUN_TS);
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, private: true, ...(esm ? { type: "module" } : {}) }));
  for (const [link, target] of Object.entries({ corotask: ROOT, ...links })) symlinkSync(target, path.join(dir, "node_modules", link), "dir");
  return dir;
}

function runNode(file: string, args: string[] = []): unknown {
  const out = execFileSync(process.execPath, [...args, file], { encoding: "utf8", cwd: path.dirname(file) });
  return JSON.parse(out.trim().split("\n").pop()!);
}

function emitWith(compiler: TypeScript, dir: string, options: ts.CompilerOptions): ts.Diagnostic[] {
  const files = ["src/main.ts", "src/run.ts"].map((f) => path.join(dir, f));
  const full = { outDir: path.join(dir, "out"), rootDir: path.join(dir, "src"), strict: true, skipLibCheck: true, types: [], ...options } as ts.CompilerOptions;
  const program = (compiler as unknown as typeof ts).createProgram(files, full);
  const corotask = makeCorotask(compiler);
  const result = program.emit(undefined, undefined, undefined, false, { before: [corotask(program as never) as never] });
  return [...result.diagnostics];
}

describe("program.emit with before: [corotask(program)]", () => {
  const cases: Array<[string, TypeScript, ts.ScriptTarget, ts.ModuleKind]> = [
    ["TS 6.0, ES2022, CommonJS", ts as unknown as TypeScript, ts.ScriptTarget.ES2022, ts.ModuleKind.CommonJS],
    ["TS 6.0, ES2022, ESM", ts as unknown as TypeScript, ts.ScriptTarget.ES2022, ts.ModuleKind.ESNext],
    ["TS 6.0, ES2017, CommonJS", ts as unknown as TypeScript, ts.ScriptTarget.ES2017, ts.ModuleKind.CommonJS],
    ["TS 6.0, ES2015, ESM", ts as unknown as TypeScript, ts.ScriptTarget.ES2015, ts.ModuleKind.ES2015],
    ["TS 5.9, ES2020, CommonJS", ts59 as unknown as TypeScript, ts.ScriptTarget.ES2020, ts.ModuleKind.CommonJS],
    ["TS 5.9, ES2022, ESM", ts59 as unknown as TypeScript, ts.ScriptTarget.ES2022, ts.ModuleKind.ESNext],
  ];
  test.each(cases)("%s: the output runs as corotask coroutines", (label, compiler, target, module) => {
    const esm = module !== ts.ModuleKind.CommonJS;
    const dir = project(`emit-${label.replace(/\W+/g, "-")}`, {}, esm);
    const diagnostics = emitWith(compiler, dir, { target, module, moduleResolution: esm ? ts.ModuleResolutionKind.Bundler : ts.ModuleResolutionKind.Node10, ignoreDeprecations: "6.0" });
    expect(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))).toEqual([]);
    const main = readFileSync(path.join(dir, "out/main.js"), "utf8");
    expect(main).toMatch(esm ? /import \{ abi as _ct \} from "corotask"/ : /const \{ abi: _ct \} = require\("corotask"\)/);
    expect(main).not.toMatch(/^\s*(export )?async function/m);
    expect(main).toMatch(/\*greet\(name\)/);
    expect(runNode(path.join(dir, "out/run.js"))).toEqual(EXPECTED);
  });
});

describe("tspc through ts-patch", () => {
  const tsconfig = (extra: object = {}) => JSON.stringify({
    compilerOptions: {
      target: "es2022", module: "nodenext", moduleResolution: "nodenext", outDir: "out", rootDir: "src", strict: true, types: [], skipLibCheck: true,
      plugins: [{ transform: "corotask/typescript", mode: "eager" }], ...extra,
    },
    include: ["src"],
  });

  test("ts-patch 4 with TypeScript 6.0: plugins [{ transform: \"corotask/typescript\" }]", () => {
    const dir = project("tspatch4", { typescript: path.join(MODULES, "typescript"), "ts-patch": path.join(MODULES, "ts-patch") });
    writeFileSync(path.join(dir, "tsconfig.json"), tsconfig());
    execFileSync(process.execPath, [path.join(MODULES, "ts-patch/bin/tspc.js"), "-p", dir], { encoding: "utf8", cwd: dir });
    expect(runNode(path.join(dir, "out/run.js"))).toEqual(EXPECTED);
  });

  test("ts-patch 3 with TypeScript 5.9 (the compiler ts-patch hands the transformer is used)", () => {
    const dir = project("tspatch3", { typescript: path.join(MODULES, "typescript59"), "ts-patch": path.join(MODULES, "ts-patch3") });
    writeFileSync(path.join(dir, "tsconfig.json"), tsconfig());
    // --preserve-symlinks: ts-patch 3 then finds TypeScript 5.9 through this project's node_modules link.
    const out = execFileSync(process.execPath, ["--preserve-symlinks", path.join(dir, "node_modules/ts-patch/bin/tspc.js"), "-p", dir, "--listEmittedFiles"], { encoding: "utf8", cwd: dir });
    expect(out).toMatch(/main\.js/);
    expect(readFileSync(path.join(dir, "out/main.js"), "utf8")).toMatch(/_ct\.coroutineBody/);
    expect(runNode(path.join(dir, "out/run.js"))).toEqual(EXPECTED);
  });
});

test("ts-loader's getCustomTransformers under webpack", () => {
  const dir = project("ts-loader", { typescript: path.join(MODULES, "typescript"), "ts-loader": path.join(MODULES, "ts-loader") });
  writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "es2022", module: "esnext", moduleResolution: "bundler", strict: true, types: [], skipLibCheck: true }, include: ["src"] }));
  writeFileSync(path.join(dir, "build.cjs"), `
const webpack = require(${JSON.stringify(path.join(MODULES, "webpack"))});
const corotask = require("corotask/typescript").default;
webpack({
  mode: "none", target: "node", context: __dirname, entry: "./src/run.ts",
  output: { path: __dirname + "/out", filename: "bundle.cjs" },
  resolve: { extensions: [".ts", ".js"], extensionAlias: { ".js": [".ts", ".js"] } },
  module: { rules: [{ test: /\\.ts$/, loader: "ts-loader", options: { getCustomTransformers: (program) => ({ before: [corotask(program)] }) } }] },
}, (error, stats) => {
  if (error || stats.hasErrors()) { console.error(error || stats.toString("errors-only")); process.exit(1); }
});`);
  execFileSync(process.execPath, [path.join(dir, "build.cjs")], { encoding: "utf8", cwd: dir });
  expect(readFileSync(path.join(dir, "out/bundle.cjs"), "utf8")).toMatch(/coroutineBody/);
  expect(runNode(path.join(dir, "out/bundle.cjs"))).toEqual(EXPECTED);
});

test("ts-jest's astTransformers (name and version exported for its cache)", () => {
  const dir = project("ts-jest", { typescript: path.join(MODULES, "typescript"), "ts-jest": path.join(MODULES, "ts-jest") });
  mkdirSync(path.join(dir, "test"));
  writeFileSync(path.join(dir, "test/main.test.ts"), `import { main } from "../src/main";
test("runs as a corotask Task", async () => {
  const task: any = main();
  expect(typeof task.cancel).toBe("function");
  expect(await task).toBe("hello ada inTask=true");
});
`);
  writeFileSync(path.join(dir, "jest.config.cjs"), `module.exports = {
  rootDir: __dirname, testEnvironment: "node", cache: false,
  transform: { "^.+\\\\.ts$": ["ts-jest", { tsconfig: { module: "commonjs", target: "es2022", strict: true, isolatedModules: true, types: [] }, diagnostics: false,
    astTransformers: { before: [{ path: require.resolve("corotask/typescript"), options: { mode: "eager" } }] } }] },
};`);
  const out = execFileSync(process.execPath, [path.join(MODULES, "jest/bin/jest.js"), "--config", path.join(dir, "jest.config.cjs"), "--ci"], { encoding: "utf8", cwd: dir, stdio: "pipe" });
  expect(out).toBe(out); // jest exits non-zero on failure, which execFileSync throws
});

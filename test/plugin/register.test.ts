/**
 * `node --import corotask/register`: real Node child processes over temporary projects (ESM and
 * CommonJS), checking what the hook compiled by how the code behaves (a compiled async function
 * returns a corotask Task; an untouched one a native Promise).
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { compilerLoadError } from "../../plugin/register/compile-cached.js";
import { hasCorotaskFrame, requireBuild, ROOT, runNode, tempProject, writeFiles } from "../support/pipelines/cli-temp-project.js";

const REGISTER = ["--import", "corotask/register"];

/** Every file of the cache folder `dir`, recursively. */
function cacheEntries(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".js"))
    .map((e) => path.join(e.parentPath, e.name));
}

beforeAll(requireBuild);

describe("ES module projects", () => {
  const project = tempProject({
    "package.json": JSON.stringify({ type: "module" }),
    "src/colors.ts": "export enum Color { Red = 1, Green }\nexport type Name = keyof typeof Color;\n",
    "src/lib.ts": [
      'import { Color, type Name } from "./colors.js";', // TypeScript's convention: .js names the .ts file
      "interface Job { readonly id: number }",
      "export async function work(job: Job): Promise<string> {",
      "  await null;",
      "  const name: Name = \"Green\";",
      "  return `${job.id}:${Color[name]}`;",
      "}",
      "export async function fail(): Promise<never> {",
      "  await null;",
      '  throw new Error("failed in lib");',
      "}",
      "",
    ].join("\n"),
    "src/main.ts": [
      'import { Task } from "corotask";',
      'import { work, fail } from "./lib";', // extensionless
      'import { helper } from "./helper.cts";',
      'import { plain } from "./plain.mjs";',
      "const task = work({ id: 7 });",
      'console.log("task", task instanceof Task, await task);',
      'console.log("cts", helper(1) instanceof Task, await helper(1));',
      'console.log("mjs", plain() instanceof Task, await plain());',
      "try {",
      "  await fail();",
      "} catch (error) {",
      '  console.log("stack", (error as Error).stack!.split("\\n")[1]!.trim());',
      "}",
      'console.log("args", process.argv.slice(2).join(" "));',
      "",
    ].join("\n"),
    // CommonJS syntax, as Node requires of a CommonJS file (its named exports are read from this text).
    "src/helper.cts": "exports.helper = async function helper(n: number): Promise<number> { await null; return n + 1; };\n",
    "src/plain.mjs": "export async function plain() { await null; return 'plain'; }\n",
  });

  test("TypeScript with enums and types runs compiled, through extensionless, .js-for-.ts, .cts and .mjs imports", () => {
    const run = runNode([...REGISTER, "src/main.ts", "a", "b"], project);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      [
        "task true 7:2",
        "cts true 2",
        "mjs true plain",
        `stack at fail (${path.join(project, "src/lib.ts")}:10:9)`,
        "args a b",
        "",
      ].join("\n"),
    );
  });

  test("COROTASK_MODE=lazy makes a call return a coroutine, not a Task", () => {
    writeFiles(project, {
      "src/lazy.ts": 'import { LazyCoroutine, Task, run } from "corotask";\nasync function f(): Promise<number> { return 1; }\nconst c = f();\nconsole.log(c instanceof LazyCoroutine, c instanceof Task, await run(c));\n',
    });
    const run = runNode([...REGISTER, "src/lazy.ts"], project, { COROTASK_MODE: "lazy" });
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe("true false 1\n");
  });

  test("an uncaught error exits 1 with the original line of the .ts file", () => {
    writeFiles(project, {
      "src/throws.ts": "type A = { x: number };\n\n\nasync function boom(a: A): Promise<void> {\n  await null;\n  throw new Error(`boom ${a.x}`);\n}\nawait boom({ x: 1 });\n",
    });
    const run = runNode([...REGISTER, "src/throws.ts"], project);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("Error: boom 1");
    expect(run.stderr).toContain(`${path.join(project, "src/throws.ts")}:6:9`);
  });
});

describe("JSX in .tsx files", () => {
  // A React-like createElement that renders to a string: what the compiled JSX calls.
  const renderer = [
    "type Props = Record<string, unknown> | null;",
    "const attrs = (props: Props) => Object.entries(props ?? {}).map(([k, v]) => ` ${k}=${JSON.stringify(v)}`).join(\"\");",
    "export const Fragment = \"\";",
    "export function createElement(type: string, props: Props, ...children: unknown[]): string {",
    "  return type === Fragment ? children.join(\"\") : `<${type}${attrs(props)}>${children.join(\"\")}</${type}>`;",
    "}",
    "",
  ].join("\n");
  const project = tempProject({
    "package.json": JSON.stringify({ type: "module" }),
    "src/render.ts": renderer,
    "src/card.tsx": [
      'import * as React from "./render";',
      "export async function card(title: string): Promise<string> {",
      "  await null;",
      "  return <section class=\"card\"><h2>{title}</h2></section>;",
      "}",
      "",
    ].join("\n"),
    "src/page.tsx": [
      'import { Task } from "corotask";',
      'import * as React from "./render";',
      'import { card } from "./card";', // extensionless: card.tsx
      "const pending = card(\"first\");",
      "const page = <main id=\"home\">{await pending}<>{await card(\"second\")}</></main>;",
      'console.log(pending instanceof Task, page);',
      "",
    ].join("\n"),
    "src/pragma.tsx": [
      "/** @jsx h */",
      "/** @jsxFrag Group */",
      "const Group = \"group\";",
      "function h(type: string, _props: unknown, ...children: unknown[]): string {",
      "  return `${type}(${children.join(\",\")})`;",
      "}",
      "async function leaf(): Promise<string> { await null; return <leaf />; }",
      "console.log(<><tree>{await leaf()}</tree></>);",
      "",
    ].join("\n"),
    "src/automatic.tsx": [
      "/** @jsxRuntime automatic */",
      "/** @jsxImportSource tiny-jsx */",
      "console.log(<p>{await Promise.resolve(\"automatic\")}</p>);",
      "",
    ].join("\n"),
    "node_modules/tiny-jsx/package.json": JSON.stringify({ name: "tiny-jsx", type: "module", exports: { "./jsx-runtime": "./jsx-runtime.js" } }),
    "node_modules/tiny-jsx/jsx-runtime.js": "export const jsx = (type, props) => `${type}[${props.children}]`;\nexport const jsxs = jsx;\n",
    "src/no-react.tsx": "console.log(<p />);\n",
    "src/throws.tsx": [
      'import * as React from "./render";',
      "async function fail(): Promise<string> {",
      "  const html = (",
      "    <ul>",
      "      <li>one</li>",
      "    </ul>",
      "  );",
      "  await null;",
      "  throw new RangeError(`cannot render ${html}`);",
      "}",
      "await fail();",
      "",
    ].join("\n"),
    "cjs/package.json": JSON.stringify({ type: "commonjs" }),
    "cjs/page.tsx": [
      'const { Task } = require("corotask");',
      'const React = require("./render.cts");',
      "async function page(): Promise<string> { await null; return <p>{\"cjs\"}</p>; }",
      "const t = page();",
      't.then((html: string) => console.log(t instanceof Task, html));',
      "",
    ].join("\n"),
    "cjs/render.cts": "exports.createElement = (type: string, _props: unknown, ...children: unknown[]) => `<${type}>${children.join(\"\")}</${type}>`;\n",
  });

  test("JSX becomes React.createElement calls, inside and outside compiled async functions, through an extensionless .tsx import", () => {
    const run = runNode([...REGISTER, "src/page.tsx"], project);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('true <main id="home"><section class="card"><h2>first</h2></section><section class="card"><h2>second</h2></section></main>\n');
  });

  test("a file's @jsx and @jsxFrag pragmas name other functions; @jsxRuntime automatic imports @jsxImportSource's jsx-runtime", () => {
    expect(runNode([...REGISTER, "src/pragma.tsx"], project)).toMatchObject({ stderr: "", status: 0, stdout: "group(tree(leaf()))\n" });
    expect(runNode([...REGISTER, "src/automatic.tsx"], project)).toMatchObject({ stderr: "", status: 0, stdout: "p[automatic]\n" });
  });

  test("a CommonJS .tsx file's JSX is compiled too", () => {
    expect(runNode([...REGISTER, "cjs/page.tsx"], project)).toMatchObject({ stderr: "", status: 0, stdout: "true <p>cjs</p>\n" });
  });

  test("without React in scope the classic runtime fails as it does everywhere, and errors keep the .tsx line", () => {
    const noReact = runNode([...REGISTER, "src/no-react.tsx"], project);
    expect(noReact.status).toBe(1);
    expect(noReact.stderr).toContain("ReferenceError: React is not defined");
    expect(noReact.stderr).toContain(`${path.join(project, "src/no-react.tsx")}:1:13`);
    const throws = runNode([...REGISTER, "src/throws.tsx"], project);
    expect(throws.status).toBe(1);
    expect(throws.stderr).toContain("RangeError: cannot render <ul><li>one</li></ul>");
    expect(throws.stderr).toContain(`${path.join(project, "src/throws.tsx")}:9:9`);
  });
});

describe("CommonJS projects", () => {
  const project = tempProject({
    "package.json": JSON.stringify({ type: "commonjs" }),
    "main.ts": [
      'const { Task } = require("corotask");',
      'const lib = require("./lib");', // extensionless, found through the .ts extension handler
      'const { tripled } = require("./util.cts");',
      'const js = require("./plain.js");',
      "const t = lib.doubled(21);",
      "t.then((v: number) => {",
      '  console.log("ts", t instanceof Task, v, require.main === module);',
      '  console.log("cts", tripled(1) instanceof Task, "js", js.plain() instanceof Task);',
      "  process.exitCode = 4;",
      "});",
      "",
    ].join("\n"),
    "lib.ts": "enum Step { One = 1 }\nexports.doubled = async function doubled(n: number): Promise<number> { await null; return n * 2 * Step.One; };\n",
    "util.cts": "exports.tripled = async (n: number) => n * 3;\n",
    "plain.js": "exports.plain = async function plain() { return 1; };\n",
    "node_modules/dep/package.json": JSON.stringify({ name: "dep", main: "index.js" }),
    "node_modules/dep/index.js": "exports.native = async function native() { return 1; };\n",
    "uses-dep.ts": 'const { Task } = require("corotask");\nconst dep = require("dep");\nconst local = require("./plain.js");\nconsole.log("dep", dep.native() instanceof Task, dep.native() instanceof Promise, "local", local.plain() instanceof Task);\n',
  });

  test("require() of .ts (also extensionless), .cts and .js files runs them compiled, with require.main and exit codes", () => {
    const run = runNode([...REGISTER, "main.ts"], project);
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe("ts true 42 true\ncts true js true\n");
    expect(run.status).toBe(4);
  });

  test("node_modules is left alone; COROTASK_EXCLUDE and COROTASK_INCLUDE pick the project's files", () => {
    expect(runNode([...REGISTER, "uses-dep.ts"], project).stdout).toBe("dep false true local true\n");
    expect(runNode([...REGISTER, "uses-dep.ts"], project, { COROTASK_EXCLUDE: "plain.js, **/node_modules/**" }).stdout).toBe("dep false true local false\n");
    expect(runNode([...REGISTER, "uses-dep.ts"], project, { COROTASK_INCLUDE: "*.ts" }).stdout).toBe("dep false true local false\n");
  });
});

describe("the cache", () => {
  test("a second start reads the compiled file from the cache; a changed source is compiled again", () => {
    const project = tempProject({ "package.json": "{}", "app.mts": 'export async function f(): Promise<string> { return "compiled"; }\nconsole.log(await f());\n' });
    const cacheDir = path.join(project, "cache");
    const env = { COROTASK_CACHE_DIR: cacheDir };
    expect(runNode([...REGISTER, "app.mts"], project, env).stdout).toBe("compiled\n");
    const entries = cacheEntries(cacheDir);
    expect(entries).toHaveLength(1);
    // Tamper with the entry: the next start must run the tampered code, proving it was read.
    writeFileSync(entries[0]!, 'console.log("from the cache");\n');
    expect(runNode([...REGISTER, "app.mts"], project, env).stdout).toBe("from the cache\n");
    writeFiles(project, { "app.mts": 'export async function f(): Promise<string> { return "changed"; }\nconsole.log(await f());\n' });
    expect(runNode([...REGISTER, "app.mts"], project, env).stdout).toBe("changed\n");
    expect(cacheEntries(cacheDir)).toHaveLength(2);
  });

  test("by default it lives in node_modules/.cache/corotask; the mode is part of the key", () => {
    const project = tempProject({ "package.json": "{}", "app.ts": "async function f() { return 1; }\nf().then((v) => console.log(v));\n" });
    runNode([...REGISTER, "app.ts"], project);
    runNode([...REGISTER, "app.ts"], project, { COROTASK_MODE: "lazy" });
    expect(cacheEntries(path.join(project, "node_modules/.cache/corotask"))).toHaveLength(2);
  });

  test("examples/demo.ts prints the same from a cold and a warm cache (times are logged)", () => {
    const cacheDir = path.join(tempProject({}), "cache");
    const cold = runNode([...REGISTER, "examples/demo.ts"], ROOT, { COROTASK_CACHE_DIR: cacheDir });
    const warm = runNode([...REGISTER, "examples/demo.ts"], ROOT, { COROTASK_CACHE_DIR: cacheDir });
    expect(cold.status).toBe(0);
    expect(cold.stdout).toContain("cancel() -> true");
    expect(warm.stdout).toBe(cold.stdout);
    // A measurement, not an assertion (2 shared cores): see docs/cli-loader.md for the numbers.
    console.log(`examples/demo.ts under corotask/register: cold ${cold.ms.toFixed(0)} ms, warm ${warm.ms.toFixed(0)} ms`);
    rmSync(cacheDir, { recursive: true, force: true });
  });
});

describe("bad input", () => {
  const project = tempProject({
    "package.json": JSON.stringify({ type: "module" }),
    "ok.ts": "console.log('ok');\n",
    "bad.ts": "const x: number = 1;\nasync function f() {\n  await x;\n  let = = 2;\n}\n",
    "imports-bad.ts": 'import "./bad.ts";\n',
  });

  test("a bad COROTASK_MODE is one message naming the variable and the accepted values, exit 2", () => {
    const run = runNode([...REGISTER, "ok.ts"], project, { COROTASK_MODE: "fast" });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe('corotask: COROTASK_MODE=fast: corotask option "mode" must be "eager" or "lazy", received "fast"\n');
  });

  test("a bad COROTASK_RUNTIME is refused the same way", () => {
    const run = runNode([...REGISTER, "ok.ts"], project, { COROTASK_RUNTIME: "global:" });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^corotask: COROTASK_RUNTIME=global:: corotask option "runtime" must be/);
  });

  test("a syntax error, in the entry or an import, names file, line and column with a code frame and no corotask stack", () => {
    for (const entry of ["bad.ts", "imports-bad.ts"]) {
      const run = runNode([...REGISTER, entry], project);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`${path.join(project, "bad.ts")}:4:3: Unexpected reserved word 'let'.`);
      expect(run.stderr).toContain("> 4 |   let = = 2;");
      expect(hasCorotaskFrame(run.stderr)).toBe(false);
    }
  });
});

test("the package exports ./register as an ES module", () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { exports: Record<string, { import?: string }> };
  expect(pkg.exports["./register"]?.import).toBe("./dist/esm/plugin/register/index.js");
});

describe("compilerLoadError", () => {
  test("a missing Babel package becomes one message saying what to install, with no stack", () => {
    const missing = Object.assign(new Error("Cannot find package '@babel/preset-typescript' imported from /x/compile-file.js"), { code: "ERR_MODULE_NOT_FOUND" });
    const friendly = compilerLoadError(missing) as Error;
    expect(friendly.message).toBe(
      "corotask's Node hook compiles with Babel, and @babel/preset-typescript is not installed; install it in your project: npm install -D @babel/core @babel/preset-typescript",
    );
    expect(friendly.stack).toBe(`Error: ${friendly.message}`);
  });

  test("any other error is passed on as it is", () => {
    const other = Object.assign(new Error("Cannot find module 'left-pad'"), { code: "MODULE_NOT_FOUND" });
    expect(compilerLoadError(other)).toBe(other);
    const syntax = new SyntaxError("x");
    expect(compilerLoadError(syntax)).toBe(syntax);
  });
});

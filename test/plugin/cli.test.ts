/**
 * The `corotask` command (bin/corotask.js over dist): run, build and ps in child processes over
 * temporary projects, including the SIGUSR2 dump of a live process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { BIN, hasCorotaskFrame, requireBuild, ROOT, runCli, runNode, tempProject } from "../support/pipelines/cli-temp-project.js";

beforeAll(requireBuild);

const VERSION = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;

/** One line of stderr, no stack: how the CLI reports a user's mistake. */
function expectOneMessage(run: { status: number | null; stderr: string }, pattern: RegExp): void {
  expect(run.status).not.toBe(0);
  expect(run.stderr).toMatch(pattern);
  expect(hasCorotaskFrame(run.stderr)).toBe(false);
  expect(run.stderr).not.toMatch(/^\s+at /m);
}

describe("help and version", () => {
  test("--help lists the commands and --version prints the package version", () => {
    const help = runCli(["--help"], ROOT);
    expect(help.status).toBe(0);
    for (const command of ["run [options] <file> [args...]", "build [options] <src...>", "ps [options] <pid>"]) expect(help.stdout).toContain(command);
    const version = runCli(["--version"], ROOT);
    expect(version.stdout).toBe(`${VERSION}\n`);
  });
});

describe("corotask run", () => {
  const project = tempProject({
    "package.json": JSON.stringify({ type: "module" }),
    "app.ts": [
      'import { Task } from "corotask";',
      'import { greet } from "./greet";',
      "const t = greet(process.argv[2] ?? \"nobody\");",
      'console.log(t instanceof Task, await t, JSON.stringify(process.argv.slice(2)));',
      "process.exit(Number(process.argv[3] ?? 0));",
      "",
    ].join("\n"),
    "greet.ts": "export async function greet(name: string): Promise<string> { await null; return `hi ${name}`; }\n",
    "lazy.mts": 'import { LazyCoroutine } from "corotask";\nasync function f() { return 1; }\nconsole.log(f() instanceof LazyCoroutine);\n',
    "cjs/package.json": JSON.stringify({ type: "commonjs" }),
    "cjs/main.cts": 'const { Task } = require("corotask");\nconst { twice } = require("./twice");\nrequire("../plain.cjs");\nconsole.log("cjs", twice(2) instanceof Task);\n',
    "cjs/twice.ts": "exports.twice = async (n: number) => n * 2;\n",
    "plain.cjs": 'const { Task } = require("corotask");\nconsole.log("cjs file", (async () => 1)() instanceof Task);\n',
    "plain.js": 'import { Task } from "corotask";\nconsole.log("js file", (async () => 1)() instanceof Task);\n',
    "throws.tsx": "interface P { n: number }\nasync function fail(p: P) {\n  await null;\n  throw new RangeError(`bad ${p.n}`);\n}\nawait fail({ n: 3 });\n",
    "page.tsx": [
      'import { Task } from "corotask";',
      'import { greet } from "./greet";',
      "const React = { createElement: (type: string, _props: unknown, ...children: unknown[]) => `<${type}>${children.join(\"\")}</${type}>` };",
      "const t = greet(process.argv[2]!);",
      "console.log(t instanceof Task, <h1>{await t}</h1>);",
      "",
    ].join("\n"),
  });

  test("runs a TS file with its imports compiled, passes arguments through and exits with the program's code", () => {
    const run = runCli(["run", "app.ts", "ann", "3", "--flag"], project);
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe('true hi ann ["ann","3","--flag"]\n');
    expect(run.status).toBe(3);
  });

  test("--mode lazy, .mts, .cts requiring .ts, .cjs and .js entries", () => {
    expect(runCli(["run", "--mode", "lazy", "lazy.mts"], project).stdout).toBe("true\n");
    expect(runCli(["run", "cjs/main.cts"], project).stdout).toBe("cjs file true\ncjs true\n");
    expect(runCli(["run", "plain.js"], project).stdout).toBe("js file true\n");
  });

  test("runs a .tsx entry whose JSX (React's classic runtime) awaits a compiled async function", () => {
    const run = runCli(["run", "page.tsx", "jo"], project);
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe("true <h1>hi jo</h1>\n");
    expect(run.status).toBe(0);
  });

  test("an error thrown in a .tsx file is reported at its original line, and the exit code is 1", () => {
    const run = runCli(["run", "throws.tsx"], project);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("RangeError: bad 3");
    expect(run.stderr).toContain(`${path.join(project, "throws.tsx")}:4:9`);
  });

  test("a missing file, a folder, a bad flag and a bad --mode are one message each", () => {
    expectOneMessage(runCli(["run", "nope.ts"], project), /^corotask: Cannot find the file to run, "nope.ts" \(looked for .*nope\.ts\); check the path\n$/);
    expectOneMessage(runCli(["run", "cjs"], project), /^corotask: "cjs" is a folder; give the file to run/);
    expectOneMessage(runCli(["run", "--bogus", "app.ts"], project), /^error: unknown option '--bogus'/);
    expectOneMessage(runCli(["run", "--mode", "fast", "app.ts"], project), /corotask option "mode" must be "eager" or "lazy", received "fast"/);
    expectOneMessage(runCli(["launch"], project), /^error: unknown command 'launch'/);
  });
});

describe("corotask build", () => {
  const project = tempProject({
    "package.json": JSON.stringify({ type: "module" }),
    "src/index.ts": 'import { helper } from "./lib/helper.js";\nexport async function main(): Promise<string> {\n  return await helper(2);\n}\nconsole.log(await main());\n',
    "src/lib/helper.ts": "export async function helper(n: number): Promise<string> {\n  await null;\n  if (n < 0) throw new Error(\"negative\");\n  return `helper ${n}`;\n}\n",
    "src/lib/fails.mts": "import { helper } from \"./helper.js\";\n\n\ntype T = number;\nconst n: T = -1;\nawait helper(n);\n",
    "src/lib/old.cts": "exports.old = async function old(): Promise<number> { return 1; };\n",
    "src/lib/types.d.ts": "export type X = number;\n",
    "src/lib/no-async.js": "export const one = 1;\n",
    "src/node_modules/skip/index.js": "export async function skipped() {}\n",
    "src/README.md": "not source\n",
    "broken/bad.ts": "async function f() {\n  await 1;\n  let = = 2;\n}\n",
    "broken/good.ts": "export async function good() { await null; }\n",
  });

  test("writes JS and source maps for a folder, keeping its structure, and ends with one summary line", () => {
    const run = runCli(["build", "src", "--out-dir", "out"], project);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^corotask: compiled 5 files \(1 without async functions, copied\) to out in \d+\.\d\d s\n$/);
    for (const file of ["index.js", "index.js.map", "lib/helper.js", "lib/helper.js.map", "lib/fails.mjs", "lib/old.cjs", "lib/no-async.js"]) {
      expect(existsSync(path.join(project, "out", file))).toBe(true);
    }
    for (const file of ["lib/types.d.js", "lib/types.js", "node_modules", "README.md", "lib/no-async.js.map"]) expect(existsSync(path.join(project, "out", file))).toBe(false);
    const map = JSON.parse(readFileSync(path.join(project, "out/lib/helper.js.map"), "utf8")) as { sources: string[]; sourcesContent: string[] };
    expect(map.sources).toEqual(["../../src/lib/helper.ts"]);
    expect(readFileSync(path.join(project, "out/lib/helper.js"), "utf8")).toMatch(/\/\/# sourceMappingURL=helper\.js\.map\n$/);
    expect(readFileSync(path.join(project, "out/lib/helper.js"), "utf8")).not.toMatch(/: number|: Promise/);
  });

  test("the output runs with plain node, and with source maps on, errors point into the .ts sources", () => {
    runCli(["build", "src", "--out-dir", "out"], project);
    const ok = runNode(["out/index.js"], project);
    expect(ok.stdout).toBe("helper 2\n");
    const failing = runNode(["--enable-source-maps", "out/lib/fails.mjs"], project);
    expect(failing.status).toBe(1);
    expect(failing.stderr).toContain(`${path.join(project, "src/lib/helper.ts")}:3:20`);
  });

  test("a file named alone keeps its path relative to the working directory; --mode lazy applies", () => {
    const run = runCli(["build", "src/lib/helper.ts", "--out-dir", "single", "--mode", "lazy"], project);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^corotask: compiled 1 file /);
    expect(existsSync(path.join(project, "single/src/lib/helper.js"))).toBe(true);
  });

  test("a syntax error is its message with a code frame, no stack; the other files are still written; exit 1", () => {
    const run = runCli(["build", "broken", "--out-dir", "broken-out"], project);
    expectOneMessage(run, /^.*broken\/bad\.ts:3:3: Unexpected reserved word 'let'\.\n\n(.|\n)*> 3 \|   let = = 2;/);
    expect(run.stdout).toMatch(/compiled 1 file .*, 1 failed to broken-out/);
    expect(existsSync(path.join(project, "broken-out/good.js"))).toBe(true);
    expect(existsSync(path.join(project, "broken-out/bad.js"))).toBe(false);
  });

  test("a missing source, a missing --out-dir and a non-source file are one message each", () => {
    expectOneMessage(runCli(["build", "nowhere", "--out-dir", "x"], project), /^corotask: Cannot find "nowhere"/);
    expectOneMessage(runCli(["build", "src"], project), /^error: required option '-d, --out-dir <dir>' not specified/);
    expectOneMessage(runCli(["build", "src/README.md", "--out-dir", "x"], project), /^corotask: "src\/README.md" is not a file corotask compiles/);
  });
});

describe("live introspection", () => {
  const project = tempProject({
    "package.json": JSON.stringify({ type: "module" }),
    "server.ts": [
      'import { gather, sleep } from "corotask";',
      "async function query(id: number): Promise<void> {",
      "  await sleep(3600);",
      "}",
      "async function handle(id: number): Promise<void> {",
      "  await query(id);",
      "}",
      'console.log("ready");',
      "await gather(handle(1), handle(2));",
      "",
    ].join("\n"),
  });
  let child: ChildProcess | null = null;
  // SIGTERM, which `corotask run` passes on: SIGKILL would leave its child running, holding the pipes open.
  afterEach(async () => {
    const running = child;
    child = null;
    if (running === null || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGTERM");
    await exited;
  });

  /** Starts `corotask run server.ts` and resolves once it printed "ready"; stderr is collected. */
  function startServer(): Promise<{ wrapper: ChildProcess; stderr: () => string }> {
    const wrapper = spawn(process.execPath, [BIN, "run", "server.ts"], { cwd: project, stdio: ["ignore", "pipe", "pipe"] });
    child = wrapper;
    let stderr = "";
    wrapper.stderr!.on("data", (chunk) => (stderr += chunk));
    return new Promise((resolve, reject) => {
      wrapper.stdout!.on("data", (chunk) => {
        if (String(chunk).includes("ready")) resolve({ wrapper, stderr: () => stderr });
      });
      wrapper.on("exit", (code) => reject(new Error(`server exited early (${code}): ${stderr}`)));
    });
  }

  test("corotask ps PID prints every task's call graph, and the process prints it to stderr too", async () => {
    const { wrapper, stderr } = await startServer();
    const ps = runCli(["ps", String(wrapper.pid)], project);
    expect(ps.stderr).toBe("");
    expect(ps.status).toBe(0);
    expect(ps.stdout).toMatch(/^corotask: call graph of process \d+ \(server\.ts\), 1 event loop\n/);
    expect(ps.stdout).toContain("Event loop 1 (running, time");
    expect(ps.stdout.match(/\|   File 'server\.ts', line 3, in async query\(\)\n.*\|   File 'server\.ts', line 6, in async handle\(\)/g)).toHaveLength(2);
    expect(ps.stdout).toContain("  + Awaited by:\n    * Future(id=");
    // The same text went to the process's stderr; it arrives here once this process's loop turns
    // again (runCli blocked it): wait for it, then compare.
    for (let turns = 0; turns < 250 && !stderr().includes(ps.stdout); turns++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stderr()).toContain(ps.stdout);
  });

  test("ps refuses a process that is not a corotask process (and leaves it running), a dead pid and a non-number", () => {
    const other = runNode(["-e", "0"], project);
    expect(other.status).toBe(0);
    const sleeper = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    child = sleeper;
    expectOneMessage(runCli(["ps", String(sleeper.pid)], project), /^corotask: Process \d+ is not a corotask process \(no marker .*\); start it with `corotask run FILE`/);
    expect(sleeper.exitCode).toBeNull();
    expect(() => process.kill(sleeper.pid!, 0)).not.toThrow();
    expectOneMessage(runCli(["ps", "999999999"], project), /^corotask: No process with pid 999999999 is running\n$/);
    expectOneMessage(runCli(["ps", "abc"], project), /^corotask: The pid must be a positive whole number, received "abc"\n$/);
  });
});

/**
 * corotask/vite, /rollup, /esbuild, /webpack and /rspack: each builds a small TypeScript app
 * (test/plugin/bundlers-app: a local import, corotask installed in node_modules) with its
 * bundler's JS API; the bundle then runs in Node and must show the cancelled task, its finally,
 * its stack, and an error whose stack points at the original TS lines. Bad input (a syntax
 * error, bad options) must come out through the bundler's own error report. The builds run in
 * child processes (bundlers-build.mjs, from dist/: `npm test` builds first).
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { BUNDLERS, buildWithBundler, tempDir, type BuildResult, type Bundler, type BuildSpec } from "../support/pipelines/bundlers.js";

const REPO = path.resolve(__dirname, "../..");
const APP = path.join(__dirname, "bundlers-app");

/** 1-based line of the first line of `file` (in the app) that contains `marker`. */
function lineOf(file: string, marker: string): number {
  const index = readFileSync(path.join(APP, file), "utf8").split("\n").findIndex((line) => line.includes(marker));
  if (index < 0) throw new Error(`${file} has no line with ${JSON.stringify(marker)}`);
  return index + 1;
}

let project = "";

beforeAll(() => {
  // The app as a user has it: its sources, and corotask installed (package.json + dist) in node_modules.
  project = tempDir("bundlers-app");
  cpSync(APP, path.join(project, "src"), { recursive: true });
  const installed = path.join(project, "node_modules", "corotask");
  mkdirSync(installed, { recursive: true });
  cpSync(path.join(REPO, "package.json"), path.join(installed, "package.json"));
  cpSync(path.join(REPO, "dist"), path.join(installed, "dist"), { recursive: true });
});

function spec(bundler: Bundler, name: string, entry: string, plugins: BuildSpec["plugins"] = [{}]): BuildSpec {
  return {
    bundler,
    root: path.join(project, "src"),
    outDir: path.join(project, `out-${bundler}-${name}`),
    entries: { main: path.join(project, "src", entry) },
    format: "esm",
    external: [],
    plugins,
  };
}

function mustBuild(result: BuildResult): void {
  if (!result.ok) throw new Error(`the build failed:\n${result.message}`);
}

/** Runs a bundle with source maps on, as a user debugging it would; returns stdout. */
function runBundle(file: string): string {
  return execFileSync(process.execPath, ["--enable-source-maps", file], { encoding: "utf8", cwd: path.dirname(file) });
}

describe.each(BUNDLERS)("corotask/%s", (bundler) => {
  it("builds an app whose task is cancelled, runs its finally, prints its stack, and maps an error to its TS line", async () => {
    const s = spec(bundler, "app", "main.ts");
    mustBuild(await buildWithBundler(s));
    const output = runBundle(path.join(s.outDir, "main.js"));
    const queryLine = lineOf("lib.ts", "query: waiting");
    const fetchLine = lineOf("lib.ts", "fetchUser: waiting");
    const throwLine = lineOf("lib.ts", "explode: throws");
    const awaitLine = lineOf("main.ts", "main: awaits explode");
    const lines = output.split("\n");
    const before = (a: string, b: string) => lines.findIndex((l) => l.includes(a)) < lines.findIndex((l) => l.includes(b));

    expect(lines).toContain(`frame fetchUser lib.ts:${fetchLine}`);
    expect(lines).toContain(`frame query lib.ts:${queryLine}`);
    expect(output).toContain(
      `Stack for <Task pending name='fetch-user' coro=<fetchUser() running at lib.ts:${fetchLine}> wait_for=<Future pending>> (most recent call last):\n` +
        `  File "lib.ts", line ${fetchLine}, in fetchUser\n` +
        `    return await query(id); // fetchUser: waiting\n` +
        `  File "lib.ts", line ${queryLine}, in query\n` +
        `    await sleep(60); // query: waiting\n`,
    );
    expect(lines).toContain("cancel() -> true");
    expect(lines).toContain("finally: fetchUser(7) released");
    expect(lines).toContain("cancelled: true client went away");
    expect(before("finally: fetchUser(7) released", "cancelled: true")).toBe(true);
    // The thrown error: V8's frame mapped through the bundle's source map, then corotask's async frame.
    expect(output).toContain("stack: Error: exploded: in TypeScript\n");
    expect(output).toMatch(new RegExp(`\\n    at explode \\([^)]*lib\\.ts:${throwLine}:\\d+\\)\\n`));
    expect(output).toMatch(new RegExp(`\\n    at async main \\(main\\.ts:${awaitLine}:\\d+\\)\\n`));
    expect(lines).toContain("done");
  }, 90_000);

  it("reports a syntax error in a user file with the file, line and code frame", async () => {
    const broken = path.join(project, "src", `broken-${bundler}.ts`);
    writeFileSync(broken, "export async function f(): Promise<number> {\n  const x: number = await ;\n  return x;\n}\n");
    writeFileSync(path.join(project, "src", `entry-broken-${bundler}.ts`), `import { f } from "./broken-${bundler}.js";\nf();\n`);
    const result = await buildWithBundler(spec(bundler, "broken", `entry-broken-${bundler}.ts`));
    expect(result.ok).toBe(false);
    const message = result.ok ? "" : result.message;
    expect(message).toContain(`broken-${bundler}.ts`);
    expect(message).toMatch(/Unexpected token/);
    expect(message).toMatch(/:2:\d+|line 2\b|2:2[0-9]/);
    // The frame shows the offending line under a gutter with its number.
    expect(message).toMatch(/2 \|\s+const x: number = await ;/);
    expect(message).not.toMatch(/at .*plugin[\\/](unplugin|compile-file)/);
  }, 90_000);

  it("rejects an unknown option with OptionsError naming it", async () => {
    const unknown = await buildWithBundler(spec(bundler, "opt1", "main.ts", [{ modes: "lazy" }]));
    expect(unknown).toEqual({
      ok: false,
      message: 'OptionsError: Unknown corotask option "modes"; accepted options are "mode", "runtime", "include", "exclude"',
    });
  }, 90_000);
});

describe("bad options (one bundler: the validation is shared)", () => {
  it("reject a wrongly typed include and an unknown mode with OptionsError naming the option", async () => {
    const bundler = "vite";
    const typed = await buildWithBundler(spec(bundler, "opt2", "main.ts", [{ include: 42 }]));
    expect(typed).toEqual({
      ok: false,
      message: 'OptionsError: corotask option "include" must be a glob, a RegExp or an array of them, received number 42',
    });
    const mode = await buildWithBundler(spec(bundler, "opt3", "main.ts", [{ mode: "fast" }]));
    expect(mode).toEqual({ ok: false, message: 'OptionsError: corotask option "mode" must be "eager" or "lazy", received "fast"' });
  }, 90_000);
});

describe("include and exclude", () => {
  it("leave an excluded file native: its async function is not a corotask coroutine", async () => {
    const s = spec("esbuild", "exclude", "main.ts", [{ exclude: [{ regexp: "lib\\.ts$" }] }]);
    mustBuild(await buildWithBundler(s));
    // main awaits a native Promise from lib's uncompiled fetchUser: createTask refuses it loudly.
    let failure = "";
    try {
      runBundle(path.join(s.outDir, "main.js"));
    } catch (error) {
      failure = String((error as { stderr?: string }).stderr);
    }
    expect(failure).toMatch(/not compiled by corotask/);
  }, 90_000);
});

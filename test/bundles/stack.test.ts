/**
 * The runtime bundled into one file with the user's code (esbuild, Rollup, webpack; minified and
 * not), run in Node: `error.stack` keeps the frame that threw and drops the runtime's own, and
 * string forms, Symbol.toStringTag and reports name Future/Task/Handle, never a mangled class name.
 * Needs dist (npm test builds first).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { rollup } from "rollup";
import { minify as terser } from "terser";
import webpack from "webpack";
import { compileFile } from "../../plugin/compile-file.js";

const ROOT = join(__dirname, "../..");
const OUT = join(__dirname, ".out");
const RUNTIME = join(ROOT, "dist/esm/runtime/index.js");

/** The app compiled by the transform, as the bundlers' input. */
function compiledApp(): string {
  const file = join(OUT, "app.js");
  writeFileSync(file, compileFile(readFileSync(join(__dirname, "app.ts"), "utf8"), "app.ts", { cwd: __dirname }).code);
  return file;
}

type Bundler = (entry: string, minify: boolean) => Promise<string>;

const BUNDLERS: Record<string, Bundler> = {
  async esbuild(entry, minify) {
    const outfile = join(OUT, `esbuild${minify ? ".min" : ""}.mjs`);
    await esbuild.build({ entryPoints: [entry], bundle: true, format: "esm", platform: "node", outfile, minify, alias: { corotask: RUNTIME }, logLevel: "silent" });
    return outfile;
  },
  async rollup(entry, minify) {
    const bundle = await rollup({
      input: entry,
      external: (id) => id.startsWith("node:"),
      plugins: [{ name: "corotask-alias", resolveId: (id) => (id === "corotask" ? RUNTIME : null) }],
      onwarn: () => {},
    });
    const { output } = await bundle.generate({ format: "es" });
    await bundle.close();
    const code = minify ? (await terser(output[0].code, { module: true })).code! : output[0].code;
    const outfile = join(OUT, `rollup${minify ? ".min" : ""}.mjs`);
    writeFileSync(outfile, code);
    return outfile;
  },
  async webpack(entry, minify) {
    const name = `webpack${minify ? ".min" : ""}.cjs`;
    await new Promise<void>((resolve, reject) => {
      webpack(
        {
          mode: minify ? "production" : "none",
          target: "node",
          entry,
          devtool: false,
          output: { path: OUT, filename: name, library: { type: "commonjs2" } },
          resolve: { alias: { corotask: RUNTIME } },
          optimization: { minimize: minify },
        },
        (error, stats) => (error ? reject(error) : stats?.hasErrors() ? reject(new Error(stats.toString())) : resolve()),
      );
    });
    return join(OUT, name);
  },
};

/** Runs a bundle; returns its printed checks by label. */
function runBundle(file: string): Record<string, unknown> {
  const stdout = execFileSync(process.execPath, [file], { encoding: "utf8" });
  const checks: Record<string, unknown> = {};
  for (const line of stdout.split("\n").filter(Boolean)) {
    const { label, value } = JSON.parse(line) as { label: string; value: unknown };
    checks[label] = value;
  }
  return checks;
}

/** Frames of the runtime or the host that a cleaned stack must not show. */
const RUNTIME_FRAMES = /at (?:\S+\.)?#|\[corotask\.|runInContext|node:async_hooks|task_queues|\.next \(<anonymous>\)/;

let entry = "";
beforeAll(() => {
  if (!existsSync(RUNTIME)) throw new Error("dist/esm/runtime/index.js is missing; run npm run build (npm test does) before the bundle tests");
  mkdirSync(OUT, { recursive: true });
  entry = compiledApp();
});

describe.each(Object.keys(BUNDLERS).flatMap((name) => [[name, false] as const, [name, true] as const]))("a %s bundle (minified: %s)", (name, minify) => {
  let checks: Record<string, unknown> = {};
  beforeAll(async () => {
    checks = runBundle(await BUNDLERS[name]!(entry, minify));
  }, 60000);

  test("an error keeps the frame that threw, then the awaiting coroutine, and no runtime frames", () => {
    const stack = checks["loop"] as string;
    const frames = stack.split("\n").slice(1);
    expect(frames[0]).toMatch(/^ {4}at inner \(.+:\d+:\d+\)$/);
    expect(frames[1]).toBe("    at async outer (app.ts:12:3)");
    expect(frames).toHaveLength(2);
    expect(stack).not.toMatch(RUNTIME_FRAMES);
  });

  test("an error made in a plain function the coroutine calls keeps its frames (a minifier may inline the function)", () => {
    const stack = checks["plain"] as string;
    expect(stack.split("\n")[0]).toBe("RangeError: plain 2");
    // Named or not (a minified function has no name): a frame, not an `at async` line.
    expect(stack.split("\n")[1]).toMatch(/^ {4}at (?!async )(?:\S+ \()?.+:\d+:\d+\)?$/);
    expect(stack).not.toMatch(RUNTIME_FRAMES);
  });

  test("an error made in a loop callback and raised at an await keeps the callback's frame, not the loop's", () => {
    const stack = checks["callback"] as string;
    expect(stack.split("\n")[0]).toBe("SyntaxError: made in a loop callback");
    expect(stack.split("\n")[1]).toMatch(/^ {4}at (?!async )(?:\S+ \()?.+:\d+:\d+\)?$/);
    expect(stack).not.toMatch(RUNTIME_FRAMES);
  });

  test("an error thrown before the first await of an eager call keeps its frame", () => {
    const stack = checks["eager"] as string;
    expect(stack.split("\n")[1]).toMatch(/^ {4}at inner \(.+:\d+:\d+\)$/);
    expect(stack).not.toMatch(RUNTIME_FRAMES);
  });

  test("string forms and Symbol.toStringTag name Future, Task and the handles", () => {
    expect(checks["future"]).toEqual(["<Future finished result=42>", "[object Future]"]);
    expect(checks["task"]).toEqual(["<Task ", "[object Task]"]);
    // The callback's name is the user's, which their minifier may drop.
    expect(checks["handles"]).toEqual([expect.stringMatching(/^<Handle (?:soon|<anonymous>)\(\)>$/), "<TimerHandle cancelled>"]);
  });

  test("a Future's unretrieved exception is reported as a Future's", () => {
    expect(checks["report"]).toBe("Future exception was never retrieved");
  });
});

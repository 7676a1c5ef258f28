/**
 * The bundlers as fixture pipelines, and the child-process build that both they and
 * test/plugin/bundlers.test.ts use. Every fixture goes through one multi-entry build per bundler
 * (built plugin `corotask/<bundler>` from dist/, ES module output as users ship it, "corotask"
 * external), made on the first fixture that asks; each fixture's trace must then be the same as
 * through Babel. The runner takes CommonJS, so each bundle is converted as the Babel pipeline's
 * output is (Babel's ES module to CommonJS transform, which keeps module semantics: strict code,
 * top-level `this` undefined): the bundler's own CommonJS output would not (it binds `this` to
 * `exports` and drops strictness), and that is the harness's conversion, not the user's bundle.
 */
import * as babel from "@babel/core";
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { isErrorFixture, loadFixtures, transformOptions, type Fixture } from "../fixture-core.cjs";
import type { Pipeline } from "../pipelines.js";

export const BUNDLERS = ["vite", "rollup", "esbuild", "webpack", "rspack"] as const;
export type Bundler = (typeof BUNDLERS)[number];

/** A plugin option value as the build script takes it: RegExps travel as `{regexp: source}`. */
export type SpecOption = string | { regexp: string } | ReadonlyArray<string | { regexp: string }> | number | boolean | null;

/** What the child build (bundlers-build.mjs) is asked to do. */
export interface BuildSpec {
  readonly bundler: Bundler;
  readonly root: string;
  readonly outDir: string;
  readonly entries: Readonly<Record<string, string>>;
  readonly format: "esm" | "cjs";
  readonly external: readonly string[];
  /** One corotask plugin instance per entry, with these options. */
  readonly plugins: ReadonlyArray<Readonly<Record<string, SpecOption>>>;
}

export type BuildResult = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly message: string };

const BUILD_SCRIPT = path.join(__dirname, "bundlers-build.mjs");
const REPO_ROOT = path.resolve(__dirname, "../../..");

/** Runs one build in a child Node process (working directory `cwd`, default the spec's root). */
export function buildWithBundler(spec: BuildSpec, cwd: string = spec.root): Promise<BuildResult> {
  mkdirSync(spec.outDir, { recursive: true });
  const specFile = path.join(spec.outDir, "..", `spec-${spec.bundler}-${path.basename(spec.outDir)}.json`);
  writeFileSync(specFile, JSON.stringify(spec));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BUILD_SCRIPT, specFile], { cwd, encoding: "utf8", maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const last = stdout.trim().split("\n").pop() ?? "";
      if (error && !last.startsWith("{")) return reject(new Error(`the ${spec.bundler} build process failed: ${error.message}\n${stderr}`));
      resolve(JSON.parse(last) as BuildResult);
    });
  });
}

// The builds share 2 cores with the other test files: at most two at a time.
let running = 0;
const queue: Array<() => void> = [];
async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((resolve) => queue.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    queue.shift()?.();
  }
}

/** A fresh directory outside the repository (so file names in stacks are base names, as in the Babel pipeline's). */
export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `corotask-${prefix}-`));
}

interface FixtureBuild {
  readonly outDir: string;
  readonly entryOf: ReadonlyMap<string, string>;
}

/**
 * Copies every runnable fixture to its own folder under one temp dir and builds them all at
 * once. Lazy-mode fixtures get a second plugin instance, chosen by `include`; the eager one
 * `exclude`s them: one build still covers both modes, and the filters are exercised.
 */
async function buildAllFixtures(bundler: Bundler): Promise<FixtureBuild> {
  const dir = tempDir(`fixtures-${bundler}`);
  const entries: Record<string, string> = {};
  const entryOf = new Map<string, string>();
  const byOptions = new Map<string, string[]>();
  for (const fixture of loadFixtures().filter((f: Fixture) => !isErrorFixture(f) && REJECTED_AT_BUILD[bundler][f.id] === undefined)) {
    const name = fixture.id.replace(/[^a-zA-Z0-9]+/g, "_");
    const file = path.join(dir, "src", name, path.basename(fixture.inputFile));
    mkdirSync(path.dirname(file), { recursive: true });
    copyFileSync(fixture.inputFile, file);
    entries[name] = file;
    entryOf.set(fixture.id, name);
    const key = JSON.stringify(transformOptions(fixture));
    byOptions.set(key, [...(byOptions.get(key) ?? []), file]);
  }
  const groups = [...byOptions.entries()];
  const others = (key: string) => groups.filter(([k]) => k !== key).flatMap(([, files]) => files);
  const plugins = groups.map(([key, files]) =>
    key === "{}" ? { ...JSON.parse(key), exclude: [...others(key), { regexp: "[\\\\/]node_modules[\\\\/]" }] } : { ...JSON.parse(key), include: files },
  );
  const outDir = path.join(dir, "out");
  // The root is the repository: the fixtures lie outside it, so stacks name them "input.js".
  const result = await limited(() => buildWithBundler({ bundler, root: REPO_ROOT, outDir, entries, format: "esm", external: ["corotask"], plugins }, REPO_ROOT));
  if (!result.ok) throw new Error(`${bundler} could not build the fixtures:\n${result.message}`);
  return { outDir, entryOf };
}

/** Fixtures a bundler refuses to build, with the reason: they run as known failures (it.failing) through it. */
const REJECTED_AT_BUILD: Readonly<Record<Bundler, Readonly<Record<string, string>>>> = {
  vite: {},
  esbuild: {},
  rollup: {},
  webpack: {},
  rspack: {},
};

/** Fixtures that build but run differently through a bundler, for a reason outside corotask: known failures. */
const KNOWN_FAILURES: Readonly<Record<Bundler, Readonly<Record<string, string>>>> = {
  vite: {},
  esbuild: {},
  rollup: {},
  webpack: {},
  rspack: {},
};

/** An ES module bundle as CommonJS for the runner: Babel's conversion, no other change (as pipelines.ts `toCommonJs`). */
function esmToCommonJs(code: string, id: string): string {
  return babel.transformSync(code, {
    filename: `${id}.js`,
    babelrc: false,
    configFile: false,
    sourceType: "module",
    plugins: [require.resolve("@babel/plugin-transform-modules-commonjs")],
  })!.code!;
}

/** A pipeline that compiles every fixture with `bundler`: one build, made by prepare(). */
export function bundlerPipeline(bundler: Bundler): Pipeline {
  let build: Promise<FixtureBuild> | undefined;
  let built: FixtureBuild | undefined;
  return {
    name: bundler,
    async prepare() {
      build ??= buildAllFixtures(bundler);
      built = await build;
    },
    knownFailure(fixture) {
      return REJECTED_AT_BUILD[bundler][fixture.id] ?? KNOWN_FAILURES[bundler][fixture.id];
    },
    compile(fixture) {
      const rejected = REJECTED_AT_BUILD[bundler][fixture.id];
      if (rejected !== undefined) throw new Error(`${bundler} refuses to build ${fixture.id}: ${rejected}`);
      if (built === undefined) throw new Error(`the ${bundler} pipeline was not prepared: call prepare() before compile()`);
      const name = built.entryOf.get(fixture.id);
      if (name === undefined) throw new Error(`fixture ${fixture.id} was not in the ${bundler} build`);
      return esmToCommonJs(readFileSync(path.join(built.outDir, `${name}.js`), "utf8"), fixture.id);
    },
  };
}

/** Every bundler as a fixture pipeline. */
export const bundlerPipelines: readonly Pipeline[] = BUNDLERS.map(bundlerPipeline);

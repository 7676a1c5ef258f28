// Runs every fixture through Babel 8 and the built plugin (`corotask/babel`, its ESM entry), the
// way the Jest pipeline runs them through Babel 7: compile with the plugin (+ the fixture's
// presets), turn the module into CommonJS, run `main(log)` on the runtime's virtual-time loop,
// compare the trace with trace.txt — or, for error cases, the compile error with error.txt.
// The expected Babel output (output.babel.js) is not compared: Babel 8's generator formats
// differently. `--diff` prints how the emitted code differs from it, for review.
//
// Babel 8 (ESM-only) lives in the workspace scripts/babel8/ so that its presets' peer dependency
// on @babel/core 8 resolves next to the project's Babel 7 (npm aliases cannot satisfy it).
// The plugin and runtime are the built ones (dist/): run `npm run build` first.
//
// Also one source-map smoke check (Babel 8 + an input source map: an await's emitted `yield`
// maps back to the `await` in the original file); test/plugin/source-maps.test.ts covers Babel 7.
//
// Usage: node scripts/babel8-check.mjs [--diff] [--verbose] [filter]
// Prints `babel8: N passed, M failed` (N + M = fixtures run) and exits 1 on any failure.
import { createRequire } from "node:module";
import { existsSync, statSync, readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as path from "node:path";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const showDiff = args.includes("--diff");
const verbose = args.includes("--verbose");
const filter = args.find((a) => !a.startsWith("--"));

/**
 * Fixtures that cannot run under Babel 8, each with the reason. Empty: every fixture runs.
 * @type {Record<string, string>}
 */
const SKIP = {};

// --- Babel 8, resolved from its workspace -------------------------------------------------------
const babel8Require = createRequire(path.join(root, "scripts/babel8/package.json"));
let babel;
try {
  babel = await import(pathToFileURL(babel8Require.resolve("@babel/core")).href);
} catch (error) {
  console.error(`babel8-check: cannot load Babel 8 from scripts/babel8 (run \`npm install\`): ${error.message}`);
  process.exit(2);
}
if (!/^8\./.test(babel.version)) {
  console.error(`babel8-check: expected @babel/core 8 in scripts/babel8, found ${babel.version}`);
  process.exit(2);
}
const resolve8 = (id) => babel8Require.resolve(id);

// --- The built plugin and runtime (the package's own exports) ---------------------------------
const distPlugin = path.join(root, "dist/esm/plugin/babel/index.js");
if (!existsSync(distPlugin) || !existsSync(path.join(root, "dist/esm/runtime/index.js"))) {
  console.error("babel8-check: dist/esm is missing; run `npm run build` first");
  process.exit(2);
}
warnIfStale(distPlugin, ["plugin", "runtime"]);
const plugin = (await import("corotask/babel")).default;
const runtime = await import("corotask");

const require = createRequire(import.meta.url);
const core = require("../test/support/fixture-core.cjs");
const { TraceMap, originalPositionFor } = require("@jridgewell/trace-mapping");

function compile(fixture) {
  const result = babel.transformSync(fixture.input, {
    filename: fixture.inputFile,
    cwd: fixture.dir,
    babelrc: false,
    configFile: false,
    sourceType: "module",
    // Plain code frames in error messages, whatever the terminal (FORCE_COLOR would colour them).
    highlightCode: false,
    presets: core.presetsFor(fixture.options.presets, fixture.inputFile, resolve8, 8),
    plugins: [[plugin, core.transformOptions(fixture)]],
  });
  return result.code;
}

function toCommonJs(code, filename) {
  return babel.transformSync(code, {
    filename: filename.replace(/\.tsx?$/, ".js"),
    babelrc: false,
    configFile: false,
    sourceType: "module",
    plugins: [resolve8("@babel/plugin-transform-modules-commonjs")],
  }).code;
}

/** Checks one fixture; returns null when it passes, else what differed. */
async function check(fixture) {
  if (core.isErrorFixture(fixture)) {
    let actual = "(no error)\n";
    try {
      compile(fixture);
    } catch (error) {
      actual = core.compileErrorMessage(fixture, error);
    }
    return actual === fixture.error ? null : difference("error.txt", fixture.error ?? "(missing error.txt)\n", actual);
  }
  const emitted = compile(fixture);
  if (showDiff && fixture.outputBabel !== null && emitted + "\n" !== fixture.outputBabel) {
    console.log(`--- ${fixture.id}: emitted code differs from output.babel.js (Babel 7)\n${lineDiff(fixture.outputBabel, emitted + "\n")}`);
  }
  const actual = await core.runCompiled(toCommonJs(emitted, fixture.inputFile), fixture, runtime);
  // A known failure (Jest runs it as it.failing) must still differ from trace.txt.
  if (fixture.options.knownFailure !== undefined) {
    return actual !== fixture.trace ? null : `known failure (${fixture.options.knownFailure}) now passes; drop knownFailure`;
  }
  if (fixture.trace === null) return "no trace.txt";
  return actual === fixture.trace ? null : difference("trace.txt", fixture.trace, actual);
}

function difference(name, expected, actual) {
  return `${name} differs:\n${lineDiff(expected, actual)}`;
}

/** A small line diff (expected `-`, actual `+`), enough to read a trace mismatch. */
function lineDiff(expected, actual) {
  const a = expected.split("\n");
  const b = actual.split("\n");
  const out = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    const ahead = b.indexOf(a[i], j);
    if (i < a.length && ahead !== -1 && ahead - j < 20) {
      while (j < ahead) out.push(`  + ${b[j++]}`);
    } else if (i < a.length) {
      out.push(`  - ${a[i++]}`);
    } else {
      out.push(`  + ${b[j++]}`);
    }
  }
  return out.join("\n");
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(file));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(file).mtimeMs);
  }
  return newest;
}

function warnIfStale(built, sourceDirs) {
  const builtAt = statSync(built).mtimeMs;
  const stale = sourceDirs.filter((d) => newestMtime(path.join(root, d)) > builtAt);
  if (stale.length > 0) console.error(`babel8-check: warning: ${stale.join(", ")}/ changed after the last build; run \`npm run build\``);
}

/** Babel 8 honours the input map and the plugin's `yield` maps to its `await` in the original file. */
function sourceMapSmoke() {
  const original = "type Id = string;\nexport async function load(id: Id) {\n  const row: unknown = await fetchRow(id);\n  return row;\n}\n";
  const step1 = babel.transformSync(original, {
    filename: "/project/src/app.ts", cwd: "/project", babelrc: false, configFile: false, sourceMaps: true,
    presets: [resolve8("@babel/preset-typescript")],
  });
  const step2 = babel.transformSync(step1.code, {
    filename: "/project/src/app.ts", cwd: "/project", babelrc: false, configFile: false, sourceMaps: true,
    inputSourceMap: step1.map, plugins: [plugin],
  });
  const at = (text, needle) => {
    const before = text.slice(0, text.indexOf(needle)).split("\n");
    return { line: before.length, column: before[before.length - 1].length };
  };
  // `await fetchRow(id)` runs the callee by delegation: `... ? (_t = yield* _t, ...) ...`.
  const got = originalPositionFor(new TraceMap(step2.map), at(step2.code, "yield* _t"));
  const want = { source: "app.ts", ...at(original, "await fetchRow") };
  const same = got.source === want.source && got.line === want.line && got.column === want.column;
  return same ? null : `the await's yield maps to ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`;
}

// --- Run ------------------------------------------------------------------------------------------
const started = Date.now();
const fixtures = core.loadFixtures().filter((f) => !filter || f.id.includes(filter));
let passed = 0;
const failures = [];
const skipped = [];
for (const fixture of fixtures) {
  if (SKIP[fixture.id]) {
    skipped.push(`${fixture.id}: ${SKIP[fixture.id]}`);
    continue;
  }
  let problem;
  try {
    problem = await check(fixture);
  } catch (error) {
    problem = `threw: ${error && error.stack || error}`;
  }
  if (problem === null) {
    passed++;
    if (verbose) console.log(`ok   ${fixture.id}`);
  } else {
    failures.push(fixture.id);
    console.log(`FAIL ${fixture.id}: ${problem}`);
  }
}
for (const line of skipped) console.log(`skip ${line}`);
let smoke;
try {
  smoke = filter ? null : sourceMapSmoke();
} catch (error) {
  smoke = `threw: ${error && error.stack || error}`;
}
if (smoke !== null) console.log(`FAIL source-map smoke check: ${smoke}`);
console.log(`Babel ${babel.version}, ${fixtures.length} fixtures, ${Date.now() - started} ms${skipped.length ? `, ${skipped.length} skipped` : ""}`);
console.log(`babel8: ${passed} passed, ${failures.length} failed`);
process.exitCode = failures.length > 0 || fixtures.length === 0 || smoke !== null ? 1 : 0;

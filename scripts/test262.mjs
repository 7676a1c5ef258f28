// Conformance (issue 3): runs test262's async tests natively and through the corotask Babel
// plugin, and compares. Usage: npm run build && TEST262_DIR=/path/to/test262 npm run test262
//   [-- --filter SUBSTRING] [--limit N] [--jobs N] [--dist DIR] [--list-failures] [--list-native-failures]
// Each test runs in its own `node` process (test262 tests mutate globals), as a classic script
// (or a module for `flags: [module]`), the compiled one with `runtime: "global:__corotask"`.
// Tests that count microtask ticks are listed, with a reason each, in scripts/test262-ticks.txt;
// they are reported apart. The test262 checkout is never committed.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, availableParallelism } from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const TEST262_DIR = process.env.TEST262_DIR;
if (!TEST262_DIR) {
  console.log("test262: skipped, TEST262_DIR is not set (point it at a test262 checkout)");
  process.exit(0);
}

/** The async-related parts of test262 (issue 3). */
const SELECTED = [
  "test/language/expressions/async-function",
  "test/language/expressions/async-arrow-function",
  "test/language/expressions/async-generator",
  "test/language/expressions/await",
  "test/language/statements/async-function",
  "test/language/statements/async-generator",
  "test/language/statements/for-await-of",
  "test/built-ins/AsyncFunction",
  "test/built-ins/AsyncGeneratorFunction",
  "test/built-ins/AsyncGeneratorPrototype",
  "test/built-ins/AsyncFromSyncIteratorPrototype",
];
/** Class and object-method tests count when their path below these folders, or their source, says async. */
const ASYNC_NAMED = ["test/language/expressions/class", "test/language/statements/class", "test/language/expressions/object/method-definition"];

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const filter = option("--filter", "");
const limit = Number(option("--limit", "Infinity"));
const jobs = Number(option("--jobs", String(Math.max(1, availableParallelism()))));
const listFailures = args.includes("--list-failures");

function walk(dir, out, predicate) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out, predicate);
    else if (entry.name.endsWith(".js") && !entry.name.includes("_FIXTURE") && predicate(full)) out.push(full);
  }
}

function selectTests() {
  const files = [];
  for (const dir of SELECTED) walk(path.join(TEST262_DIR, dir), files, () => true);
  for (const dir of ASYNC_NAMED) {
    const base = path.join(TEST262_DIR, dir);
    walk(base, files, (f) => /async/i.test(path.relative(base, f)) || /\basync\b/.test(readFileSync(f, "utf8")));
  }
  return files.filter((f) => f.includes(filter)).slice(0, limit);
}

/** The YAML frontmatter fields the runner needs. */
function metadata(source) {
  const match = /\/\*---([\s\S]*?)---\*\//.exec(source);
  const yaml = match ? match[1] : "";
  const list = (key) => {
    const inline = new RegExp(`^${key}:\\s*\\[(.*)\\]`, "m").exec(yaml);
    if (inline) return inline[1].split(",").map((s) => s.trim()).filter(Boolean);
    const block = new RegExp(`^${key}:\\s*\\n((?:\\s+-.*\\n?)*)`, "m").exec(yaml);
    return block ? block[1].split("\n").map((l) => l.replace(/^\s*-\s*/, "").trim()).filter(Boolean) : [];
  };
  const negative = /negative:\s*\n\s*phase:\s*(\w+)\s*\n\s*type:\s*(\w+)/.exec(yaml);
  return {
    includes: list("includes"),
    flags: list("flags"),
    negative: negative ? { phase: negative[1], type: negative[2] } : null,
  };
}

const harnessCache = new Map();
function harness(name) {
  if (!harnessCache.has(name)) harnessCache.set(name, readFileSync(path.join(TEST262_DIR, "harness", name), "utf8"));
  return harnessCache.get(name);
}

let babel;
let plugin;
/** The test compiled by the plugin, or the SyntaxError Babel reported. */
function compile(source, isModule, file) {
  return babel.transformSync(source, {
    filename: file,
    babelrc: false,
    configFile: false,
    sourceType: isModule ? "module" : "script",
    parserOpts: { allowReturnOutsideFunction: false },
    plugins: [[plugin, { runtime: "global:__corotask" }]],
  }).code;
}

// --dist DIR: run against a copy of dist (a rebuild during a long run would otherwise pull it away).
const distDir = path.resolve(option("--dist", path.join(root, "dist")));
const runtimePath = path.join(distDir, "cjs/runtime/index.js");
const workDir = mkdtempSync(path.join(tmpdir(), "corotask-test262-"));
let counter = 0;

/** Runs one program; resolves to "pass" or a failure message. */
function runProgram(program, meta, isModule) {
  const file = path.join(workDir, `t${++counter}.${isModule ? "mjs" : "cjs"}`);
  writeFileSync(file, program);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      rmSync(file, { force: true });
      const isAsync = meta.flags.includes("async");
      if (meta.negative) {
        resolve(code !== 0 && out.includes(meta.negative.type) ? "pass" : `expected ${meta.negative.type}: ${out.slice(0, 200)}`);
      } else if (code !== 0) {
        resolve(`exit ${code}: ${out.trim().split("\n").slice(0, 3).join(" | ")}`);
      } else if (isAsync && !out.includes("Test262:AsyncTestComplete")) {
        resolve(`async test did not complete: ${out.trim().slice(0, 200)}`);
      } else {
        resolve("pass");
      }
    });
  });
}

function buildProgram(body, meta, compiled) {
  const isModule = meta.flags.includes("module");
  const strict = meta.flags.includes("onlyStrict") && !isModule ? '"use strict";\n' : "";
  const raw = meta.flags.includes("raw");
  const harnessCode = [];
  if (!raw) {
    // test262's print: the host hook doneprintHandle.js uses.
    harnessCode.push("var print = (s) => console.log(String(s));", harness("assert.js"), harness("sta.js"));
    if (meta.flags.includes("async")) harnessCode.push(harness("doneprintHandle.js"));
    for (const include of meta.includes) harnessCode.push(harness(include));
  }
  if (isModule) {
    const load = compiled ? `globalThis.__corotask = (await import(${JSON.stringify(pathToFileURL(runtimePath).href)})).default;\n` : "";
    return `${load}${harnessCode.join("\n")}\n${body}`;
  }
  // A classic script in the global scope, as test262 expects; the runtime is loaded first.
  const load = compiled ? `globalThis.__corotask = require(${JSON.stringify(runtimePath)});\n` : "";
  return `${load}require("node:vm").runInThisContext(${JSON.stringify(strict + harnessCode.join("\n") + "\n" + body)}, { filename: "test262-test.js" });\n`;
}

async function runTest(file) {
  const source = readFileSync(file, "utf8");
  const meta = metadata(source);
  const isModule = meta.flags.includes("module");
  const native = await runProgram(buildProgram(source, meta, false), meta, isModule);
  let compiledSource;
  try {
    compiledSource = compile((meta.flags.includes("onlyStrict") ? '"use strict";\n' : "") + source, isModule, file);
  } catch (error) {
    const message = String(error && error.message);
    const isSyntax = error && (error.code === "BABEL_PARSE_ERROR" || /SyntaxError|Unexpected|reserved|Invalid/.test(message));
    const transformed = meta.negative && meta.negative.phase !== "resolution" && isSyntax ? "pass" : `compile error: ${message.split("\n")[0]}`;
    return { file, native, transformed };
  }
  const transformed = await runProgram(buildProgram(compiledSource, meta, true), meta, isModule);
  return { file, native, transformed };
}

async function main() {
  if (!existsSync(runtimePath)) {
    console.error(`test262: ${path.relative(root, runtimePath)} is missing; run npm run build first`);
    process.exit(2);
  }
  babel = await import("@babel/core");
  plugin = (await import(pathToFileURL(path.join(distDir, "esm/plugin/babel/index.js")).href)).default;
  const tickTests = new Map(
    (existsSync(path.join(here, "test262-ticks.txt")) ? readFileSync(path.join(here, "test262-ticks.txt"), "utf8") : "")
      .split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#")).map((l) => [l.split(/\s+/)[0], l]),
  );
  const tests = selectTests();
  const results = [];
  let next = 0;
  const started = Date.now();
  await Promise.all(Array.from({ length: jobs }, async () => {
    while (next < tests.length) {
      const file = tests[next++];
      results.push(await runTest(file));
      if (results.length % 500 === 0) console.error(`test262: ${results.length}/${tests.length}`);
    }
  }));
  const rel = (f) => path.relative(TEST262_DIR, f);
  const nativePass = results.filter((r) => r.native === "pass");
  const lost = nativePass.filter((r) => r.transformed !== "pass");
  const lostTicks = lost.filter((r) => tickTests.has(rel(r.file)));
  const lostOther = lost.filter((r) => !tickTests.has(rel(r.file)));
  console.log(`test262: ${results.length} tests in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`  native pass:      ${nativePass.length}`);
  console.log(`  transformed pass: ${nativePass.length - lost.length} of those (${((100 * (nativePass.length - lost.length)) / Math.max(1, nativePass.length)).toFixed(1)}%)`);
  console.log(`  lost, listed as expected (scripts/test262-ticks.txt: tick counting, Task not Promise): ${lostTicks.length}`);
  console.log(`  lost, other: ${lostOther.length}`);
  if (listFailures) for (const r of lostOther) console.log(`FAIL ${rel(r.file)}: ${r.transformed}`);
  if (args.includes("--list-native-failures")) for (const r of results.filter((x) => x.native !== "pass")) console.log(`NATIVE FAIL ${rel(r.file)}: ${r.native}`);
  rmSync(workDir, { recursive: true, force: true });
  process.exitCode = lostOther.length > 0 ? 1 : 0;
}

await main();

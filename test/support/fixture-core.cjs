/**
 * The fixture runner's core, in plain CommonJS so that two hosts share it:
 *   - the Jest pipeline (test/support/*.ts, Babel 7, runtime from source), and
 *   - scripts/babel8-check.mjs (plain Node, Babel 8, runtime from dist).
 * It knows nothing about which Babel or which runtime build is in use: both are passed in.
 * Types: fixture-core.d.cts.
 */
"use strict";
const { existsSync, readdirSync, readFileSync, statSync } = require("node:fs");
const path = require("node:path");

const FIXTURES_DIR = path.resolve(__dirname, "../../fixtures");

function readIfExists(file) {
  return existsSync(file) ? readFileSync(file, "utf8") : null;
}

function readOptions(file) {
  const text = readIfExists(file);
  return text === null ? {} : JSON.parse(text);
}

/** Every fixture case under `root` (`topic/case`, topic options.json inherited), sorted by id. */
function loadFixtures(root = FIXTURES_DIR) {
  const fixtures = [];
  if (!existsSync(root)) return fixtures;
  for (const topic of readdirSync(root).sort()) {
    const topicDir = path.join(root, topic);
    if (!statSync(topicDir).isDirectory()) continue;
    const topicOptions = readOptions(path.join(topicDir, "options.json"));
    for (const name of readdirSync(topicDir).sort()) {
      const dir = path.join(topicDir, name);
      if (!statSync(dir).isDirectory()) continue;
      const inputName = ["input.ts", "input.tsx", "input.js", "input.jsx"].find((n) => existsSync(path.join(dir, n)));
      if (!inputName) throw new Error(`fixture ${topic}/${name} has no input.ts or input.js`);
      const error = readIfExists(path.join(dir, "error.txt"));
      const outputBabel = readIfExists(path.join(dir, "output.babel.js"));
      if (error !== null && outputBabel !== null) {
        throw new Error(`fixture ${topic}/${name} has both error.txt and output.babel.js; an error case has no output`);
      }
      fixtures.push({
        id: `${topic}/${name}`,
        dir,
        inputFile: path.join(dir, inputName),
        input: readFileSync(path.join(dir, inputName), "utf8"),
        options: { ...topicOptions, ...readOptions(path.join(dir, "options.json")) },
        outputBabel,
        trace: readIfExists(path.join(dir, "trace.txt")),
        error,
      });
    }
  }
  return fixtures;
}

/** True for a case that expects a compile error rather than a trace. */
function isErrorFixture(fixture) {
  return fixture.error !== null || fixture.id.startsWith("errors/");
}

/** Transform options of a fixture (its options.json minus the runner's keys). */
function transformOptions(fixture) {
  const { native: _n, timed: _t, presets: _p, knownFailure: _k, ...options } = fixture.options;
  return options;
}

/**
 * Presets a fixture may ask for by name, resolved with `resolve` (so the caller picks the Babel
 * major); `major` adjusts options that differ between Babel 7 and 8.
 */
function presetsFor(names = [], filename, resolve, major = 7) {
  const presets = [];
  const isTs = /\.tsx?$/.test(filename);
  // Babel 8 removed `allowDeclareFields` (it is always on there) and rejects the option.
  if (isTs || names.includes("typescript")) presets.push([resolve("@babel/preset-typescript"), major >= 8 ? {} : { allowDeclareFields: true }]);
  if (names.includes("react")) presets.push([resolve("@babel/preset-react"), { runtime: "classic" }]);
  if (names.includes("env-es5")) presets.push([resolve("@babel/preset-env"), { targets: "ie 11", modules: false }]);
  if (names.includes("env-node")) presets.push([resolve("@babel/preset-env"), { targets: { node: "20" }, modules: false }]);
  return presets;
}

/** A compile error's message as error.txt pins it: paths relative to the fixture folder. */
function compileErrorMessage(fixture, error) {
  return String(error && error.message).split(fixture.dir + "/").join("") + "\n";
}

/** A value of `executeProgram`'s `modules` that stands for the program itself (an import of its own file). */
const SELF = Symbol("the program's own exports");

/**
 * Evaluates CommonJS `code`; `modules` maps the specifiers it may require (to {@link SELF} for
 * the program's own file: an ES module that imports itself gets its own namespace). Returns its exports.
 */
function executeProgram(code, modules, filename = "input.js") {
  const module = { exports: {} };
  const requireFn = (specifier) => {
    if (Object.prototype.hasOwnProperty.call(modules, specifier)) return modules[specifier] === SELF ? module.exports : modules[specifier];
    throw new Error(`fixture ${filename} requires ${JSON.stringify(specifier)}, which the runner does not provide`);
  };
  new Function("exports", "require", "module", `${code}\n//# sourceURL=${filename}`)(module.exports, requireFn, module);
  return module.exports;
}

function formatValue(value) {
  if (typeof value === "string") return value;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === "function") return `[function ${value.name}]`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Runs compiled CommonJS `code` of `fixture` (its `main(log)` export) with `runtime` as the module
 * "corotask" — natively (`native: true`, plain await) or on the runtime's virtual-time loop — and
 * returns the trace text, ending with `result: ...` or `error: ...` for how main ended.
 */
async function runCompiled(code, fixture, runtime, { native = false } = {}) {
  const lines = [];
  const timed = fixture.options.timed === true;
  const log = (...values) => {
    const text = values.map(formatValue).join(" ");
    if (timed) {
      let time = 0;
      try {
        time = runtime.getRunningLoop().time();
      } catch {
        time = 0;
      }
      lines.push(`t=${time.toFixed(3)} ${text}`);
    } else {
      lines.push(text);
    }
  };
  // A fixture may import itself (`import * as self from "./input.js"`, TypeScript's `.js` for `.ts` too).
  // (The fuzzer's programs have no file.)
  const own = fixture.inputFile === undefined ? null : path.basename(fixture.inputFile);
  const modules = own === null ? { corotask: runtime } : { corotask: runtime, [`./${own}`]: SELF, [`./${own.replace(/\.[jt]sx?$/, ".js")}`]: SELF };
  const exports = executeProgram(code, modules, fixture.id);
  const main = exports.main;
  if (typeof main !== "function") throw new Error(`fixture ${fixture.id} does not export a main function`);
  try {
    const result = native ? await main(log) : await runtime.run(() => main(log), { virtualTime: true });
    lines.push(`result: ${formatValue(result)}`);
  } catch (error) {
    lines.push(`error: ${formatValue(error)}`);
  }
  return lines.join("\n") + "\n";
}

module.exports = {
  FIXTURES_DIR,
  loadFixtures,
  isErrorFixture,
  transformOptions,
  presetsFor,
  compileErrorMessage,
  SELF,
  executeProgram,
  formatValue,
  runCompiled,
};

/**
 * Child-process harness of unobserved.test.ts: compiles a program with the corotask Babel plugin
 * (from dist/), runs its `main(reports)` on a virtual-time loop, collects (so that failures
 * nobody retrieved are reported), and prints, per case, main's outcome, what reached the
 * loop's exception handler, and how many unhandled rejections the host saw.
 *   node --expose-gc test/trust/observe-harness.cjs < cases.json   ([{source, mode}], one result each)
 */
"use strict";
const path = require("node:path");
const { readFileSync } = require("node:fs");
const babel = require("@babel/core");
const root = path.resolve(__dirname, "../..");
const plugin = require(path.join(root, "dist/cjs/plugin/babel/index.js")).default;
const runtime = require(path.join(root, "dist/cjs/runtime/index.js"));
const { executeProgram } = require(path.join(root, "test/support/fixture-core.cjs"));

/** Compiles one case with the plugin in `mode`. */
function compile(source, mode) {
  return babel.transformSync(source, {
    filename: path.join(root, "unobserved-case.js"),
    babelrc: false,
    configFile: false,
    sourceType: "module",
    plugins: [[plugin, { mode }], require.resolve("@babel/plugin-transform-modules-commonjs")],
  }).code;
}

/** Unhandled rejections of the case in flight (cases run one at a time). */
let unhandled = [];
process.on("unhandledRejection", (reason) => unhandled.push(String(reason && reason.message)));
const turn = () => new Promise((resolve) => setImmediate(resolve));

async function runCase({ source, mode }) {
  const reports = [];
  unhandled = [];
  const { main } = executeProgram(compile(source, mode), { corotask: runtime }, "unobserved-case.js");
  let outcome;
  try {
    outcome = { result: await runtime.run(() => main(reports), { virtualTime: true }) };
  } catch (error) {
    outcome = { error: `${error && error.name}: ${error && error.message}` };
  }
  // Collections, with host turns between them: failures nobody retrieved are reported when
  // their task is collected, and unhandled rejections after the microtask queue drains.
  for (let i = 0; i < 4; i++) {
    global.gc();
    await turn();
  }
  return { ...outcome, reports, unhandled };
}

(async () => {
  const cases = JSON.parse(readFileSync(0, "utf8"));
  const results = [];
  for (const c of cases) results.push(await runCase(c));
  process.stdout.write(JSON.stringify(results) + "\n");
})();

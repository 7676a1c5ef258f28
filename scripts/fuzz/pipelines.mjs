// The transforms a fuzzed program runs through, each compared against the native run. Adding a
// pipeline (the TypeScript transformer, when it lands) is one entry in PIPELINES.
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { PROGRAM_MARKER } from "./generate.mjs";

const require = createRequire(import.meta.url);
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const DIST = path.join(ROOT, "dist/cjs");

let babel;
function babelCore() {
  return (babel ??= require("@babel/core"));
}

/**
 * Each pipeline: `compile(source, {mode, filename})` turns a program (an ES module exporting
 * `main(log)`) into CommonJS that runs with the runtime supplied as the module "corotask".
 */
export const PIPELINES = [
  // Each entry's compile() gets the generated part only; see compileProgram.
  {
    name: "babel",
    compile(source, { mode, filename }) {
      const plugin = require(path.join(DIST, "plugin/babel/index.js")).default;
      // One pass with CommonJS after the plugin (the fixture suite runs two; the plugin runs
      // first whatever the order, and one pass halves the fuzzer's time).
      return babelCore().transformSync(source, {
        filename,
        babelrc: false,
        configFile: false,
        sourceType: "module",
        highlightCode: false,
        plugins: [[plugin, { mode }], require.resolve("@babel/plugin-transform-modules-commonjs")],
      }).code;
    },
  },
  // { name: "typescript", compile(source, { mode, filename }) { ... } },
];

/**
 * Compiles a fuzzed program with `pipeline`: the prelude before PROGRAM_MARKER has no async
 * function, so it is kept as it is (strict, as the module's CommonJS output is) and only the rest
 * is compiled. Without the marker (a hand-edited reproducer) the whole file is compiled.
 */
export function compileProgram(pipeline, source, options) {
  const at = source.indexOf(PROGRAM_MARKER);
  if (at < 0) return pipeline.compile(source, options);
  const prelude = source.slice(0, at);
  // Imports must stay in the compiled part (the prelude becomes plain script text).
  const imports = prelude.match(/^import .*$/gm) ?? [];
  const rest = prelude.replace(/^import .*$/gm, "");
  return pipeline.compile(imports.join("\n") + "\n" + source.slice(at), options).replace(/^("use strict";)?/, (m) => `${m}\n${rest}\n`);
}

export function selectPipelines(names) {
  if (!names || names.length === 0) return PIPELINES;
  return names.map((name) => {
    const pipeline = PIPELINES.find((p) => p.name === name);
    if (!pipeline) throw new Error(`unknown pipeline ${JSON.stringify(name)}; known: ${PIPELINES.map((p) => p.name).join(", ")}`);
    return pipeline;
  });
}

/**
 * The program as native CommonJS, without Babel: the generator writes exactly one
 * `export async function main` and at most one runtime import line, so a text edit is exact.
 */
export function nativeCommonJs(source) {
  // Strict, as the ES module it stands for (and as Babel's CommonJS output is).
  return (
    '"use strict";\n' +
    source
      .replace(/^import \{([^}]*)\} from "corotask";$/m, 'const {$1} = require("corotask");')
      .replace(/^export async function main\(/m, "async function main(") + "\nexports.main = main;\n"
  );
}

export function loadRuntime() {
  return require(path.join(DIST, "runtime/index.js"));
}

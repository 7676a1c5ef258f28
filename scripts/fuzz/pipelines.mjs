// The transforms a fuzzed program runs through, each compared against the native run: the Babel
// plugin and the TypeScript transformer. Adding a pipeline is one entry in PIPELINES.
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
  {
    name: "typescript",
    compile(source, { mode, filename }) {
      return typescriptCompile(source, { mode, filename });
    },
  },
];

let typescript;
/**
 * The TypeScript transformer (dist's corotask/typescript) as `program.emit`'s `before`
 * transformer, over a Program of the one file (so the type-aware fast path is on, as in the
 * fixture suite's TypeScript pipeline), emitting CommonJS for ES2022. No lib files: the checker
 * needs only the file's own declarations. A syntax error TypeScript reports is a compile error.
 */
function typescriptCompile(source, { mode, filename }) {
  typescript ??= { ts: require("typescript"), corotask: require(path.join(DIST, "plugin/typescript/index.js")).default };
  const { ts, corotask } = typescript;
  const options = {
    module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, allowJs: true, noLib: true, types: [], outDir: "/__out", useDefineForClassFields: true,
  };
  const file = ts.createSourceFile(filename, source, options.target, true);
  const host = ts.createCompilerHost(options);
  const same = (name) => path.resolve(name) === path.resolve(filename);
  host.getSourceFile = (name) => (same(name) ? file : undefined);
  host.fileExists = same;
  host.readFile = (name) => (same(name) ? source : undefined);
  host.getCurrentDirectory = () => path.dirname(filename);
  let code = "";
  host.writeFile = (name, text) => {
    if (!name.endsWith(".map")) code = text;
  };
  const program = ts.createProgram([filename], options, host);
  const syntax = program.getSyntacticDiagnostics(file);
  if (syntax.length > 0) {
    // TypeScript's own parser refuses this JavaScript (it reads `case (a = b): let {…}` as an
    // arrow with a return type, say): before corotask's transformer runs, so not its difference.
    const error = new Error(ts.flattenDiagnosticMessageText(syntax[0].messageText, "\n"));
    error.unparsable = true;
    throw error;
  }
  program.emit(undefined, undefined, undefined, false, { before: [corotask(program, { mode })] });
  return code;
}

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

/** The pipelines `names` selects; none, or "all", selects every one. */
export function selectPipelines(names) {
  if (!names || names.length === 0 || names.includes("all")) return PIPELINES;
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

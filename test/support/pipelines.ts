/**
 * The pipelines the fixtures run through: each turns a fixture's input into CommonJS code that
 * the runner executes with the runtime supplied as the module "corotask". The Babel pipeline is
 * the plugin; later pipelines (TypeScript transformer, loader, bundlers) add entries here.
 */
import * as babel from "@babel/core";
import babelPlugin from "../../plugin/babel/plugin.js";
import type { Fixture } from "./load-fixtures.js";

export interface Pipeline {
  readonly name: string;
  /** The transformed program as CommonJS, ready for {@link executeProgram}. */
  compile(fixture: Fixture): string;
}

/** Presets a fixture may ask for by name. */
export function presetsFor(names: readonly string[] = [], filename: string): babel.PluginItem[] {
  const presets: babel.PluginItem[] = [];
  const isTs = /\.tsx?$/.test(filename);
  if (isTs || names.includes("typescript")) presets.push([require.resolve("@babel/preset-typescript"), { allowDeclareFields: true }]);
  if (names.includes("react")) presets.push([require.resolve("@babel/preset-react"), { runtime: "classic" }]);
  if (names.includes("env-es5")) presets.push([require.resolve("@babel/preset-env"), { targets: "ie 11", modules: false }]);
  if (names.includes("env-node")) presets.push([require.resolve("@babel/preset-env"), { targets: { node: "20" }, modules: false }]);
  return presets;
}

/** Runs the corotask plugin alone (the code whose text `output.babel.js` pins). */
export function transformWithPlugin(source: string, filename: string, options: Record<string, unknown> = {}, presets: string[] = []): string {
  const result = babel.transformSync(source, {
    filename,
    cwd: filename.replace(/\/[^/]*$/, ""),
    babelrc: false,
    configFile: false,
    sourceType: "module",
    presets: presetsFor(presets, filename),
    plugins: [[babelPlugin, options]],
  });
  return result!.code!;
}

/** Turns an ES module into CommonJS for execution (no other change). */
export function toCommonJs(code: string, filename: string): string {
  return babel.transformSync(code, {
    filename: filename.replace(/\.tsx?$/, ".js"),
    babelrc: false,
    configFile: false,
    sourceType: "module",
    plugins: [require.resolve("@babel/plugin-transform-modules-commonjs")],
  })!.code!;
}

/** Transform options of a fixture (its options.json minus the runner's keys). */
export function transformOptions(fixture: Fixture): Record<string, unknown> {
  const { native: _n, timed: _t, presets: _p, knownFailure: _k, ...options } = fixture.options;
  return options;
}

export const babelPipeline: Pipeline = {
  name: "babel",
  compile(fixture) {
    const code = transformWithPlugin(fixture.input, fixture.inputFile, transformOptions(fixture), fixture.options.presets);
    return toCommonJs(code, fixture.inputFile);
  },
};

/** The untransformed program (plain JS fixtures only): what native async functions do. */
export const nativePipeline: Pipeline = {
  name: "native",
  compile(fixture) {
    return toCommonJs(fixture.input, fixture.inputFile);
  },
};

export const PIPELINES: readonly Pipeline[] = [babelPipeline];

/** Evaluates CommonJS `code`; `modules` maps the specifiers it may require. Returns its exports. */
export function executeProgram(code: string, modules: Record<string, unknown>, filename = "input.js"): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  const requireFn = (specifier: string) => {
    if (specifier in modules) return modules[specifier];
    throw new Error(`fixture ${filename} requires ${JSON.stringify(specifier)}, which the runner does not provide`);
  };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function("exports", "require", "module", `${code}\n//# sourceURL=${filename}`)(module.exports, requireFn, module);
  return module.exports;
}

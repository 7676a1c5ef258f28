/**
 * The pipelines the fixtures run through: each turns a fixture's input into CommonJS code that
 * the runner executes with the runtime supplied as the module "corotask". The Babel pipeline is
 * the plugin; later pipelines (TypeScript transformer, loader, bundlers) add entries here.
 */
import * as babel from "@babel/core";
import * as path from "node:path";
import ts from "typescript";
import babelPlugin from "../../plugin/babel/plugin.js";
import corotask from "../../plugin/typescript/index.js";
import type { Fixture } from "./load-fixtures.js";
import { executeProgram, presetsFor as sharedPresetsFor, transformOptions } from "./fixture-core.cjs";
import { cliPipeline } from "./pipelines/cli.js";
import { loaderPipeline } from "./pipelines/loader.js";
import { bundlerPipelines } from "./pipelines/bundlers.js";

// Shared with scripts/babel8-check.mjs (fixture-core.cjs).
export { executeProgram, transformOptions };

export interface Pipeline {
  readonly name: string;
  /** The transformed program as CommonJS, ready for {@link executeProgram}. */
  compile(fixture: Fixture): string;
  /** Why this pipeline cannot run `fixture` (the test is skipped, saying so), or null. */
  skip?(fixture: Fixture): string | null;
  /** Work to do once before the first compile (a bundler's one build of every fixture). */
  prepare?(): Promise<void>;
  /** Why this pipeline cannot run `fixture` (it then runs as a known failure), or undefined. */
  knownFailure?(fixture: Fixture): string | undefined;
}

/** Presets a fixture may ask for by name (Babel 7's). */
export function presetsFor(names: readonly string[] = [], filename: string): babel.PluginItem[] {
  return sharedPresetsFor(names, filename, require.resolve, 7);
}

/** Runs the corotask plugin alone (the code whose text `output.babel.js` pins). */
export function transformWithPlugin(source: string, filename: string, options: Record<string, unknown> = {}, presets: string[] = []): string {
  const result = babel.transformSync(source, {
    filename,
    cwd: filename.replace(/\/[^/]*$/, ""),
    babelrc: false,
    configFile: false,
    sourceType: "module",
    // Plain code frames, whatever the terminal (CI=true makes Babel colour them).
    highlightCode: false,
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

export const PIPELINES: readonly Pipeline[] = [babelPipeline, tscPipeline, cliPipeline, loaderPipeline, ...bundlerPipelines];


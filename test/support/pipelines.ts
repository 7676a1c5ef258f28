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

/**
 * Compiler options a fixture's presets stand for in the TypeScript pipeline. "env-es5" is
 * TypeScript to ES2015 and then Babel's preset-env (as docs/typescript.md says for ES5 targets:
 * TypeScript's own lowered generators are not frames the runtime can step).
 */
function tsOptionsFor(presets: readonly string[] = []): ts.CompilerOptions {
  const es5 = presets.includes("env-es5");
  return {
    target: es5 ? ts.ScriptTarget.ES2015 : ts.ScriptTarget.ES2022,
    ...(es5 ? { module: ts.ModuleKind.ES2015 } : {}),
    ...(presets.includes("react") ? { jsx: ts.JsxEmit.React } : {}),
  };
}

/**
 * Compiles one file with TypeScript and the corotask transformer (through a Program, so the
 * type-aware fast path is on). No lib files: the checker needs only this file's own declarations,
 * and parsing lib.d.ts per fixture would cost more than the whole transform.
 */
export function transformWithTypeScript(
  source: string, filename: string, options: Record<string, unknown> = {}, compilerOptions: ts.CompilerOptions = {},
): { code: string; map: string | undefined; diagnostics: readonly ts.Diagnostic[] } {
  const full: ts.CompilerOptions = {
    module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, allowJs: true, noLib: true, types: [], outDir: "/__out",
    experimentalDecorators: true, useDefineForClassFields: true, ...compilerOptions,
  };
  const dir = path.dirname(filename);
  const host = ts.createCompilerHost(full);
  const sourceFile = ts.createSourceFile(filename, source, full.target ?? ts.ScriptTarget.ES2022, true);
  host.getSourceFile = (name) => (path.resolve(name) === path.resolve(filename) ? sourceFile : undefined);
  host.fileExists = (name) => path.resolve(name) === path.resolve(filename);
  host.readFile = (name) => (path.resolve(name) === path.resolve(filename) ? source : undefined);
  host.getCurrentDirectory = () => dir;
  let code = "";
  let map: string | undefined;
  host.writeFile = (name, text) => {
    if (name.endsWith(".map")) map = text;
    else code = text;
  };
  const program = ts.createProgram([filename], full, host);
  const result = program.emit(undefined, undefined, undefined, false, { before: [corotask(program, options)] });
  return { code, map, diagnostics: [...program.getSyntacticDiagnostics(sourceFile), ...result.diagnostics] };
}

export const tscPipeline: Pipeline = {
  name: "typescript",
  compile(fixture) {
    const { code, diagnostics } = transformWithTypeScript(fixture.input, fixture.inputFile, transformOptions(fixture), tsOptionsFor(fixture.options.presets));
    if (diagnostics.length > 0) throw new Error(ts.formatDiagnostics(diagnostics, ts.createCompilerHost({})));
    if (!fixture.options.presets?.includes("env-es5")) return code;
    return babel.transformSync(code, {
      filename: fixture.inputFile.replace(/\.tsx?$/, ".js"),
      babelrc: false,
      configFile: false,
      sourceType: "module",
      presets: [[require.resolve("@babel/preset-env"), { targets: "ie 11", modules: "commonjs" }]],
    })!.code!;
  },
};

export const PIPELINES: readonly Pipeline[] = [babelPipeline, tscPipeline, cliPipeline, loaderPipeline, ...bundlerPipelines];


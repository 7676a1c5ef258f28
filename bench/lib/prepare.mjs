/**
 * Compiles every workload's source.js once per compiled variant into .bench-out/bench/<variant>/,
 * with that variant's env.js beside it.
 */
import { transformAsync } from "@babel/core";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import corotaskTypeScript from "corotask/typescript";
import { BENCH_DIR, ROOT, VARIANTS, compiledPath } from "./variants.mjs";

/**
 * corotask/typescript over one ES module: through a Program (`checker`: the type-aware fast
 * path) or as transpileModule does, with no Program. Output: ES2022, ES modules.
 */
export function compileWithTypeScript(source, filename, options, { checker }) {
  const compilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, allowJs: true, noLib: true, types: [], outDir: "/__out" };
  if (!checker) {
    return ts.transpileModule(source, { fileName: filename, compilerOptions, transformers: { before: [corotaskTypeScript(undefined, options)] } }).outputText;
  }
  const host = ts.createCompilerHost(compilerOptions);
  const sourceFile = ts.createSourceFile(filename, source, ts.ScriptTarget.ES2022, true);
  host.getSourceFile = (name) => (name === filename ? sourceFile : undefined);
  host.fileExists = (name) => name === filename;
  host.getCurrentDirectory = () => path.dirname(filename);
  let code = "";
  host.writeFile = (name, text) => {
    if (!name.endsWith(".map")) code = text;
  };
  const program = ts.createProgram([filename], compilerOptions, host);
  program.emit(sourceFile, undefined, undefined, false, { before: [corotaskTypeScript(program, options)] });
  return code;
}
const TYPESCRIPT_COMPILERS = { "corotask-tsc": { checker: true }, "corotask-tsc-dynamic": { checker: false } };

const COMPILERS = {
  none: null,
  a2g: (options) => ["@babel/plugin-transform-async-to-generator", options ?? {}],
  // "corotask/babel" resolves through the package's self-reference: this file is inside it.
  "corotask-babel": (options) => ["corotask/babel", options ?? {}],
};

export async function compileSources(workloads, variants) {
  for (const variant of variants) {
    const spec = VARIANTS[variant];
    if (spec.kind !== "source" || spec.sameAs !== undefined) continue;
    const viaTypeScript = TYPESCRIPT_COMPILERS[spec.compiler];
    const makePlugin = viaTypeScript ? undefined : COMPILERS[spec.compiler];
    if (makePlugin === undefined && !viaTypeScript) throw new Error(`no compiler ${spec.compiler} for ${variant}`);
    for (const workload of workloads) {
      const input = path.join(BENCH_DIR, "workloads", workload, "source.js");
      if (!existsSync(input)) continue;
      const out = compiledPath(workload, variant);
      await mkdir(path.dirname(out), { recursive: true });
      await copyFile(path.join(BENCH_DIR, "env", `${spec.env}.js`), path.join(path.dirname(out), "env.js"));
      const source = await readFile(input, "utf8");
      if (makePlugin === null) {
        await writeFile(out, source);
        continue;
      }
      if (viaTypeScript) {
        await writeFile(out, compileWithTypeScript(source, input, spec.options, viaTypeScript));
        continue;
      }
      const { code } = await transformAsync(source, {
        filename: input,
        cwd: ROOT,
        babelrc: false,
        configFile: false,
        sourceType: "module",
        plugins: [makePlugin(spec.options)],
      });
      await writeFile(out, code);
    }
  }
}

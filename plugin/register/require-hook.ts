/**
 * The CommonJS side of `corotask/register`: compiles the project's CommonJS files (.cts, .ts and
 * .js of a CommonJS package, .cjs) on the main thread as require() loads them, through
 * Node's extension handlers, as ts-node and tsx do. Node 20 calls no resolve hook for require(),
 * and a CommonJS module whose source an ES module hook returned gets a require() that cannot
 * load ES modules (`request for './x.js' is not in cache`): this path has neither problem.
 */
import { readFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import * as path from "node:path";
import type * as CompileFileModule from "../compile-file.js";
import { compileAndStore, compilerLoadError, lookUp, type Compile } from "./compile-cached.js";
import { hookSetup, mayContainAsync, TYPESCRIPT_EXTENSIONS, type HookData } from "./hooks.js";
import { moduleFormat } from "./module-format.js";

type ExtensionHandler = (module: { _compile(code: string, filename: string): unknown }, filename: string) => void;

/** Installs the handlers for .ts/.cts/.tsx (so that require finds them by extension too) and wraps those of .js/.cjs. */
export function installRequireHook(data: HookData): void {
  const { compiler, isIncluded } = hookSetup(data);
  const extensions = (Module as unknown as { _extensions: Record<string, ExtensionHandler> })._extensions;
  const jsHandler = extensions[".js"]!;
  // An ES module required from CommonJS (require(esm)): Node's own handler, via the module hooks.
  const esmHandler = extensions[".mjs"] ?? jsHandler;
  let compile: Compile | null = null;
  const compiling = (original: ExtensionHandler): ExtensionHandler =>
    function (this: unknown, module, filename) {
      if (!isIncluded(filename)) return original.call(this, module, filename);
      const source = readFileSync(filename, "utf8");
      if (moduleFormat(filename, source) === "module") return (filename.endsWith(".js") ? original : esmHandler).call(this, module, filename);
      const isTypeScript = TYPESCRIPT_EXTENSIONS.includes(path.extname(filename).toLowerCase());
      if (!isTypeScript && !mayContainAsync(source)) return original.call(this, module, filename);
      const cached = lookUp(source, filename, "commonjs", data.options, compiler);
      // The CommonJS build of compile-file: loading the ES one from here would go through the module hooks.
      if (compile === null) {
        const compilerFile = path.join(data.distDir, "cjs", "plugin", "compile-file.js");
        try {
          compile = (createRequire(compilerFile)(compilerFile) as typeof CompileFileModule).compileFile;
        } catch (error) {
          throw compilerLoadError(error);
        }
      }
      module._compile(cached.code ?? compileAndStore(cached.key, source, filename, "commonjs", data.options, compile), filename);
    };
  extensions[".js"] = compiling(jsHandler);
  if (extensions[".cjs"] !== undefined) extensions[".cjs"] = compiling(extensions[".cjs"]);
  for (const ext of [".ts", ".cts", ".tsx"]) extensions[ext] = compiling(jsHandler);
  extensions[".mts"] ??= esmHandler;
}

/**
 * The Babel plugin `corotask/babel`: wires the passes, in order, from `Program` enter, so that
 * the rewrite is done before any other plugin's visitors (preset-env's async transforms
 * included) see the file.
 */
import type { ConfigAPI, NodePath, PluginObj, PluginPass, types as BabelTypes } from "@babel/core";
import { validateOptions } from "../options.js";
import { SourcePositions, type RawSourceMap } from "../frame-info.js";
import { FileContext, type Types } from "./context.js";
import { selectFunctions } from "./select-functions.js";
import { rewriteAwaits } from "./rewrite-awaits.js";
import { functionHeaderOf, inferredName, wrapFunction } from "./wrap-function.js";
import { insertRuntimeHeader } from "./import-runtime.js";

interface BabelApi extends ConfigAPI {
  types: Types;
}

function inputSourceMap(file: PluginPass["file"]): RawSourceMap | null {
  const input = (file as unknown as { inputMap?: { toObject?: () => RawSourceMap; sourcemap?: RawSourceMap } | null }).inputMap;
  if (!input) return null;
  return input.toObject?.() ?? input.sourcemap ?? null;
}

function compileFunction(ctx: FileContext, path: NodePath<BabelTypes.Function>): void {
  let fn = path;
  let name = "";
  const header = functionHeaderOf(ctx, path.node);
  if (fn.isArrowFunctionExpression()) {
    name = inferredName(ctx.t, fn);
    fn = fn.arrowFunctionToExpression({ allowInsertArrow: true, noNewArrows: true }) as NodePath<BabelTypes.Function>;
  } else if (fn.isFunctionExpression() && !fn.node.id) {
    name = inferredName(ctx.t, fn);
  }
  const rewritten = rewriteAwaits(ctx, fn);
  wrapFunction(ctx, fn, rewritten, name, header);
}

/** The plugin factory, for Babel 7 (7.22+) and Babel 8. */
export default function corotaskBabelPlugin(api: BabelApi, rawOptions: unknown): PluginObj {
  api.assertVersion("^7.22.0 || ^8.0.0");
  const options = validateOptions(rawOptions && typeof rawOptions === "object" && Object.keys(rawOptions).length === 0 ? undefined : rawOptions);
  const t = api.types;
  return {
    name: "corotask",
    visitor: {
      Program: {
        enter(program, state) {
          const file = state.file;
          const cwd = file.opts.cwd ?? process.cwd();
          const positions = new SourcePositions(file.code, file.opts.filename, file.opts.root ?? cwd, inputSourceMap(file));
          const ctx = new FileContext(t, options, program, positions, file.code);
          selectFunctions(ctx, compileFunction);
          if (ctx.used) {
            insertRuntimeHeader(ctx);
            program.scope.crawl();
          }
        },
      },
    },
  };
}

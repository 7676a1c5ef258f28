/**
 * The Babel plugin `corotask/babel`: wires the passes, in order, from `Program` enter, so that
 * the rewrite is done before any other plugin's visitors (preset-env's async transforms
 * included) see the file.
 */
import type { ConfigAPI, NodePath, PluginObj, PluginPass, types as BabelTypes } from "@babel/core";
import { validateOptions } from "../options.js";
import { SourcePositions, type RawSourceMap } from "../frame-info.js";
import { FileContext, refusal, withoutStack, type Types } from "./context.js";
import { selectFunctions } from "./select-functions.js";
import { rewriteAwaits } from "./rewrite-awaits.js";
import { functionHeaderOf, inferredName, placeHoisted, wrapFunction } from "./wrap-function.js";
import { insertRuntimeHeader } from "./import-runtime.js";
import { codeFrame } from "../compile-error.js";
import { deepestNesting, deepNestingReason, isStackOverflow, lineAndColumn } from "../deep-nesting.js";

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
    fn = giveStaticThisAHome(ctx, fn);
    fn = fn.arrowFunctionToExpression({ allowInsertArrow: true, noNewArrows: true }) as NodePath<BabelTypes.Function>;
  } else if (fn.isFunctionExpression() && !fn.node.id) {
    name = inferredName(ctx.t, fn);
  }
  const rewritten = rewriteAwaits(ctx, fn);
  wrapFunction(ctx, fn, rewritten, name, header);
}

/** True when `arrow` uses `this` or `super` of its own environment (not of a nested function). */
function usesLexical(arrow: NodePath<BabelTypes.ArrowFunctionExpression>, type: "ThisExpression" | "Super"): boolean {
  let found = false;
  const visit = (p: NodePath): void => {
    found = true;
    p.stop();
  };
  arrow.traverse({
    Function(p) {
      if (!p.isArrowFunctionExpression()) p.skip();
    },
    ThisExpression(p) {
      if (type === "ThisExpression") visit(p);
    },
    Super(p) {
      if (type === "Super") visit(p);
    },
  });
  return found;
}

/**
 * Babel's arrow conversion takes `this` from the nearest function or instance field, so in a
 * static field or a static block it would read the module's `this` instead of the class. Such
 * an initializer (or block body) is moved into `function () { ... }.call(this)`, where `this`
 * is the class; returns the arrow's path in its new place. `super` there cannot be moved: it is
 * a compile error rather than wrong code.
 */
function giveStaticThisAHome(ctx: FileContext, arrow: NodePath<BabelTypes.ArrowFunctionExpression>): NodePath<BabelTypes.ArrowFunctionExpression> {
  const env = arrow.findParent((p) => (p.isFunction() && !p.isArrowFunctionExpression()) || p.isProgram() || p.isClassProperty() || p.isClassPrivateProperty() || p.isStaticBlock());
  if (env === null) return arrow;
  const isStatic = env.isStaticBlock() || ((env.isClassProperty() || env.isClassPrivateProperty()) && env.node.static === true);
  if (!isStatic || !usesLexical(arrow, "ThisExpression")) return arrow;
  if (usesLexical(arrow, "Super")) {
    throw refusal(arrow, "corotask cannot compile an async arrow that uses both `this` and `super` in a static field or static block; make it a static async method");
  }
  const t = ctx.t;
  const node = arrow.node;
  const callWithThis = (body: BabelTypes.Statement[]) =>
    t.callExpression(t.memberExpression(t.functionExpression(null, [], t.blockStatement(body)), t.identifier("call")), [t.thisExpression()]);
  if (env.isStaticBlock()) {
    env.node.body = [t.expressionStatement(callWithThis(env.node.body))];
  } else {
    const property = env.node as BabelTypes.ClassProperty | BabelTypes.ClassPrivateProperty;
    property.value = callWithThis([t.returnStatement(property.value!)]);
  }
  env.requeue();
  let moved: NodePath<BabelTypes.ArrowFunctionExpression> | null = null;
  env.traverse({
    ArrowFunctionExpression(p) {
      if (p.node === node) {
        moved = p;
        p.stop();
      }
    },
  });
  if (moved === null) throw refusal(arrow, "corotask lost an async arrow while moving a static initializer (please report this)");
  return moved;
}

/**
 * The error for a file whose nesting ran the traversal out of stack (a RangeError thrown from
 * deep inside Babel's recursion, which says nothing about where): one message at the start of
 * the deepest nesting, with its code frame, shaped as {@link refusal}'s.
 */
function tooDeep(code: string): Error {
  const deepest = deepestNesting(code);
  if (deepest === null) return withoutStack(Object.assign(new SyntaxError(deepNestingReason(undefined)), { reason: deepNestingReason(undefined) }));
  const { line, column } = lineAndColumn(code, deepest.offset);
  const reason = deepNestingReason(deepest.depth);
  return withoutStack(Object.assign(new SyntaxError(`${reason}\n${codeFrame(code, line, column)}`), { reason, loc: { line, column }, span: 1 }));
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
          try {
            selectFunctions(ctx, compileFunction);
            placeHoisted(ctx);
            if (ctx.used) {
              insertRuntimeHeader(ctx);
              program.scope.crawl();
            }
          } catch (error) {
            throw isStackOverflow(error) ? tooDeep(file.code) : error;
          }
        },
      },
    },
  };
}

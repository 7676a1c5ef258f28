/**
 * Selects the coroutine functions of a program: every async function, visited innermost first
 * (on exit), so that a function is wrapped after everything nested in it.
 */
import type { NodePath, types as BabelTypes, Visitor } from "@babel/core";
import type { FileContext } from "./context.js";
import { finishClass, finishObject } from "./wrap-function.js";
import { rewriteOwnNameWrites } from "./own-name.js";

/** Called for each coroutine function, innermost first. */
export type CoroutineFunctionHandler = (ctx: FileContext, path: NodePath<BabelTypes.Function>) => void;

export function selectFunctions(ctx: FileContext, handle: CoroutineFunctionHandler): void {
  const visitor: Visitor<FileContext> = {
    FunctionExpression: {
      // Before anything inside changes: the scope's record of the own name's writes is exact.
      enter(path, state) {
        if (!path.node.async || !path.node.id) return;
        const refs = rewriteOwnNameWrites(state, path);
        if (refs) state.ownNameRefs.set(path.node, refs);
      },
    },
    Function: {
      exit(path, state) {
        if (path.node.async) handle(state, path);
      },
    },
    ObjectExpression: {
      exit(path, state) {
        finishObject(state, path);
      },
    },
    ClassBody: {
      exit(path, state) {
        finishClass(state, path);
      },
    },
  };
  ctx.program.traverse(visitor, ctx);
}

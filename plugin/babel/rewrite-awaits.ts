/**
 * Rewrites the await sites of one coroutine function body into `yield`s the runtime steps, and
 * marks its catch clauses. Nested functions are not entered: each is rewritten on its own.
 */
import type { NodePath, types as BabelTypes, Visitor } from "@babel/core";
import type { SiteRecord } from "../frame-info.js";
import { refusal, staticBodyOf, withLoc, type FileContext, type Identifier, type Types } from "./context.js";
import { BODY_TEMPS, isInertOperand, returnIsAwaited, type OperandKind } from "../emit-rules.js";

/** What rewriting one body produced: its await sites and catch sites, and the temporaries it needs. */
export interface RewrittenBody {
  sites: SiteRecord[];
  catches: SiteRecord[];
}

interface BodyState {
  ctx: FileContext;
  fn: NodePath<BabelTypes.Function>;
  /** The body is an async generator's: its own yields and returns are rewritten too. */
  generator: boolean;
  sites: SiteRecord[];
  catches: SiteRecord[];
  /** The operand temporary (`_t`): safe to share between nested awaits, see rewriteAwait. */
  value: Identifier | null;
  /** The receiver temporary of member calls (`_o`). */
  receiver: Identifier | null;
  /** The callee temporary of delegating calls (`_b`: the body called, or the callee itself). */
  callee: Identifier | null;
  /** `_k`: the chain index of this frame's callees, read when the body starts; made by the first delegating await. */
  depth: Identifier | null;
  /** The statements the catch clauses start with (and their clause), completed once it is known whether the body delegates. */
  catchWrites: Array<{ write: BabelTypes.ExpressionStatement; clause: BabelTypes.CatchClause; index: number }>;
}

const bodyVisitor: Visitor<BodyState> = {
  Function(path) {
    path.skip();
  },
  AwaitExpression: {
    exit(path, state) {
      rewriteAwait(path, state);
    },
  },
  CatchClause(path, state) {
    if (state.ctx.emitted.has(path.node)) return;
    const t = state.ctx.t;
    const index = state.catches.push(state.ctx.site(path.node)) - 1;
    const write = t.expressionStatement(
      t.assignmentExpression("=", t.memberExpression(state.ctx.alias("sr"), t.identifier("caught")), t.numericLiteral(index)),
    );
    state.catchWrites.push({ write, clause: path.node, index });
    path.get("body").unshiftContainer("body", write);
  },
  ForOfStatement: {
    exit(path, state) {
      if (path.node.await) rewriteForAwait(path, state);
    },
  },
  VariableDeclaration: {
    exit(path, state) {
      if ((path.node.kind as string) === "await using") rewriteAwaitUsing(path, state);
    },
  },
  Identifier(path, state) {
    // `yield` may name a variable in a sloppy async function; in the generator body it would be
    // the keyword. Rename its binding, or read a global of that name through globalThis.
    if (path.node.name !== "yield" || state.generator) return;
    const binding = path.scope.getBinding("yield");
    if (binding) {
      binding.scope.rename("yield", state.ctx.uid(binding.scope, "yield"));
    } else if (isGlobalYieldReference(path as NodePath)) {
      const t = state.ctx.t;
      path.replaceWith(t.memberExpression(t.identifier("globalThis"), t.identifier("yield")));
    }
  },
  YieldExpression: {
    exit(path, state) {
      if (state.generator && !state.ctx.emitted.has(path.node)) rewriteYield(path, state);
    },
  },
  ReturnStatement: {
    exit(path, state) {
      const argument = path.node.argument;
      if (!state.generator || !argument || !returnIsAwaited(operandKind(state.ctx.t, argument))) return;
      // `return x` in an async generator awaits x inside the body (a rejection is catchable there).
      const t = state.ctx.t;
      const index = state.sites.push(state.ctx.site(path.node)) - 1;
      const value = valueTemp(state);
      path.get("argument").replaceWith(emittedYield(state, t.sequenceExpression([
        t.assignmentExpression("=", value, argument), writeSiteExpression(state, index), valueTemp(state),
      ]), false, argument));
    },
  },
};

/** A free `yield` read or written as a variable (not a property key, label or declaration). */
function isGlobalYieldReference(path: NodePath): boolean {
  const parent = path.parentPath!;
  return path.isReferencedIdentifier() || parent.isAssignmentExpression({ left: path.node }) || parent.isUpdateExpression();
}

function writeSiteExpression(state: BodyState, index: number): BabelTypes.Expression {
  const t = state.ctx.t;
  return t.assignmentExpression("=", t.memberExpression(state.ctx.alias("sr"), t.identifier("at")), t.numericLiteral(index));
}

/**
 * A yield the rewrite emitted (an await, or a delegation to a runtime helper): its own visitors
 * skip it. It takes the position of `from` (the await, loop or declaration it stands for), so that
 * the output source map points it back there.
 */
function emittedYield(state: BodyState, argument: BabelTypes.Expression, delegate = false, from?: BabelTypes.Node): BabelTypes.YieldExpression {
  const node = withLoc(state.ctx.t.yieldExpression(argument, delegate), from);
  state.ctx.emitted.add(node);
  return node;
}

/** An async generator's own `yield v` -> `yield (_agy.value = v, _agy)`; `yield* x` -> `yield* _agd(x)`. */
function rewriteYield(path: NodePath<BabelTypes.YieldExpression>, state: BodyState): void {
  const t = state.ctx.t;
  const argument = path.node.argument ?? t.unaryExpression("void", t.numericLiteral(0));
  if (path.node.delegate) {
    path.replaceWith(emittedYield(state, t.callExpression(state.ctx.alias("agd"), [argument]), true, path.node));
    return;
  }
  const request = state.ctx.alias("agy");
  path.replaceWith(emittedYield(state, t.sequenceExpression([
    t.assignmentExpression("=", t.memberExpression(request, t.identifier("value")), argument),
    state.ctx.alias("agy"),
  ]), false, path.node));
}

/**
 * `for await (const x of it) body` ->
 *   const _r = _ai(it);
 *   try { for (; !(yield* _ais(_r, i));) { const x = _r.value; body } }
 *   catch (_e) { yield* _aic(_r, i, true); throw _e; } finally { yield* _aic(_r, i, false); }
 * A label on the loop stays on the inner `for`, so `continue label` still names a loop.
 */
function rewriteForAwait(path: NodePath<BabelTypes.ForOfStatement>, state: BodyState): void {
  const { ctx } = state;
  const t = ctx.t;
  const node = path.node;
  const index = state.sites.push(ctx.site(node)) - 1;
  const record = ctx.uidIdentifier(path.scope, "iter");
  const error = ctx.uidIdentifier(path.scope, "e");
  const value = t.memberExpression(t.cloneNode(record), t.identifier("value"));
  const left = node.left;
  const bind = t.isVariableDeclaration(left)
    ? t.variableDeclaration(left.kind, [t.variableDeclarator(left.declarations[0]!.id, value)])
    : t.expressionStatement(t.assignmentExpression("=", left as BabelTypes.LVal, value));
  const step = emittedYield(state, t.callExpression(ctx.alias("ais"), [t.cloneNode(record), t.numericLiteral(index)]), true, node);
  let loop: BabelTypes.Statement = withLoc(t.forStatement(null, t.unaryExpression("!", step), null, t.blockStatement([bind, node.body])), node);
  let target: NodePath = path;
  while (target.parentPath?.isLabeledStatement()) {
    loop = withLoc(t.labeledStatement(t.cloneNode(target.parentPath.node.label), loop), target.parentPath.node);
    target = target.parentPath;
  }
  const close = (throwing: boolean) => t.expressionStatement(emittedYield(state,
    t.callExpression(ctx.alias("aic"), [t.cloneNode(record), t.numericLiteral(index), t.booleanLiteral(throwing)]), true, node));
  const handler = t.catchClause(t.cloneNode(error), t.blockStatement([close(true), t.throwStatement(t.cloneNode(error))]));
  ctx.emitted.add(handler);
  const replacement = withLoc(t.blockStatement([
    withLoc(t.variableDeclaration("const", [t.variableDeclarator(record, t.callExpression(ctx.alias("ai"), [node.right]))]), node),
    t.tryStatement(t.blockStatement([loop]), handler, t.blockStatement([close(false)])),
  ]), node);
  target.replaceWith(replacement);
}

/**
 * `await using x = v; rest` (in a block) ->
 *   const _s = _ads(); try { const x = _s.use(v); rest } catch (_e) { _s.fail(_e); } finally { yield* _s.dispose(i); }
 */
function rewriteAwaitUsing(path: NodePath<BabelTypes.VariableDeclaration>, state: BodyState): void {
  const { ctx } = state;
  const t = ctx.t;
  const parent = path.parentPath;
  if (!parent.isBlockStatement() && !parent.isSwitchCase() && !parent.isStaticBlock() || !Array.isArray(path.container)) {
    throw refusal(path, "corotask cannot compile `await using` here (only as a statement in a block)");
  }
  if (parent.isSwitchCase()) throw refusal(path, "corotask cannot compile `await using` directly in a switch case; wrap it in a block { }");
  const index = state.sites.push(ctx.site(path.node)) - 1;
  const scopeId = ctx.uidIdentifier(path.scope, "usings");
  const error = ctx.uidIdentifier(path.scope, "e");
  const declaration = t.variableDeclaration("const", path.node.declarations.map((d) =>
    t.variableDeclarator(d.id, t.callExpression(t.memberExpression(t.cloneNode(scopeId), t.identifier("use")), [d.init ?? t.identifier("undefined")])),
  ));
  const container = path.container as BabelTypes.Statement[];
  const at = path.key as number;
  const rest = container.slice(at + 1);
  const handler = t.catchClause(t.cloneNode(error), t.blockStatement([
    t.expressionStatement(t.callExpression(t.memberExpression(t.cloneNode(scopeId), t.identifier("fail")), [t.cloneNode(error)])),
  ]));
  ctx.emitted.add(handler);
  const dispose = emittedYield(state, t.callExpression(t.memberExpression(t.cloneNode(scopeId), t.identifier("dispose")), [t.numericLiteral(index)]), true, path.node);
  withLoc(declaration, path.node);
  const replacement = [
    withLoc(t.variableDeclaration("const", [t.variableDeclarator(scopeId, t.callExpression(ctx.alias("ads"), []))]), path.node),
    t.tryStatement(t.blockStatement([declaration, ...rest]), handler, t.blockStatement([t.expressionStatement(dispose)])),
  ];
  for (let i = container.length - 1; i > at; i--) (parent.get("body") as NodePath[])[i]!.remove();
  path.replaceWithMultiple(replacement);
}

/**
 * Rewrites every await of `fn`'s body (the function is still async and untouched otherwise).
 * Temporaries are declared at the top of the body.
 */
export function rewriteAwaits(ctx: FileContext, fn: NodePath<BabelTypes.Function>): RewrittenBody {
  const state: BodyState = {
    ctx, fn, generator: fn.node.generator === true, sites: [], catches: [], value: null, receiver: null, callee: null, depth: null, catchWrites: [],
  };
  const body = fn.get("body");
  if (!state.generator && fn.scope.hasOwnBinding("yield")) fn.scope.rename("yield", ctx.uid(fn.scope, "yield"));
  if (body.isBlockStatement()) body.traverse(bodyVisitor, state);
  const t = ctx.t;
  if (state.depth !== null) {
    // A body that delegates: its catch clauses go through `_c(error, index, _k)`, which sets the
    // depth back past the callees the error left and gives it their `at async` stack lines.
    for (const { write, clause, index } of state.catchWrites) {
      const error = t.isIdentifier(clause.param) ? t.cloneNode(clause.param) : t.unaryExpression("void", t.numericLiteral(0));
      write.expression = t.callExpression(ctx.alias("c"), [error, t.numericLiteral(index), t.cloneNode(state.depth)]);
    }
  }
  const temps = [state.value, state.receiver, state.callee].filter((x): x is Identifier => x !== null).map((id) => t.variableDeclarator(t.cloneNode(id)));
  if (state.depth !== null) temps.unshift(t.variableDeclarator(t.cloneNode(state.depth), t.memberExpression(ctx.alias("sr"), t.identifier("depth"))));
  if (temps.length > 0 && body.isBlockStatement()) {
    body.unshiftContainer("body", t.variableDeclaration("var", temps));
  }
  return { sites: state.sites, catches: state.catches };
}

function depthLocal(state: BodyState): Identifier {
  state.depth ??= state.ctx.uidIdentifier(state.fn.scope, BODY_TEMPS.depth);
  return state.ctx.t.cloneNode(state.depth);
}

function valueTemp(state: BodyState): Identifier {
  state.value ??= state.ctx.uidIdentifier(state.fn.scope, BODY_TEMPS.value);
  return state.ctx.t.cloneNode(state.value);
}

function calleeTemp(state: BodyState): Identifier {
  state.callee ??= state.ctx.uidIdentifier(state.fn.scope, BODY_TEMPS.callee);
  return state.ctx.t.cloneNode(state.callee);
}

function receiverTemp(state: BodyState): Identifier {
  state.receiver ??= state.ctx.uidIdentifier(state.fn.scope, BODY_TEMPS.receiver);
  return state.ctx.t.cloneNode(state.receiver);
}

/** What an await operand is, for the shared rules of emit-rules.ts. */
function operandKind(t: Types, node: BabelTypes.Expression): OperandKind {
  if (t.isTemplateLiteral(node)) return "template";
  if (t.isLiteral(node)) return "literal";
  if (t.isThisExpression(node)) return "this";
  if (t.isIdentifier(node)) return node.name === "arguments" ? "arguments" : "identifier";
  if (t.isCallExpression(node)) return "call";
  return "other";
}

function containsYield(t: Types, node: BabelTypes.Node): boolean {
  let found = false;
  t.traverseFast(node, (n) => {
    if (n.type === "YieldExpression") found = true;
  });
  return found;
}

/**
 * `await x` becomes `(yield (_t = x, _sr.at = i, _t))`: the site register is written after the
 * operand ran, since the operand may run other coroutines eagerly. One `_t` serves nested
 * awaits: an inner await's `_t` is consumed before the outer assignment to `_t` happens.
 *
 * `await f(a)` calls `f`'s body when `f` is a compiled coroutine function, so that the callee runs
 * inline in the awaiting task: `(_t = f, _t = (_t?.[_B] ?? _t)(a), _sr.at = i, _t)`; a local
 * declaration that is never reassigned is called through its body binding directly.
 */
function rewriteAwait(path: NodePath<BabelTypes.AwaitExpression>, state: BodyState): void {
  const { ctx } = state;
  const t = ctx.t;
  const index = state.sites.push(ctx.site(path.node)) - 1;
  const writeSite = writeSiteExpression(state, index);
  const operand = path.node.argument;
  let sequence: BabelTypes.Expression[];
  if (isInertOperand(operandKind(t, operand))) {
    sequence = [writeSite, operand];
  } else {
    const call = t.isCallExpression(operand) ? inlineCall(path, operand, state) : null;
    const value = valueTemp(state);
    if (call !== null && !state.generator) {
      path.replaceWith(withLoc(t.sequenceExpression([...call.steps, delegation(path.node, index, call.body, state)]), path.node));
      return;
    }
    sequence = [...(call?.steps ?? [t.assignmentExpression("=", value, operand)]), writeSite, t.cloneNode(value)];
  }
  path.replaceWith(emittedYield(state, t.sequenceExpression(sequence), false, path.node));
}

/**
 * How an await of a call ends, its result in `_t`: a frame is run by `yield*` (see
 * runtime/coroutine.ts), anything else, or a frame past the chain's limit, is yielded:
 * `_d(_t, _k, i) ? (_t = yield* _t, _z(_t, _k) ? (_sr.at = i, yield _t) : _t) : yield _t`, where
 * `_d` also writes the await site. A call of a local coroutine's `body` made a frame for sure:
 * `_df(_t, _k, i, body)` skips the check. Either way the chain records the body (`_b` for a
 * callee found at run time) rather than the frame.
 */
function delegation(from: BabelTypes.AwaitExpression, index: number, body: CalledBody, state: BodyState): BabelTypes.Expression {
  const { ctx } = state;
  const t = ctx.t;
  const value = () => valueTemp(state);
  const depth = () => depthLocal(state);
  // `_t = yield* _t` apart from the `_z` call: the call's argument would hold its own register
  // in every suspended frame.
  const run = t.assignmentExpression("=", value(), emittedYield(state, value(), true, from));
  const awaitReturned = t.sequenceExpression([
    writeSiteExpression(state, index),
    emittedYield(state, value(), false, from),
  ]);
  return t.conditionalExpression(
    body.direct
      ? t.callExpression(ctx.alias("df"), [value(), depth(), t.numericLiteral(index), t.cloneNode(body.id)])
      : t.callExpression(ctx.alias("d"), [value(), depth(), t.numericLiteral(index), t.cloneNode(body.id)]),
    t.sequenceExpression([run, t.conditionalExpression(t.callExpression(ctx.alias("z"), [value(), depth()]), awaitReturned, value())]),
    emittedYield(state, value(), false, from),
  );
}

/** What an await of a call called: a local coroutine's body (`direct`), or what `_b` holds. */
interface CalledBody {
  id: Identifier;
  direct: boolean;
}

/**
 * The expressions that call a compiled callee's body (or the callee itself) and leave the result
 * in `_t`, and what was called. In a body that delegates (not an async generator's), a callee
 * found at run time is kept in `_b` for the chain: `_t = f, _b = _t?.[_B] ?? _t, _t = _b(a)`.
 */
function inlineCall(
  path: NodePath<BabelTypes.AwaitExpression>,
  call: BabelTypes.CallExpression,
  state: BodyState,
): { steps: BabelTypes.Expression[]; body: CalledBody } | null {
  const { ctx } = state;
  const t = ctx.t;
  const callee = call.callee;
  const args = call.arguments;
  const assign = (value: BabelTypes.Expression) => t.assignmentExpression("=", valueTemp(state), value);
  const bodyOf = (fn: BabelTypes.Expression) =>
    t.logicalExpression("??", t.optionalMemberExpression(fn, ctx.alias("B"), true, true), t.cloneNode(fn));
  // The function to call: `(_t?.[_B] ?? _t)` in place, or kept in `_b` when the body delegates.
  const called = (): { steps: BabelTypes.Expression[]; fn: BabelTypes.Expression } =>
    state.generator
      ? { steps: [], fn: bodyOf(valueTemp(state)) }
      : { steps: [t.assignmentExpression("=", calleeTemp(state), bodyOf(valueTemp(state)))], fn: calleeTemp(state) };
  if (t.isIdentifier(callee)) {
    const binding = path.scope.getBinding(callee.name);
    const direct = staticBodyOf(ctx, binding);
    if (direct) return { steps: [assign(t.callExpression(t.cloneNode(direct), args))], body: { id: direct, direct: true } };
    const { steps, fn } = called();
    return { steps: [assign(callee), ...steps, assign(t.callExpression(fn, args))], body: { id: calleeTemp(state), direct: false } };
  }
  if (t.isMemberExpression(callee)) {
    if (callee.computed && containsYield(t, callee.property)) return null;
    const receiver = t.isSuper(callee.object) ? t.thisExpression() : receiverTemp(state);
    const steps: BabelTypes.Expression[] = [];
    let object: BabelTypes.Expression | BabelTypes.Super = callee.object;
    if (!t.isSuper(callee.object)) {
      steps.push(t.assignmentExpression("=", receiverTemp(state), callee.object));
      object = receiverTemp(state);
    }
    steps.push(assign(t.memberExpression(object, callee.property, callee.computed)));
    const { steps: find, fn } = called();
    steps.push(...find, assign(t.callExpression(t.memberExpression(fn, t.identifier("call")), [receiver, ...args])));
    return { steps, body: { id: calleeTemp(state), direct: false } };
  }
  return null;
}

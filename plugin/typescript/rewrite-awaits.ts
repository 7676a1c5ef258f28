/**
 * Rewrites the await sites of one coroutine function body into `yield`s the runtime steps, and
 * marks its catch clauses; the same emitted forms as plugin/babel/rewrite-awaits.ts. The walk
 * (select-functions.ts) calls these on each node once its children are rewritten, with the
 * original node for positions. Nested functions are not entered: each is rewritten on its own.
 */
import type { SiteRecord } from "../frame-info.js";
import { BODY_TEMPS, isInertOperand, returnIsAwaited, type OperandKind } from "./shared.js";
import { withLoc, type FileContext, type TS } from "./context.js";

/** The state of one coroutine function body while its awaits are rewritten. */
export interface BodyState {
  readonly ctx: FileContext;
  /** The body is an async generator's: its own yields and returns are rewritten too. */
  readonly generator: boolean;
  /** True when some await of the body runs a callee inline (decided before the walk: catch writes depend on it). */
  readonly delegates: boolean;
  readonly sites: SiteRecord[];
  readonly catches: SiteRecord[];
  value: TS.Identifier | null;
  receiver: TS.Identifier | null;
  callee: TS.Identifier | null;
  depth: TS.Identifier | null;
  /** Yields the rewrite emitted (its own yield rewrite leaves them alone). */
  readonly emitted: WeakSet<TS.Node>;
}

export function newBodyState(ctx: FileContext, generator: boolean, delegates: boolean): BodyState {
  return { ctx, generator, delegates, sites: [], catches: [], value: null, receiver: null, callee: null, depth: null, emitted: new WeakSet() };
}

function valueTemp(state: BodyState): TS.Identifier {
  return (state.value ??= state.ctx.uid(BODY_TEMPS.value));
}
function receiverTemp(state: BodyState): TS.Identifier {
  return (state.receiver ??= state.ctx.uid(BODY_TEMPS.receiver));
}
function calleeTemp(state: BodyState): TS.Identifier {
  return (state.callee ??= state.ctx.uid(BODY_TEMPS.callee));
}
function depthLocal(state: BodyState): TS.Identifier {
  return (state.depth ??= state.ctx.uid(BODY_TEMPS.depth));
}

/** What an await operand is, for the shared rules of emit-rules.ts. */
export function operandKind(ts: typeof import("typescript"), node: TS.Expression): OperandKind {
  if (ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) return "template";
  if (ts.isStringLiteral(node) || ts.isNumericLiteral(node) || ts.isBigIntLiteral(node) || ts.isRegularExpressionLiteral(node) ||
    node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword || node.kind === ts.SyntaxKind.NullKeyword) return "literal";
  if (node.kind === ts.SyntaxKind.ThisKeyword) return "this";
  if (ts.isIdentifier(node)) return node.text === "arguments" ? "arguments" : "identifier";
  if (ts.isCallExpression(node)) return "call";
  return "other";
}

/** The callee of an await of a call that may run inline: a plain call of a name or member (no optional chain, no `import()`). */
export function inlinableCall(ts: typeof import("typescript"), operand: TS.Expression): TS.CallExpression | null {
  const node = skipParentheses(ts, operand);
  if (!ts.isCallExpression(node) || node.questionDotToken || (node.flags & ts.NodeFlags.OptionalChain) !== 0) return null;
  const callee = node.expression;
  if (ts.isIdentifier(callee)) return node;
  if ((ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)) && (callee.flags & ts.NodeFlags.OptionalChain) === 0) return node;
  return null;
}

/** `(((x)))` -> `x`: Babel's AST has no parentheses, so both front ends look through them. */
export function skipParentheses(ts: typeof import("typescript"), node: TS.Expression): TS.Expression {
  while (ts.isParenthesizedExpression(node)) node = node.expression;
  return node;
}

/** True when a body (not an async generator's) has an await that runs a callee inline; nested functions are not entered. */
export function bodyDelegates(ts: typeof import("typescript"), body: TS.Node): boolean {
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found || ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node)) return;
    const call = ts.isAwaitExpression(node) ? inlinableCall(ts, node.expression) : null;
    if (call && !containsYieldInComputedCallee(ts, call)) {
      found = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  return found;
}

function containsYieldInComputedCallee(ts: typeof import("typescript"), call: TS.CallExpression): boolean {
  const callee = call.expression;
  if (!ts.isElementAccessExpression(callee)) return false;
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found || ts.isFunctionLike(node)) return;
    if (ts.isAwaitExpression(node) || ts.isYieldExpression(node)) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(callee.argumentExpression);
  return found;
}

function assign(state: BodyState, target: TS.Expression, value: TS.Expression): TS.Expression {
  return state.ctx.f.createAssignment(target, value);
}

function writeSite(state: BodyState, index: number): TS.Expression {
  const f = state.ctx.f;
  return assign(state, f.createPropertyAccessExpression(state.ctx.alias("sr"), "at"), f.createNumericLiteral(index));
}

function comma(state: BodyState, expressions: TS.Expression[]): TS.Expression {
  return state.ctx.f.createParenthesizedExpression(state.ctx.f.createCommaListExpression(expressions));
}

/** A yield the rewrite emitted, at the position of the node it stands for. */
function emittedYield(state: BodyState, argument: TS.Expression, delegate: boolean, from: TS.Node | undefined): TS.Expression {
  const f = state.ctx.f;
  const node = withLoc(state.ctx, delegate
    ? f.createYieldExpression(f.createToken(state.ctx.ts.SyntaxKind.AsteriskToken), argument)
    : f.createYieldExpression(undefined, argument), from);
  state.emitted.add(node);
  return f.createParenthesizedExpression(node);
}

/** What an await of a call called: a local coroutine's body (`direct`), or what `_b` holds (`known`: the checker proved it a body). */
interface CalledBody {
  id: TS.Identifier;
  direct: boolean;
}

/**
 * `await x` -> `(yield (_t = x, _sr.at = i, _t))`; an inert operand: `(yield (_sr.at = i, x))`;
 * `await f(a)` runs a compiled callee inline (see inlineCall and delegation).
 * `original` is the source's await (positions); `operand` its rewritten operand.
 */
export function rewriteAwait(state: BodyState, original: TS.AwaitExpression, rewrittenOperand: TS.Expression, fastPath: FastPath): TS.Expression {
  const { ctx } = state;
  const ts = ctx.ts;
  const operand = skipParentheses(ts, rewrittenOperand);
  const index = state.sites.push(ctx.site(original)) - 1;
  if (isInertOperand(operandKind(ts, operand))) {
    return emittedYield(state, comma(state, [writeSite(state, index), operand]), false, original);
  }
  const originalCall = inlinableCall(ts, original.expression);
  const call = originalCall && ts.isCallExpression(operand) && !containsYieldInComputedCallee(ts, originalCall)
    ? inlineCall(state, originalCall, operand, fastPath)
    : null;
  if (call !== null && !state.generator) {
    return withLoc(ctx, comma(state, [...call.steps, delegation(state, original, index, call.body)]), original);
  }
  const steps = call?.steps ?? [assign(state, valueTemp(state), operand)];
  return emittedYield(state, comma(state, [...steps, writeSite(state, index), valueTemp(state)]), false, original);
}

/**
 * `_d(_t, _k, i, _b) ? (_t = yield* _t, _z(_t, _k) ? (_sr.at = i, yield _t) : _t) : yield _t`;
 * `_df` in place of `_d` when the frame surely came from a coroutine body.
 */
function delegation(state: BodyState, from: TS.Node, index: number, body: CalledBody): TS.Expression {
  const { ctx } = state;
  const f = ctx.f;
  const value = valueTemp(state);
  const depth = depthLocal(state);
  const run = assign(state, value, emittedYield(state, value, true, from));
  const awaitReturned = comma(state, [writeSite(state, index), emittedYield(state, value, false, from)]);
  const check = f.createCallExpression(ctx.alias(body.direct ? "df" : "d"), undefined, [value, depth, f.createNumericLiteral(index), body.id]);
  return f.createConditionalExpression(
    check, undefined,
    comma(state, [run, f.createConditionalExpression(f.createCallExpression(ctx.alias("z"), undefined, [value, depth]), undefined, awaitReturned, undefined, value)]),
    undefined,
    emittedYield(state, value, false, from),
  );
}

/** How the checker helps an awaited call: the body binding of a local declaration, or proof that the callee is a compiled coroutine function. */
export interface FastPath {
  /** `_f` for `await f()` of a local coroutine declaration that is never reassigned. */
  directBody(callee: TS.Identifier): TS.Identifier | undefined;
  /** True when the callee is proved to be a public coroutine function this transform emits (it has a body under `_B`). */
  provedCoroutine(callee: TS.Expression): boolean;
}

/**
 * The steps that call a compiled callee's body (or the callee itself) and leave the result in
 * `_t`: `_t = f, _b = _t?.[_B] ?? _t, _t = _b(a)`, or for a member `_o = o, _t = _o.m, ..., _t = _b.call(_o, a)`.
 * A callee the checker proved compiled skips the check: `_b = _t[_B]`, and `_df` follows.
 */
function inlineCall(state: BodyState, originalCall: TS.CallExpression, call: TS.CallExpression, fastPath: FastPath): { steps: TS.Expression[]; body: CalledBody } | null {
  const { ctx } = state;
  const { ts, f } = ctx;
  const callee = call.expression;
  const args = call.arguments;
  const value = valueTemp(state);
  const proved = !state.generator && fastPath.provedCoroutine(originalCall.expression);
  const bodyOf = (fn: TS.Expression): TS.Expression => proved
    ? f.createElementAccessExpression(fn, ctx.alias("B"))
    : f.createParenthesizedExpression(f.createBinaryExpression(
      f.createElementAccessChain(fn, f.createToken(ts.SyntaxKind.QuestionDotToken), ctx.alias("B")),
      ts.SyntaxKind.QuestionQuestionToken, fn));
  const called = (): { steps: TS.Expression[]; fn: TS.Expression } => state.generator
    ? { steps: [], fn: bodyOf(value) }
    : { steps: [assign(state, calleeTemp(state), bodyOf(value))], fn: calleeTemp(state) };
  if (ts.isIdentifier(callee)) {
    const direct = ts.isIdentifier(originalCall.expression) ? fastPath.directBody(originalCall.expression) : undefined;
    if (direct) return { steps: [assign(state, value, f.createCallExpression(direct, undefined, args))], body: { id: direct, direct: true } };
    const { steps, fn } = called();
    return { steps: [assign(state, value, callee), ...steps, assign(state, value, f.createCallExpression(fn, undefined, args))], body: { id: calleeTemp(state), direct: proved } };
  }
  const member = callee as TS.PropertyAccessExpression | TS.ElementAccessExpression;
  const isSuper = member.expression.kind === ts.SyntaxKind.SuperKeyword;
  const steps: TS.Expression[] = [];
  let object: TS.Expression = member.expression;
  if (!isSuper) {
    steps.push(assign(state, receiverTemp(state), member.expression));
    object = receiverTemp(state);
  }
  const read = ts.isPropertyAccessExpression(member)
    ? f.createPropertyAccessExpression(object, member.name)
    : f.createElementAccessExpression(object, member.argumentExpression);
  steps.push(assign(state, value, read));
  const { steps: find, fn } = called();
  const receiver = isSuper ? f.createThis() : receiverTemp(state);
  steps.push(...find, assign(state, value, f.createCallExpression(f.createPropertyAccessExpression(fn, "call"), undefined, [receiver, ...args])));
  return { steps, body: { id: calleeTemp(state), direct: proved } };
}

/** Records a catch clause of the body; returns the statement its block starts with. */
export function catchWrite(state: BodyState, original: TS.CatchClause): TS.Statement {
  const { ctx } = state;
  const { ts, f } = ctx;
  const index = state.catches.push(ctx.site(original)) - 1;
  if (state.delegates) {
    // `_c(error, index, _k)`: sets the depth back past the callees the error left.
    const param = original.variableDeclaration?.name;
    const error = param && ts.isIdentifier(param) ? f.createIdentifier(param.text) : f.createVoidZero();
    return f.createExpressionStatement(f.createCallExpression(ctx.alias("c"), undefined, [error, f.createNumericLiteral(index), depthLocal(state)]));
  }
  return f.createExpressionStatement(assign(state, f.createPropertyAccessExpression(ctx.alias("sr"), "caught"), f.createNumericLiteral(index)));
}

/** An async generator's own `yield v` -> `yield (_agy.value = v, _agy)`; `yield* x` -> `yield* _agd(x)`. */
export function rewriteYield(state: BodyState, original: TS.YieldExpression, argument: TS.Expression | undefined): TS.Expression {
  const { ctx } = state;
  const f = ctx.f;
  const value = argument ?? f.createVoidZero();
  if (original.asteriskToken) return emittedYield(state, f.createCallExpression(ctx.alias("agd"), undefined, [value]), true, original);
  const request = ctx.alias("agy");
  return emittedYield(state, comma(state, [assign(state, f.createPropertyAccessExpression(request, "value"), value), request]), false, original);
}

/** `return x` in an async generator awaits x inside the body: `return (yield (_t = x, _sr.at = i, _t))`. */
export function rewriteReturn(state: BodyState, original: TS.ReturnStatement, argument: TS.Expression | undefined): TS.Statement | null {
  const { ctx } = state;
  if (!argument || !original.expression || !returnIsAwaited(operandKind(ctx.ts, original.expression))) return null;
  const index = state.sites.push(ctx.site(original)) - 1;
  const yielded = emittedYield(state, comma(state, [assign(state, valueTemp(state), argument), writeSite(state, index), valueTemp(state)]), false, original.expression);
  return withLoc(ctx, ctx.f.createReturnStatement(yielded), original);
}

/**
 * `for await (const x of it) body` ->
 *   { const _iter = _ai(it);
 *     try { for (; !(yield* _ais(_iter, i));) { const x = _iter.value; body } }
 *     catch (_e) { yield* _aic(_iter, i, true); throw _e; } finally { yield* _aic(_iter, i, false); } }
 * `wrapLoop` puts the loop's labels back around the inner `for`.
 */
export function rewriteForAwait(state: BodyState, original: TS.ForOfStatement, loop: TS.ForOfStatement, wrapLoop: (inner: TS.Statement) => TS.Statement): TS.Statement {
  const { ctx } = state;
  const { ts, f } = ctx;
  const index = state.sites.push(ctx.site(original)) - 1;
  const record = ctx.uid("iter");
  const error = ctx.uid("e");
  const value = f.createPropertyAccessExpression(record, "value");
  const initializer = loop.initializer;
  const bind = ts.isVariableDeclarationList(initializer)
    ? f.createVariableStatement(undefined, f.createVariableDeclarationList(
      [f.createVariableDeclaration(initializer.declarations[0]!.name, undefined, undefined, value)], initializer.flags & ts.NodeFlags.BlockScoped))
    : f.createExpressionStatement(f.createAssignment(initializer as TS.Expression, value));
  const step = emittedYield(state, f.createCallExpression(ctx.alias("ais"), undefined, [record, f.createNumericLiteral(index)]), true, original);
  const inner = withLoc(ctx, f.createForStatement(undefined, f.createLogicalNot(step), undefined, f.createBlock([bind, loop.statement], true)), original);
  const close = (throwing: boolean) => f.createExpressionStatement(emittedYield(state,
    f.createCallExpression(ctx.alias("aic"), undefined, [record, f.createNumericLiteral(index), throwing ? f.createTrue() : f.createFalse()]), true, original));
  return withLoc(ctx, f.createBlock([
    withLoc(ctx, f.createVariableStatement(undefined, f.createVariableDeclarationList(
      [f.createVariableDeclaration(record, undefined, undefined, f.createCallExpression(ctx.alias("ai"), undefined, [loop.expression]))], ts.NodeFlags.Const)), original),
    f.createTryStatement(f.createBlock([wrapLoop(inner)], true),
      f.createCatchClause(error, f.createBlock([close(true), f.createThrowStatement(error)], true)),
      f.createBlock([close(false)], true)),
  ], true), original);
}

/**
 * `await using x = v; rest` (in a block) ->
 *   const _usings = _ads(); try { const x = _usings.use(v); rest } catch (_e) { _usings.fail(_e); } finally { yield* _usings.dispose(i); }
 */
export function rewriteAwaitUsing(state: BodyState, original: TS.VariableStatement, declarations: TS.VariableDeclarationList, rest: TS.Statement[]): TS.Statement[] {
  const { ctx } = state;
  const { ts, f } = ctx;
  const index = state.sites.push(ctx.site(original)) - 1;
  const scope = ctx.uid("usings");
  const error = ctx.uid("e");
  const declaration = withLoc(ctx, f.createVariableStatement(undefined, f.createVariableDeclarationList(declarations.declarations.map((d) =>
    f.createVariableDeclaration(d.name, undefined, undefined,
      f.createCallExpression(f.createPropertyAccessExpression(scope, "use"), undefined, [d.initializer ?? f.createIdentifier("undefined")]))), ts.NodeFlags.Const)), original);
  const dispose = emittedYield(state, f.createCallExpression(f.createPropertyAccessExpression(scope, "dispose"), undefined, [f.createNumericLiteral(index)]), true, original);
  return [
    withLoc(ctx, f.createVariableStatement(undefined, f.createVariableDeclarationList(
      [f.createVariableDeclaration(scope, undefined, undefined, f.createCallExpression(ctx.alias("ads"), undefined, []))], ts.NodeFlags.Const)), original),
    f.createTryStatement(f.createBlock([declaration, ...rest], true),
      f.createCatchClause(error, f.createBlock([f.createExpressionStatement(f.createCallExpression(f.createPropertyAccessExpression(scope, "fail"), undefined, [error]))], true)),
      f.createBlock([f.createExpressionStatement(dispose)], true)),
  ];
}

/** The temporaries' declaration a body starts with: `var _k = _sr.depth, _t, _o, _b;`, or none. */
export function bodyTemps(state: BodyState): TS.Statement[] {
  const { ctx } = state;
  const f = ctx.f;
  const declarations = [state.value, state.receiver, state.callee]
    .filter((x): x is TS.Identifier => x !== null)
    .map((id) => f.createVariableDeclaration(id));
  if (state.depth !== null) {
    declarations.unshift(f.createVariableDeclaration(state.depth, undefined, undefined, f.createPropertyAccessExpression(ctx.alias("sr"), "depth")));
  }
  return declarations.length === 0 ? [] : [f.createVariableStatement(undefined, f.createVariableDeclarationList(declarations))];
}

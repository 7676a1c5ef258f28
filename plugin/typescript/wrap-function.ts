/**
 * Replaces a coroutine function (whose awaits are already rewritten) by its body, a generator
 * branded with its frame info, and the public function object made from that body; the same
 * forms as plugin/babel/wrap-function.ts:
 *
 *   declaration  `async function f(a) {...}` -> hoisted to the top of its block:
 *                `var _f = _cb({ *f(a) {...} }.f, _fi[0]), f = _af(_f, "eager");`
 *   expression, arrow -> `_af(_cb({ *name(a) {...} }.name, _fi[0]), "eager")` (an arrow's
 *                `this`, `arguments`, `new.target` and `super` are passed in by an arrow around it)
 *   object method -> a generator method, replaced by its public function once the literal exists
 *   class method -> likewise, by a static block placed first in the class body; a private method
 *                `#m` becomes a private getter returning its public function.
 */
import type { FrameInfo } from "../frame-info.js";
import { ANONYMOUS_NAME, DEFAULT_EXPORT_NAME, NAMING_ASSIGNMENT_OPERATORS, functionHeader, memberFrameName } from "./shared.js";
import { isIdentifierName, withLoc, type FileContext, type TS } from "./context.js";
import type { BodyState } from "./rewrite-awaits.js";
import { hasUseStrict, isStrictAt, ownNameDeclarations } from "./own-name.js";

type Ts = typeof import("typescript");

/** A coroutine function as the walk found it, original node and rewritten parts. */
export interface CoroutineParts {
  readonly original: TS.FunctionLikeDeclaration;
  readonly parameters: readonly TS.ParameterDeclaration[];
  /** The rewritten body statements (temporaries first). */
  readonly statements: readonly TS.Statement[];
  readonly state: BodyState;
  readonly generator: boolean;
}

/** A property name as a string, when it is static. */
export function staticKeyName(ts: Ts, key: TS.PropertyName | undefined): string | null {
  if (!key) return null;
  if (ts.isPrivateIdentifier(key)) return key.text;
  if (ts.isIdentifier(key) || ts.isStringLiteral(key) || ts.isNumericLiteral(key)) return ts.isNumericLiteral(key) ? String(Number(key.text)) : key.text;
  if (ts.isComputedPropertyName(key)) {
    const e = key.expression;
    if (ts.isStringLiteralLike(e)) return e.text;
    if (ts.isNumericLiteral(e)) return String(Number(e.text));
    if (ts.isBigIntLiteral(e)) return e.text.slice(0, -1);
  }
  return null;
}

/** The name a function expression or arrow gets from where it stands (ECMAScript NamedEvaluation), or "". */
export function inferredName(ts: Ts, node: TS.Node): string {
  let child: TS.Node = node;
  let p = node.parent;
  while (p && (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isSatisfiesExpression(p) || ts.isNonNullExpression(p) || ts.isTypeAssertionExpression(p))) {
    child = p;
    p = p.parent;
  }
  if (!p) return "";
  if (ts.isVariableDeclaration(p) && p.initializer === child && ts.isIdentifier(p.name)) return p.name.text;
  if (ts.isBinaryExpression(p) && p.right === child && ts.isIdentifier(p.left) && NAMING_ASSIGNMENT_OPERATORS.includes(ts.tokenToString(p.operatorToken.kind) ?? "")) return p.left.text;
  if ((ts.isParameter(p) || ts.isBindingElement(p)) && p.initializer === child && ts.isIdentifier(p.name)) return p.name.text;
  if ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) && p.initializer === child) {
    return staticKeyName(ts, p.name) ?? "";
  }
  if (ts.isExportAssignment(p) && !p.isExportEquals) return DEFAULT_EXPORT_NAME;
  return "";
}

/** The name of the class a member belongs to, for frame infos (`Server.handle`). */
export function className(ts: Ts, cls: TS.ClassLikeDeclaration): string {
  if (cls.name) return cls.name.text;
  if (ts.isClassDeclaration(cls)) return DEFAULT_EXPORT_NAME; // `export default class {}`
  return inferredName(ts, cls);
}

function isAsyncGenerator(node: TS.FunctionLikeDeclaration): boolean {
  return node.asteriskToken !== undefined;
}

/** A parameter as written, without its type (`a`, `b = 1`, `...rest`, `{ x }`). */
function parameterText(ctx: FileContext, param: TS.ParameterDeclaration): string {
  const sf = ctx.sourceFile;
  const name = param.name.getText(sf);
  const init = param.initializer ? ` = ${param.initializer.getText(sf)}` : "";
  return `${param.dotDotDotToken ? "..." : ""}${name}${init}`;
}

/** The header `toString()` shows (shared rule: reflection.ts), from the original node. */
export function functionHeaderOf(ctx: FileContext, node: TS.FunctionLikeDeclaration): string {
  const { ts } = ctx;
  const params = node.parameters
    .filter((p) => !(ts.isIdentifier(p.name) && p.name.text === "this"))
    .map((p) => parameterText(ctx, p));
  if (ts.isArrowFunction(node)) return functionHeader("arrow", "", false, params);
  if (ts.isMethodDeclaration(node)) return functionHeader("method", node.name.getText(ctx.sourceFile), isAsyncGenerator(node), params);
  return functionHeader("function", node.name ? node.name.getText(ctx.sourceFile) : "", isAsyncGenerator(node), params);
}

function makeInfo(ctx: FileContext, parts: CoroutineParts, name: string): TS.Expression {
  const def = ctx.definitionSite(definitionNode(ctx.ts, parts.original));
  const info: FrameInfo = {
    name: name || ANONYMOUS_NAME,
    file: def.file,
    line: def.line,
    column: def.column,
    endLine: ctx.endLine(parts.original, def),
    header: functionHeaderOf(ctx, parts.original),
    sites: parts.state.sites,
    catches: parts.state.catches,
  };
  return ctx.addInfo(info);
}

/** Where a function is defined, as Babel's node start: the `async` keyword of a function, the member's start for a method. */
function definitionNode(ts: Ts, node: TS.FunctionLikeDeclaration): TS.Node {
  if (ts.isMethodDeclaration(node)) {
    const first = node.modifiers?.find((m) => !ts.isDecorator(m));
    return first ?? node.name;
  }
  return node.modifiers?.find((m) => m.kind === ts.SyntaxKind.AsyncKeyword) ?? node;
}

/** A valid identifier name, reserved words included (for `{ *name() {} }.name` rather than `{ *"x y"() {} }["x y"]`). */
function isPlainName(_ts: Ts, name: string): boolean {
  return name !== "" && isIdentifierName(name);
}

/** `{ *name(params) {body} }.name`, or with `__proto__: proto` first when the body uses `super`. */
function bodyExpression(ctx: FileContext, name: string, parts: CoroutineParts, proto?: TS.Expression): TS.Expression {
  const { ts, f } = ctx;
  const plain = isPlainName(ts, name);
  const key = () => (plain ? f.createIdentifier(name) : f.createStringLiteral(name));
  const method = withLoc(ctx, f.createMethodDeclaration(undefined, f.createToken(ts.SyntaxKind.AsteriskToken), key(), undefined, undefined,
    parts.parameters.map(stripParameterDecorators(ctx)), undefined, f.createBlock(parts.statements, true)), parts.original);
  const properties: TS.ObjectLiteralElementLike[] = [method];
  if (proto) properties.unshift(f.createPropertyAssignment("__proto__", proto));
  const object = withLoc(ctx, f.createObjectLiteralExpression(properties, true), parts.original);
  return withLoc(ctx, plain ? f.createPropertyAccessExpression(object, name) : f.createElementAccessExpression(object, f.createStringLiteral(name)), parts.original);
}

function stripParameterDecorators(ctx: FileContext) {
  const { ts, f } = ctx;
  return (p: TS.ParameterDeclaration): TS.ParameterDeclaration =>
    p.modifiers && p.modifiers.length > 0
      ? f.updateParameterDeclaration(p, p.modifiers.filter((m) => !ts.isDecorator(m)) as TS.Modifier[], p.dotDotDotToken, p.name, p.questionToken, p.type, p.initializer)
      : p;
}

function branded(ctx: FileContext, body: TS.Expression, info: TS.Expression): TS.Expression {
  return ctx.f.createCallExpression(ctx.alias("cb"), undefined, [body, info]);
}

/** The public function of a body: `_af(body, mode)`, or `_agf(body, mode)` for an async generator function. */
function publicFunction(ctx: FileContext, body: TS.Expression, generator: boolean): TS.Expression {
  return ctx.f.createCallExpression(ctx.alias(generator ? "agf" : "af"), undefined, [body, ctx.f.createStringLiteral(ctx.options.mode)]);
}

/** What replaces a declaration: the hoisted `var _f = ..., f = ...`, and what stands where it was (an export, or nothing). */
export function wrapDeclaration(ctx: FileContext, parts: CoroutineParts, blockKind: "var" | "let", bodyId: TS.Identifier | undefined): { hoisted: TS.Statement; replacement: TS.Statement[] } {
  const { ts, f } = ctx;
  const node = parts.original as TS.FunctionDeclaration;
  const modifiers = ts.getModifiers(node) ?? [];
  const exported = modifiers.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const isDefault = modifiers.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
  const name = node.name ? node.name.text : DEFAULT_EXPORT_NAME;
  const publicId = node.name ? f.createIdentifier(node.name.text) : ctx.uid(DEFAULT_EXPORT_NAME);
  const body = bodyId ?? ctx.uid(name);
  const info = makeInfo(ctx, parts, name);
  const hoisted = withLoc(ctx, f.createVariableStatement(undefined, f.createVariableDeclarationList([
    f.createVariableDeclaration(body, undefined, undefined, branded(ctx, bodyExpression(ctx, name, parts), info)),
    f.createVariableDeclaration(publicId, undefined, undefined, publicFunction(ctx, body, parts.generator)),
  ], blockKind === "let" ? ts.NodeFlags.Let : ts.NodeFlags.None)), node);
  const replacement: TS.Statement[] = [];
  if (exported && isDefault) {
    // `export default name`, not `export { _default as default }`: TypeScript's CommonJS
    // transform finds export specifiers by the parse tree, which a generated name is not part of.
    replacement.push(f.createExportAssignment(undefined, false, publicId));
  } else if (exported) {
    replacement.push(f.createExportDeclaration(undefined, false, f.createNamedExports([f.createExportSpecifier(false, undefined, publicId)])));
  }
  return { hoisted, replacement };
}

/** A function expression or arrow: its public function (`captured` wraps an arrow's lexical bindings around it). */
export function wrapExpression(ctx: FileContext, parts: CoroutineParts, captured: (fn: TS.Expression) => TS.Expression): TS.Expression {
  const { ts, f } = ctx;
  const node = parts.original as TS.FunctionExpression | TS.ArrowFunction;
  const ownName = ts.isFunctionExpression(node) && node.name ? node.name.text : "";
  const name = ownName || inferredName(ts, node);
  const info = makeInfo(ctx, parts, name);
  let fn = withLoc(ctx, publicFunction(ctx, withLoc(ctx, branded(ctx, bodyExpression(ctx, name, parts), info), node), parts.generator), node);
  if (ownName && (refersTo(ts, node.body, ownName) || node.parameters.some((p) => refersTo(ts, p, ownName)))) {
    const refs = ctx.ownNameRefs.get(node);
    const own = f.createIdentifier(ownName);
    let statements: TS.Statement[];
    if (!isStrictAt(ts, node, ctx.fileStrict) && !(node.body && ts.isBlock(node.body) && hasUseStrict(ts, node.body.statements)) && callsEval(ts, node)) {
      // Sloppy code whose eval may assign the function's own name: that assignment must be ignored
      // silently, as a named function expression's binding does, where a `const` would throw. A
      // `with` scope whose setter does nothing gives exactly that (and `with` exists only in
      // sloppy code, where it is needed); its null prototype hides Object.prototype's names.
      const holder = ctx.uid(ownName);
      const scopeObject = f.createObjectLiteralExpression([
        f.createPropertyAssignment("__proto__", f.createNull()),
        f.createGetAccessorDeclaration(undefined, ownName, [], undefined, f.createBlock([f.createReturnStatement(holder)], false)),
        f.createSetAccessorDeclaration(undefined, ownName, [f.createParameterDeclaration(undefined, undefined, ctx.uid("ignored"))], f.createBlock([], false)),
      ], true);
      statements = [
        f.createVariableStatement(undefined, f.createVariableDeclarationList([
          f.createVariableDeclaration(holder), ...(refs ? ownNameDeclarations(ctx, ownName, holder, refs) : []),
        ])),
        f.createWithStatement(scopeObject, f.createBlock([f.createReturnStatement(f.createAssignment(holder, fn))], true)),
      ];
    } else {
      // The name of a named function expression is bound, read-only, inside it; what the source
      // writes to it goes through its reference objects, so nothing assigns this `const`.
      statements = [
        f.createVariableStatement(undefined, f.createVariableDeclarationList([
          f.createVariableDeclaration(ownName, undefined, undefined, fn), ...(refs ? ownNameDeclarations(ctx, ownName, own, refs) : []),
        ], ts.NodeFlags.Const)),
        f.createReturnStatement(f.createIdentifier(ownName)),
      ];
    }
    fn = f.createCallExpression(f.createParenthesizedExpression(f.createArrowFunction(undefined, undefined, [], undefined, undefined, f.createBlock(statements, true))), undefined, []);
  }
  return withLoc(ctx, f.createParenthesizedExpression(captured(fn)), node);
}

/** True when `node` calls `eval` directly somewhere inside (nested functions included). */
function callsEval(ts: Ts, node: TS.Node): boolean {
  let found = false;
  const visit = (n: TS.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === "eval") found = true;
    else ts.forEachChild(n, visit);
  };
  ts.forEachChild(node, visit);
  return found;
}

/** True when `name` is read somewhere in `body` (a cheap over-approximation: any identifier of that text). */
function refersTo(ts: Ts, body: TS.Node | undefined, name: string): boolean {
  let found = false;
  const visit = (n: TS.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n) && n.text === name && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) found = true;
    else ts.forEachChild(n, visit);
  };
  if (body) visit(body);
  return found;
}

/** A member's key for reading it back after definition, and the key the member keeps (a computed key goes through a temporary). */
function memberKey(ctx: FileContext, name: TS.PropertyName): { read: (target: TS.Expression) => TS.Expression; key: TS.PropertyName } {
  const { ts, f } = ctx;
  if (ts.isIdentifier(name)) return { read: (target) => f.createPropertyAccessExpression(target, name.text), key: name };
  if (ts.isStringLiteral(name) || ts.isNumericLiteral(name)) {
    return { read: (target) => f.createElementAccessExpression(target, ts.isStringLiteral(name) ? f.createStringLiteral(name.text) : f.createNumericLiteral(name.text)), key: name };
  }
  if (ts.isComputedPropertyName(name)) {
    const e = name.expression;
    if (ts.isStringLiteral(e) || ts.isNumericLiteral(e)) {
      return { read: (target) => f.createElementAccessExpression(target, ts.isStringLiteral(e) ? f.createStringLiteral(e.text) : f.createNumericLiteral(e.text)), key: name };
    }
    const temp = ctx.pushVar("k");
    return { read: (target) => f.createElementAccessExpression(target, temp), key: f.createComputedPropertyName(f.createAssignment(temp, e)) };
  }
  throw ctx.refusal(name, `corotask cannot compile a method named ${ts.SyntaxKind[name.kind]}`);
}

/** A coroutine method made a generator method (modifiers kept but `async`). */
function generatorMethod(ctx: FileContext, parts: CoroutineParts, method: TS.MethodDeclaration, key: TS.PropertyName): TS.MethodDeclaration {
  const { ts, f } = ctx;
  const modifiers = method.modifiers?.filter((m) => m.kind !== ts.SyntaxKind.AsyncKeyword);
  return withLoc(ctx, f.createMethodDeclaration(modifiers, f.createToken(ts.SyntaxKind.AsteriskToken), key, undefined, undefined,
    parts.parameters, undefined, f.createBlock(parts.statements, true)), parts.original);
}

/** An object literal's coroutine method: the generator method it keeps, and the assignment that installs its public function. */
export function wrapObjectMethod(ctx: FileContext, parts: CoroutineParts, method: TS.MethodDeclaration, temp: TS.Identifier): { member: TS.MethodDeclaration; assignment: TS.Expression } {
  const name = staticKeyName(ctx.ts, (parts.original as TS.MethodDeclaration).name) ?? "";
  const info = makeInfo(ctx, parts, name);
  const { read, key } = memberKey(ctx, method.name);
  return { member: generatorMethod(ctx, parts, method, key), assignment: ctx.f.createAssignment(read(temp), publicFunction(ctx, branded(ctx, read(temp), info), parts.generator)) };
}

/** What a class with coroutine methods needs: the statements of the static block placed first, and `this.prototype`'s alias. */
export interface ClassWork {
  readonly statements: TS.Statement[];
  proto: TS.Identifier | null;
}

/** A class's coroutine method (public or private); adds its installation to `work`, returns what replaces it in the class body. */
export function wrapClassMethod(ctx: FileContext, parts: CoroutineParts, method: TS.MethodDeclaration, cls: TS.ClassLikeDeclaration, work: ClassWork): TS.ClassElement {
  const { ts, f } = ctx;
  const original = parts.original as TS.MethodDeclaration;
  const isStatic = (ts.getModifiers(original) ?? []).some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
  if (ts.isPrivateIdentifier(method.name)) {
    const name = method.name.text;
    const info = makeInfo(ctx, parts, memberFrameName(className(ts, cls), name));
    const holder = ctx.pushVar(name.slice(1));
    let proto: TS.Expression | undefined;
    if (usesSuper(ts, original.body)) {
      const home = isStatic ? f.createThis() : f.createPropertyAccessExpression(f.createThis(), "prototype");
      proto = f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier("Object"), "getPrototypeOf"), undefined, [home]);
    }
    const body = bodyExpression(ctx, name, parts, proto);
    work.statements.push(f.createExpressionStatement(f.createAssignment(holder, publicFunction(ctx, branded(ctx, body, info), parts.generator))));
    const modifiers = method.modifiers?.filter((m) => m.kind === ts.SyntaxKind.StaticKeyword) as TS.Modifier[] | undefined;
    return withLoc(ctx, f.createGetAccessorDeclaration(modifiers, method.name, [], undefined, f.createBlock([f.createReturnStatement(holder)], true)), original);
  }
  const memberName = staticKeyName(ts, original.name) ?? "<computed>";
  const info = makeInfo(ctx, parts, memberFrameName(className(ts, cls), memberName));
  const { read, key } = memberKey(ctx, method.name);
  let target: TS.Expression;
  if (isStatic) {
    target = f.createThis();
  } else {
    work.proto ??= ctx.uid("proto");
    target = work.proto;
  }
  work.statements.push(f.createExpressionStatement(f.createAssignment(read(target), publicFunction(ctx, branded(ctx, read(target), info), parts.generator))));
  return generatorMethod(ctx, parts, method, key);
}

/** The static block that installs a class's coroutine methods, first in its body. */
export function classStaticBlock(ctx: FileContext, work: ClassWork): TS.ClassStaticBlockDeclaration {
  const { ts, f } = ctx;
  const statements = [...work.statements];
  if (work.proto) {
    statements.unshift(f.createVariableStatement(undefined, f.createVariableDeclarationList([
      f.createVariableDeclaration(work.proto, undefined, undefined, f.createPropertyAccessExpression(f.createThis(), "prototype")),
    ], ts.NodeFlags.Const)));
  }
  return f.createClassStaticBlockDeclaration(f.createBlock(statements, true));
}

function usesSuper(ts: Ts, node: TS.Node | undefined): boolean {
  let found = false;
  const visit = (n: TS.Node): void => {
    if (found) return;
    if (n.kind === ts.SyntaxKind.SuperKeyword) found = true;
    else ts.forEachChild(n, visit);
  };
  if (node) visit(node);
  return found;
}

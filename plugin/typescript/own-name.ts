/**
 * Writes to a named async function expression's own name (`async function self() { self = 1 }`),
 * as plugin/babel/own-name.ts does them: each assignment target that is that name becomes a
 * member of a reference object whose setter throws (strict code) or ignores the write (sloppy
 * code), so that the `const` the wrap binds the name with is never assigned (the rule:
 * emit-rules.ts, OWN_NAME_ASSIGNMENT_ERROR). TypeScript's transformer has no scope analysis, so
 * the targets are found by a syntactic one over the original function: every declaration that
 * could shadow the name (parameters, `var`, block declarations, catch parameters, nested function
 * and class names) is seen, as the Babel plugin's scope sees it.
 */
import type * as TS from "typescript";
import { NAMING_ASSIGNMENT_OPERATORS, OWN_NAME_ASSIGNMENT_ERROR, namingKeyIsComputed, ownNameWriteThrows, typeErrorConstructor } from "./shared.js";
import { withLoc, type FileContext } from "./context.js";

type Ts = typeof import("typescript");

/** The reference objects of one function's own name, by the strictness of the writes through them. */
export type OwnNameRefs = Map<boolean, TS.Identifier>;

/** One write target: the reference object it goes through, and the name (its member). */
export interface OwnNameTarget {
  readonly ref: TS.Identifier;
  readonly name: string;
}

/** True when `directives` (a body's or file's statements) start with a "use strict" directive. */
export function hasUseStrict(ts: Ts, statements: readonly TS.Statement[]): boolean {
  for (const statement of statements) {
    if (!ts.isExpressionStatement(statement) || !ts.isStringLiteral(statement.expression)) return false;
    // The directive's raw text: `"use strict"` with no escapes.
    const raw = statement.expression.getText().slice(1, -1);
    if (raw === "use strict") return true;
  }
  return false;
}

/**
 * True when the file is strict code when it runs: an ES module, a "use strict" file, or a
 * file TypeScript emits "use strict" into (`alwaysStrict`: on unless false from TypeScript 6,
 * `strict`'s value before it).
 */
export function fileIsStrict(ts: Ts, sf: TS.SourceFile, options: TS.CompilerOptions): boolean {
  const major = Number(ts.versionMajorMinor.split(".")[0]);
  const alwaysStrict = major >= 6 ? options.alwaysStrict !== false : (options.alwaysStrict ?? options.strict ?? false);
  return alwaysStrict || ts.isExternalModule(sf) || hasUseStrict(ts, sf.statements);
}

/** True when `node` is strict code: inside a class, under a "use strict" function, or in a strict file. */
export function isStrictAt(ts: Ts, node: TS.Node, fileStrict: boolean): boolean {
  for (let n: TS.Node | undefined = node.parent; n; n = n.parent) {
    if (ts.isClassLike(n)) return true;
    if (ts.isFunctionLike(n) && "body" in n && n.body && ts.isBlock(n.body) && hasUseStrict(ts, n.body.statements)) return true;
  }
  return fileStrict;
}

function bindsName(ts: Ts, binding: TS.BindingName, name: string): boolean {
  if (ts.isIdentifier(binding)) return binding.text === name;
  return binding.elements.some((e) => !ts.isOmittedExpression(e) && bindsName(ts, e.name, name));
}

function listBinds(ts: Ts, list: TS.VariableDeclarationList, name: string): boolean {
  return list.declarations.some((d) => bindsName(ts, d.name, name));
}

/** True when a statement list declares `name` in its own block (let, const, class, function, enum, namespace). */
function blockDeclares(ts: Ts, statements: readonly TS.Node[], name: string): boolean {
  return statements.some((s) =>
    (ts.isVariableStatement(s) && (s.declarationList.flags & ts.NodeFlags.BlockScoped) !== 0 && listBinds(ts, s.declarationList, name)) ||
    ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isEnumDeclaration(s)) && s.name?.text === name) ||
    (ts.isModuleDeclaration(s) && ts.isIdentifier(s.name) && s.name.text === name));
}

/** True when a function body declares `name` with `var` anywhere outside nested functions and classes. */
function varDeclares(ts: Ts, body: TS.Node, name: string): boolean {
  let found = false;
  const visit = (n: TS.Node): void => {
    if (found || ts.isFunctionLike(n) || ts.isClassLike(n)) return;
    if (ts.isVariableDeclarationList(n) && (n.flags & ts.NodeFlags.BlockScoped) === 0 && listBinds(ts, n, name)) found = true;
    else ts.forEachChild(n, visit);
  };
  ts.forEachChild(body, visit);
  return found;
}

/** The operand under parentheses and type-only wrappers (`(self as any)`, `self!`). */
function skipWrappers(ts: Ts, node: TS.Expression): TS.Expression {
  while (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isNonNullExpression(node) || ts.isTypeAssertionExpression(node) || ts.isSatisfiesExpression(node)) {
    node = node.expression;
  }
  return node;
}

function isAssignmentOperator(ts: Ts, kind: TS.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

/**
 * The write targets of `fn`'s own name, with the strictness of the code each is in: original
 * identifiers (and `{ self }` shorthand properties) that assign the function's own binding.
 */
export function ownNameWrites(ts: Ts, fn: TS.FunctionExpression, fileStrict: boolean): Map<TS.Node, boolean> {
  const writes = new Map<TS.Node, boolean>();
  const name = fn.name?.text;
  if (name === undefined || !fn.body) return writes;
  // A parameter of that name is the binding the body and the defaults see, natively too.
  if (fn.parameters.some((p) => bindsName(ts, p.name, name))) return writes;
  const targets = (node: TS.Expression, strict: boolean): void => {
    const target = skipWrappers(ts, node);
    if (ts.isIdentifier(target)) {
      if (target.text === name) writes.set(target, strict);
    } else if (ts.isArrayLiteralExpression(target)) {
      for (const element of target.elements) {
        if (ts.isSpreadElement(element)) targets(element.expression, strict);
        else if (ts.isBinaryExpression(element) && element.operatorToken.kind === ts.SyntaxKind.EqualsToken) targets(element.left, strict);
        else if (!ts.isOmittedExpression(element)) targets(element, strict);
      }
    } else if (ts.isObjectLiteralExpression(target)) {
      for (const property of target.properties) {
        if (ts.isShorthandPropertyAssignment(property)) {
          if (property.name.text === name) writes.set(property, strict);
        } else if (ts.isPropertyAssignment(property)) {
          const value = property.initializer;
          targets(ts.isBinaryExpression(value) && value.operatorToken.kind === ts.SyntaxKind.EqualsToken ? value.left : value, strict);
        } else if (ts.isSpreadAssignment(property)) {
          targets(property.expression, strict);
        }
      }
    }
  };
  const visit = (node: TS.Node, shadowed: boolean, strict: boolean): void => {
    if (ts.isFunctionLike(node)) {
      const body = "body" in node ? node.body : undefined;
      const strictInside = strict || (body !== undefined && ts.isBlock(body) && hasUseStrict(ts, body.statements));
      // A nested function's own name, or a parameter, shadows the name in all of it.
      const own = ts.isFunctionExpression(node) && node.name?.text === name;
      const params = own || node.parameters.some((p) => bindsName(ts, p.name, name));
      for (const parameter of node.parameters) visit(parameter, shadowed || params, strictInside);
      if (body === undefined) return;
      const bodyShadowed = shadowed || params || (ts.isBlock(body) && (varDeclares(ts, body, name) || blockDeclares(ts, body.statements, name)));
      if (ts.isBlock(body)) for (const statement of body.statements) visit(statement, bodyShadowed, strictInside);
      else visit(body, bodyShadowed, strictInside);
      return;
    }
    if (ts.isClassLike(node)) {
      // Class code is strict; a class's name is bound inside it (heritage included).
      ts.forEachChild(node, (child) => visit(child, shadowed || node.name?.text === name, true));
      return;
    }
    let inside = shadowed;
    if (ts.isBlock(node) || ts.isModuleBlock(node)) inside ||= blockDeclares(ts, node.statements, name);
    else if (ts.isCaseBlock(node)) inside ||= node.clauses.some((c) => blockDeclares(ts, c.statements, name));
    else if (ts.isCatchClause(node)) inside ||= node.variableDeclaration !== undefined && bindsName(ts, node.variableDeclaration.name, name);
    else if ((ts.isForStatement(node) || ts.isForInStatement(node) || ts.isForOfStatement(node)) && node.initializer && ts.isVariableDeclarationList(node.initializer)) {
      inside ||= (node.initializer.flags & ts.NodeFlags.BlockScoped) !== 0 && listBinds(ts, node.initializer, name);
    }
    if (!shadowed) {
      if (ts.isBinaryExpression(node) && isAssignmentOperator(ts, node.operatorToken.kind)) targets(node.left, strict);
      else if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)) targets(node.operand, strict);
      else if ((ts.isForInStatement(node) || ts.isForOfStatement(node)) && !ts.isVariableDeclarationList(node.initializer)) targets(node.initializer, strict);
    }
    ts.forEachChild(node, (child) => visit(child, inside, strict));
  };
  const strict = isStrictAt(ts, fn, fileStrict) || (ts.isBlock(fn.body) && hasUseStrict(ts, fn.body.statements));
  for (const parameter of fn.parameters) visit(parameter, false, strict);
  const bodyShadowed = varDeclares(ts, fn.body, name) || blockDeclares(ts, fn.body.statements, name);
  for (const statement of fn.body.statements) visit(statement, bodyShadowed, strict);
  return writes;
}

/** True for a function or class without a name of its own: natively, assigning it to the name names it. */
function isAnonymousDefinition(ts: Ts, node: TS.Expression): boolean {
  const inner = skipWrappers(ts, node);
  // Parentheses do not hide a function definition from NamedEvaluation; TypeScript's type wrappers are erased.
  return ts.isArrowFunction(inner) || ((ts.isFunctionExpression(inner) || ts.isClassExpression(inner)) && !inner.name);
}

/** `{ self: value }.self`: the value, named as an assignment to the name would name it. */
function namedValue(ctx: FileContext, name: string, value: TS.Expression): TS.Expression {
  const { f } = ctx;
  const key = namingKeyIsComputed(name) ? f.createComputedPropertyName(f.createStringLiteral(name)) : f.createIdentifier(name);
  return f.createPropertyAccessExpression(f.createParenthesizedExpression(f.createObjectLiteralExpression([f.createPropertyAssignment(key, value)])), name);
}

/**
 * The rewrite of an original node that writes an own name, or undefined: `visit` is the walk's
 * visitor for the node's other parts.
 */
export function rewriteOwnNameWrite(
  ctx: FileContext, targets: ReadonlyMap<TS.Node, OwnNameTarget>, node: TS.Node, visit: (node: TS.Node) => TS.VisitResult<TS.Node | undefined>,
): TS.Node | undefined {
  const { ts, f } = ctx;
  // The member stands where the name stood: it maps back to it.
  const member = (target: OwnNameTarget, from: TS.Node): TS.Expression => withLoc(ctx, f.createPropertyAccessExpression(target.ref, target.name), from);
  const visitExpression = (e: TS.Expression): TS.Expression => ts.visitNode(e, visit, ts.isExpression)!;
  const own = targets.get(node);
  if (own !== undefined) {
    if (ts.isShorthandPropertyAssignment(node)) {
      const initializer = node.objectAssignmentInitializer;
      const value = initializer === undefined ? member(own, node.name)
        : f.createAssignment(member(own, node.name), isAnonymousDefinition(ts, initializer) ? namedValue(ctx, own.name, visitExpression(initializer)) : visitExpression(initializer));
      return f.createPropertyAssignment(own.name, value);
    }
    return member(own, node);
  }
  // `self = function () {}` (also as a destructuring default): the function is named "self".
  if (ts.isBinaryExpression(node) && ts.isIdentifier(node.left) && targets.has(node.left) && isAnonymousDefinition(ts, node.right)) {
    const operator = ts.tokenToString(node.operatorToken.kind);
    if (operator !== undefined && NAMING_ASSIGNMENT_OPERATORS.includes(operator)) {
      return f.updateBinaryExpression(node, member(targets.get(node.left)!, node.left), node.operatorToken, namedValue(ctx, targets.get(node.left)!.name, visitExpression(node.right)));
    }
  }
  return undefined;
}

/** True when `source` may bind `TypeError` itself (a cheap over-approximation: the word occurs). */
function mayBindTypeError(sf: TS.SourceFile): boolean {
  return /\bTypeError\b/.test(sf.text);
}

/** The declarations of the reference objects, each `{ get self() { return own; }, set self(_value) {...} }`. */
export function ownNameDeclarations(ctx: FileContext, name: string, own: TS.Identifier, refs: OwnNameRefs): TS.VariableDeclaration[] {
  const { f } = ctx;
  const constructorPath = typeErrorConstructor(mayBindTypeError(ctx.sourceFile));
  return [...refs].map(([strict, ref]) => {
    const setterBody = ownNameWriteThrows(strict)
      ? [f.createThrowStatement(f.createNewExpression(
        constructorPath.slice(1).reduce<TS.Expression>((object, key) => f.createPropertyAccessExpression(object, key), f.createIdentifier(constructorPath[0]!)),
        undefined, [f.createStringLiteral(OWN_NAME_ASSIGNMENT_ERROR)],
      ))]
      : [];
    const object = f.createObjectLiteralExpression([
      f.createGetAccessorDeclaration(undefined, name, [], undefined, f.createBlock([f.createReturnStatement(own)], false)),
      f.createSetAccessorDeclaration(undefined, name, [f.createParameterDeclaration(undefined, undefined, ctx.uid("value"))], f.createBlock(setterBody, false)),
    ], true);
    return f.createVariableDeclaration(ref, undefined, undefined, object);
  });
}

/**
 * Writes to a named async function expression's own name (`async function self() { self = 1 }`):
 * each assignment target that is that name becomes a member of a reference object whose setter
 * does what the native binding does (throws in strict code, ignores the write in sloppy code),
 * so that the `const` the wrap binds the name with is never assigned (the rule: emit-rules.ts,
 * OWN_NAME_ASSIGNMENT_ERROR). The rewrite runs when the traversal enters the function, before
 * anything inside it changed, so the scope's record of the binding is exact.
 */
import type { NodePath, types as BabelTypes } from "@babel/core";
import type { Binding } from "@babel/traverse";
import { NAMING_ASSIGNMENT_OPERATORS, OWN_NAME_ASSIGNMENT_ERROR, namingKeyIsComputed, ownNameWriteThrows, typeErrorConstructor } from "../emit-rules.js";
import { withLoc, type Expression, type FileContext, type Identifier, type Types } from "./context.js";

/** The reference objects of one function's own name, by the strictness of the writes through them. */
export type OwnNameRefs = Map<boolean, Identifier>;

/** A node that writes its target (an identifier or a pattern holding it) without declaring it. */
function isWrite(path: NodePath): path is NodePath<BabelTypes.AssignmentExpression | BabelTypes.UpdateExpression | BabelTypes.ForXStatement> {
  return path.isAssignmentExpression() || path.isUpdateExpression() || ((path.isForOfStatement() || path.isForInStatement()) && !(path.get("left") as NodePath).isVariableDeclaration());
}

/** True for a function or class without a name of its own: natively, assigning it to the name names it. */
function isAnonymousDefinition(t: Types, node: BabelTypes.Node): boolean {
  return t.isArrowFunctionExpression(node) || ((t.isFunctionExpression(node) || t.isClassExpression(node)) && !node.id);
}

function isParenthesized(node: BabelTypes.Node): boolean {
  return (node.extra as { parenthesized?: boolean } | undefined)?.parenthesized === true;
}

/**
 * Rewrites the writes to `path`'s own name; returns the reference objects they use (for the wrap
 * to declare), or undefined when nothing writes it. A write inside the body where the body
 * declares the name itself (`var self`) is a write to that declaration, and stays.
 */
export function rewriteOwnNameWrites(ctx: FileContext, path: NodePath<BabelTypes.FunctionExpression>): OwnNameRefs | undefined {
  const id = path.node.id;
  if (!id) return undefined;
  const binding = path.scope.getOwnBinding(id.name);
  // A parameter of that name is the binding the body sees, natively too.
  if (!binding || binding.kind !== "local" || binding.constantViolations.length === 0) return undefined;
  const writes = binding.constantViolations.filter(isWrite);
  // Any other violation declares the name in the function's own scope: the body's writes are that declaration's.
  const bodyDeclares = writes.length < binding.constantViolations.length;
  const body = path.get("body");
  const refs: OwnNameRefs = new Map();
  for (const write of writes) {
    if (bodyDeclares && write.isDescendant(body)) continue;
    rewriteWrite(ctx, binding, write, refs);
  }
  return refs.size > 0 ? refs : undefined;
}

function rewriteWrite(ctx: FileContext, binding: Binding, write: NodePath, refs: OwnNameRefs): void {
  const t = ctx.t;
  const name = binding.identifier.name;
  // The member stands where the name stood: it maps back to it.
  const target = (from: BabelTypes.Node): Expression => {
    const strict = write.isInStrictMode();
    let ref = refs.get(strict);
    if (!ref) {
      ref = write.scope.generateUidIdentifier(name);
      refs.set(strict, ref);
    }
    return withLoc(t.memberExpression(t.cloneNode(ref), t.identifier(name)), from);
  };
  const named = (value: NodePath<BabelTypes.Expression>): void => {
    if (!isAnonymousDefinition(t, value.node)) return;
    const key = namingKeyIsComputed(name) ? t.stringLiteral(name) : t.identifier(name);
    value.replaceWith(t.memberExpression(t.objectExpression([t.objectProperty(key, value.node, namingKeyIsComputed(name))]), t.identifier(name)));
  };
  if (write.isUpdateExpression()) {
    const argument = write.get("argument");
    if (argument.isIdentifier({ name })) argument.replaceWith(target(argument.node));
    return;
  }
  const left = write.get("left") as NodePath<BabelTypes.LVal>;
  if (write.isAssignmentExpression() && left.isIdentifier({ name })) {
    // `(self) = function () {}` does not name the function (its target is no IdentifierRef).
    if (NAMING_ASSIGNMENT_OPERATORS.includes(write.node.operator) && !isParenthesized(left.node)) named(write.get("right"));
    left.replaceWith(target(left.node));
    return;
  }
  rewritePattern(left, name, target, named);
}

/** The targets named `name` in a destructuring pattern (not its defaults or computed keys, which read). */
function rewritePattern(
  pattern: NodePath, name: string, target: (from: BabelTypes.Node) => Expression, named: (value: NodePath<BabelTypes.Expression>) => void,
): void {
  if (pattern.isIdentifier({ name })) {
    pattern.replaceWith(target(pattern.node));
  } else if (pattern.isArrayPattern()) {
    for (const element of pattern.get("elements")) if (element.node) rewritePattern(element as NodePath, name, target, named);
  } else if (pattern.isObjectPattern()) {
    for (const property of pattern.get("properties")) {
      if (property.isRestElement()) {
        rewritePattern(property, name, target, named);
      } else if (property.isObjectProperty()) {
        const value = property.get("value");
        // `{ self }` and `{ self = f }`: the shorthand names the key too, which must stay.
        if (property.node.shorthand) property.node.shorthand = false;
        rewritePattern(value, name, target, named);
      }
    }
  } else if (pattern.isAssignmentPattern()) {
    const left = pattern.get("left");
    if (left.isIdentifier({ name }) && !isParenthesized(left.node)) named(pattern.get("right"));
    rewritePattern(left, name, target, named);
  } else if (pattern.isRestElement()) {
    rewritePattern(pattern.get("argument"), name, target, named);
  } else if (pattern.isTSAsExpression() || pattern.isTSSatisfiesExpression() || pattern.isTSNonNullExpression() || pattern.isTSTypeAssertion()) {
    rewritePattern(pattern.get("expression") as NodePath, name, target, named);
  }
}

/**
 * The declarators of the reference objects, each `{ get self() { return own; }, set self(_value) {...} }`
 * where `own` is the binding that holds the function.
 */
export function ownNameDeclarators(ctx: FileContext, scope: NodePath["scope"], name: string, own: Identifier, refs: OwnNameRefs): BabelTypes.VariableDeclarator[] {
  const t = ctx.t;
  const constructorPath = typeErrorConstructor(scope.hasBinding("TypeError", true));
  return [...refs].map(([strict, ref]) => {
    const setterBody = ownNameWriteThrows(strict)
      ? [t.throwStatement(t.newExpression(
        constructorPath.slice(1).reduce<Expression>((object, key) => t.memberExpression(object, t.identifier(key)), t.identifier(constructorPath[0]!)),
        [t.stringLiteral(OWN_NAME_ASSIGNMENT_ERROR)],
      ))]
      : [];
    const object = t.objectExpression([
      t.objectMethod("get", t.identifier(name), [], t.blockStatement([t.returnStatement(t.cloneNode(own))])),
      t.objectMethod("set", t.identifier(name), [scope.generateUidIdentifier("value")], t.blockStatement(setterBody)),
    ]);
    return t.variableDeclarator(t.cloneNode(ref), object);
  });
}

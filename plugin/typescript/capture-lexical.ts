/**
 * An async arrow's body becomes a generator method, which has its own `this`, `arguments`,
 * `new.target` and `super`: the arrow's lexical ones are passed in by an arrow around the public
 * function, `((_this, _arguments) => _af(...))(this, arguments)`, evaluated where the arrow
 * stood (Babel's arrowFunctionToExpression hoists the same bindings into the enclosing function).
 */
import type { FileContext, TS } from "./context.js";

interface Capture {
  param: TS.Identifier;
  argument: TS.Expression;
}

/** Replaces the lexical bindings in an arrow's rewritten body; `wrap` puts the binding arrow around its public function. */
export function captureLexical(ctx: FileContext, context: TS.TransformationContext, statements: readonly TS.Statement[], parameters: readonly TS.ParameterDeclaration[]): {
  statements: { statements: TS.Statement[]; parameters: TS.ParameterDeclaration[] };
  wrap: (fn: TS.Expression) => TS.Expression;
} {
  const { ts, f } = ctx;
  const captures = new Map<string, Capture>();
  const capture = (key: string, base: string, argument: () => TS.Expression): TS.Identifier => {
    let c = captures.get(key);
    if (!c) {
      c = { param: ctx.uid(base), argument: argument() };
      captures.set(key, c);
    }
    return c.param;
  };
  const thisOf = () => capture("this", "this", () => f.createThis());
  const superGet = () => capture("super", "superprop_get", () => {
    const p = ctx.uid("prop");
    return f.createArrowFunction(undefined, undefined, [f.createParameterDeclaration(undefined, undefined, p)], undefined, undefined,
      f.createElementAccessExpression(f.createSuper(), p));
  });
  const superKey = (node: TS.PropertyAccessExpression | TS.ElementAccessExpression): TS.Expression =>
    ts.isPropertyAccessExpression(node) ? f.createStringLiteral(node.name.text) : visit(node.argumentExpression) as TS.Expression;
  // A computed key is evaluated where the object literal stands, with the arrow's bindings.
  const visitName = <N extends TS.PropertyName>(name: N): N => (ts.isComputedPropertyName(name) ? (visit(name) as N) : name);
  const visit = (node: TS.Node): TS.Node => {
    // An object literal's method or accessor has its own bindings, except in its computed key.
    if (ts.isObjectLiteralExpression(node)) {
      return f.updateObjectLiteralExpression(node, node.properties.map((member) => {
        if (ts.isMethodDeclaration(member)) {
          return f.updateMethodDeclaration(member, member.modifiers, member.asteriskToken, visitName(member.name), member.questionToken, member.typeParameters, member.parameters, member.type, member.body);
        }
        if (ts.isGetAccessorDeclaration(member)) return f.updateGetAccessorDeclaration(member, member.modifiers, visitName(member.name), member.parameters, member.type, member.body);
        if (ts.isSetAccessorDeclaration(member)) return f.updateSetAccessorDeclaration(member, member.modifiers, visitName(member.name), member.parameters, member.body);
        return visit(member) as TS.ObjectLiteralElementLike;
      }));
    }
    // Functions with their own bindings are not entered (arrows are: their bindings are this one's).
    if ((ts.isFunctionLike(node) && !ts.isArrowFunction(node)) || ts.isClassStaticBlockDeclaration(node) || ts.isClassLike(node)) return node;
    if (node.kind === ts.SyntaxKind.ThisKeyword) return thisOf();
    if (ts.isPropertyAccessExpression(node) && node.expression.kind !== ts.SyntaxKind.SuperKeyword) {
      return f.updatePropertyAccessExpression(node, visit(node.expression) as TS.Expression, node.name);
    }
    if (ts.isPropertyAssignment(node)) return f.updatePropertyAssignment(node, visitName(node.name), visit(node.initializer) as TS.Expression);
    // `{ arguments }` keeps its key and reads the captured binding.
    if (ts.isShorthandPropertyAssignment(node) && node.name.text === "arguments") {
      return f.createPropertyAssignment(f.createIdentifier("arguments"), capture("arguments", "arguments", () => f.createIdentifier("arguments")));
    }
    if (ts.isIdentifier(node) && node.text === "arguments") return capture("arguments", "arguments", () => f.createIdentifier("arguments"));
    if (ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.NewKeyword) return capture("newtarget", "newtarget", () => f.createMetaProperty(ts.SyntaxKind.NewKeyword, f.createIdentifier("target")));
    if (ts.isCallExpression(node) && isSuperMember(ts, node.expression)) {
      const member = node.expression as TS.PropertyAccessExpression | TS.ElementAccessExpression;
      const read = f.createCallExpression(superGet(), undefined, [superKey(member)]);
      return f.createCallExpression(f.createPropertyAccessExpression(read, "call"), undefined, [thisOf(), ...node.arguments.map((a) => visit(a) as TS.Expression)]);
    }
    if (ts.isBinaryExpression(node) && isSuperMember(ts, node.left) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      throw ctx.refusal(node, "corotask cannot compile an assignment to a super property inside an async arrow; assign it in the enclosing method");
    }
    if (isSuperMember(ts, node)) {
      return f.createCallExpression(superGet(), undefined, [superKey(node as TS.PropertyAccessExpression)]);
    }
    return ts.visitEachChild(node, visit, context);
  };
  const newStatements = statements.map((s) => visit(s) as TS.Statement);
  const newParameters = parameters.map((p) => visit(p) as TS.ParameterDeclaration);
  const wrap = (fn: TS.Expression): TS.Expression => {
    if (captures.size === 0) return fn;
    const list = [...captures.values()];
    return f.createCallExpression(
      f.createParenthesizedExpression(f.createArrowFunction(undefined, undefined, list.map((c) => f.createParameterDeclaration(undefined, undefined, c.param)), undefined, undefined, fn)),
      undefined, list.map((c) => c.argument));
  };
  return { statements: { statements: newStatements, parameters: newParameters }, wrap };
}

function isSuperMember(ts: typeof import("typescript"), node: TS.Node): boolean {
  return (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) && node.expression.kind === ts.SyntaxKind.SuperKeyword;
}

/**
 * Replaces a coroutine function (whose awaits are already rewritten) by its body, a generator
 * branded with its frame info, and the public function object made from that body:
 *
 *   declaration  `async function f(a) {...}` -> hoisted to the top of its scope:
 *                `var _f = _cb({ *f(a) {...} }.f, _fi[0]), f = _af(_f, "eager");`
 *   expression, arrow -> `_af(_cb({ *name(a) {...} }.name, _fi[0]), "eager")`
 *                (arrows first get their this/arguments/super hoisted, as Babel's arrow transform does)
 *   object method -> stays a method (so `super` keeps its home object), made a generator, and
 *                replaced by its public function once the literal exists: `(_o = {...}, _o.m = _af(_cb(_o.m, ...)), _o)`
 *   class method -> likewise, by a static block placed first in the class body, which runs
 *                before any other static initializer; a private method `#m` becomes a private
 *                getter returning its public function.
 *
 * The body is written as a generator *method* of a throwaway object literal because that is the
 * one generator form that takes a name (for `fn.name`) without binding it inside the body.
 */
import type { NodePath, types as BabelTypes } from "@babel/core";
import type { FrameInfo } from "../frame-info.js";
import { functionHeader } from "../reflection.js";
import { ANONYMOUS_NAME, DEFAULT_EXPORT_NAME, NAMING_ASSIGNMENT_OPERATORS, memberFrameName } from "../emit-rules.js";
import type { RewrittenBody } from "./rewrite-awaits.js";
import { ownNameDeclarators } from "./own-name.js";
import { refusal, withLoc, type Expression, type FileContext, type Identifier, type Statement, type Types } from "./context.js";

type FunctionPath = NodePath<BabelTypes.Function>;

/** A property key as a string, when it is static. */
export function staticKeyName(t: Types, key: BabelTypes.Node, computed: boolean): string | null {
  if (t.isPrivateName(key)) return "#" + key.id.name;
  if (!computed && t.isIdentifier(key)) return key.name;
  if (t.isStringLiteral(key)) return key.value;
  if (t.isNumericLiteral(key)) return String(key.value);
  if (t.isBigIntLiteral(key)) return key.value;
  return null;
}

/** The name a function expression or arrow gets from where it stands (ECMAScript NamedEvaluation), or "". */
export function inferredName(t: Types, path: NodePath): string {
  const parent = path.parentPath;
  if (!parent) return "";
  const p = parent.node;
  if (t.isVariableDeclarator(p) && p.init === path.node && t.isIdentifier(p.id)) return p.id.name;
  if (t.isAssignmentExpression(p) && p.right === path.node && t.isIdentifier(p.left) && NAMING_ASSIGNMENT_OPERATORS.includes(p.operator)) return p.left.name;
  if (t.isAssignmentPattern(p) && p.right === path.node && t.isIdentifier(p.left)) return p.left.name;
  if ((t.isObjectProperty(p) || t.isClassProperty(p) || t.isClassPrivateProperty(p)) && p.value === path.node) {
    return staticKeyName(t, p.key, "computed" in p ? !!p.computed : false) ?? "";
  }
  if (t.isExportDefaultDeclaration(p)) return DEFAULT_EXPORT_NAME;
  return "";
}

/** The name of the class a member belongs to, for frame infos (`Server.handle`). */
function className(t: Types, classPath: NodePath): string {
  const node = classPath.node as BabelTypes.Class;
  if (node.id) return node.id.name;
  return inferredName(t, classPath);
}

/** The source text of `node`, or "" when it has no offsets (a node some plugin made). */
function sourceOf(ctx: FileContext, node: BabelTypes.Node | null | undefined): string {
  return node && node.start != null && node.end != null ? ctx.code.slice(node.start, node.end) : "";
}

/** A parameter as written, without its type annotation (`a`, `b = 1`, `...rest`, `{ x }`). */
function parameterText(ctx: FileContext, param: BabelTypes.Node): string {
  switch (param.type) {
    case "Identifier":
      return param.name;
    case "AssignmentPattern":
      return `${parameterText(ctx, param.left)} = ${sourceOf(ctx, param.right)}`;
    case "RestElement":
      return `...${parameterText(ctx, param.argument)}`;
    case "ObjectPattern":
    case "ArrayPattern": {
      const annotation = param.typeAnnotation;
      const text = sourceOf(ctx, param);
      const end = annotation && annotation.start != null && param.start != null ? annotation.start - param.start : text.length;
      return text.slice(0, end).replace(/\??\s*$/, "");
    }
    case "TSParameterProperty":
      return parameterText(ctx, param.parameter);
    default:
      return sourceOf(ctx, param);
  }
}

/** The header `toString()` shows for a coroutine function (shared rule: reflection.ts). */
export function functionHeaderOf(ctx: FileContext, fn: BabelTypes.Function): string {
  const params = fn.params
    .filter((p) => !(p.type === "Identifier" && p.name === "this"))
    .map((p) => parameterText(ctx, p));
  if (fn.type === "ArrowFunctionExpression") return functionHeader("arrow", "", false, params);
  if (fn.type === "ObjectMethod" || fn.type === "ClassMethod" || fn.type === "ClassPrivateMethod") {
    const key = sourceOf(ctx, fn.key);
    return functionHeader("method", fn.computed ? `[${key}]` : key, fn.generator === true, params);
  }
  return functionHeader("function", fn.id?.name ?? "", fn.generator, params);
}

function makeInfo(ctx: FileContext, fn: BabelTypes.Node, name: string, rewritten: RewrittenBody, header: string): Expression {
  const def = ctx.definitionSite(fn);
  const info: FrameInfo = {
    name: name || ANONYMOUS_NAME,
    file: def.file,
    line: def.line,
    column: def.column,
    endLine: ctx.endLine(fn, def),
    header,
    sites: rewritten.sites,
    catches: rewritten.catches,
  };
  return ctx.addInfo(info);
}

/** `{ *name(params) {body} }.name`, or with `__proto__: proto` first when the body uses `super`. */
function bodyExpression(ctx: FileContext, name: string, fn: BabelTypes.Function, proto?: Expression): Expression {
  const t = ctx.t;
  const plain = t.isValidIdentifier(name, false);
  const key = () => (plain ? t.identifier(name) : t.stringLiteral(name));
  const method = withLoc(t.objectMethod("method", key(), fn.params as BabelTypes.ObjectMethod["params"], fn.body as BabelTypes.BlockStatement, false, true, false), fn);
  if ("returnType" in fn && fn.returnType) method.returnType = fn.returnType;
  if ("typeParameters" in fn && fn.typeParameters) method.typeParameters = fn.typeParameters as BabelTypes.TypeParameterDeclaration;
  const properties: Array<BabelTypes.ObjectMethod | BabelTypes.ObjectProperty> = [method];
  if (proto) properties.unshift(t.objectProperty(t.identifier("__proto__"), proto));
  return withLoc(t.memberExpression(withLoc(t.objectExpression(properties), fn), key(), !plain), fn);
}

function branded(ctx: FileContext, body: Expression, info: Expression): Expression {
  return ctx.t.callExpression(ctx.alias("cb"), [body, info]);
}

/** The public function of a body: `_af(body, mode)`, or `_agf(body, mode)` for an async generator function. */
function publicFunction(ctx: FileContext, body: Expression, generator = false): Expression {
  return ctx.t.callExpression(ctx.alias(generator ? "agf" : "af"), [body, ctx.t.stringLiteral(ctx.options.mode)]);
}

function usesSuper(t: Types, node: BabelTypes.Node): boolean {
  let found = false;
  t.traverseFast(node, (n) => {
    if (n.type === "Super") found = true;
  });
  return found;
}

/** Wraps one coroutine function; `rewritten` holds its await and catch sites. */
export function wrapFunction(ctx: FileContext, path: FunctionPath, rewritten: RewrittenBody, name: string, header: string): void {
  if (path.isFunctionDeclaration()) wrapDeclaration(ctx, path, rewritten, header);
  else if (path.isFunctionExpression()) wrapExpression(ctx, path, rewritten, name, header);
  else if (path.isObjectMethod()) wrapObjectMethod(ctx, path, rewritten, header);
  else if (path.isClassMethod()) wrapClassMethod(ctx, path, rewritten, header);
  else if (path.isClassPrivateMethod()) wrapPrivateMethod(ctx, path, rewritten, header);
  else throw refusal(path, `corotask cannot compile this kind of async function (${path.node.type})`);
}

function wrapDeclaration(ctx: FileContext, path: NodePath<BabelTypes.FunctionDeclaration>, rewritten: RewrittenBody, header: string): void {
  const t = ctx.t;
  const node = path.node;
  const exportPath = path.parentPath.isExportNamedDeclaration() || path.parentPath.isExportDefaultDeclaration() ? path.parentPath : null;
  const statement: NodePath = exportPath ?? path;
  const block = statement.parentPath!;
  if (!block.isProgram() && !block.isBlockStatement() && !block.isStaticBlock() && !block.isTSModuleBlock()) {
    throw refusal(
      path,
      "corotask cannot compile an async function declaration directly inside a switch case or label; wrap it in a block { }",
    );
  }
  const name = node.id ? node.id.name : DEFAULT_EXPORT_NAME;
  const publicId = node.id ?? ctx.uidIdentifier(block.scope, DEFAULT_EXPORT_NAME);
  const binding = node.id ? path.parentPath.scope.getBinding(node.id.name) : undefined;
  let bodyId = node.id ? ctx.staticBodies.get(node.id) : undefined;
  if (!bodyId) {
    bodyId = ctx.uidIdentifier(block.scope, name);
    if (binding && binding.constantViolations.length === 0 && !node.generator && !exportPath?.isExportDefaultDeclaration()) {
      ctx.staticBodies.set(node.id!, bodyId);
    }
  }
  const info = makeInfo(ctx, node, name, rewritten, header);
  const kind = block.isProgram() || block.parentPath?.isFunction() ? "var" : "let";
  const declaration = t.variableDeclaration(kind, [
    t.variableDeclarator(t.cloneNode(bodyId), branded(ctx, bodyExpression(ctx, name, node), info)),
    t.variableDeclarator(publicId, publicFunction(ctx, t.cloneNode(bodyId), node.generator)),
  ]);
  declaration.loc = node.loc;
  if (exportPath?.isExportNamedDeclaration()) {
    exportPath.replaceWith(t.exportNamedDeclaration(null, [t.exportSpecifier(t.identifier(publicId.name), t.identifier(publicId.name))]));
  } else if (exportPath) {
    exportPath.replaceWith(t.exportNamedDeclaration(null, [t.exportSpecifier(t.identifier(publicId.name), t.identifier("default"))]));
  } else {
    removeDeclaration(ctx, block, path);
  }
  block.scope.removeOwnBinding(publicId.name);
  const inserted = hoist(ctx, block, declaration);
  block.scope.registerDeclaration(inserted);
}

// Hoisting, in O(1) per declaration. Babel's path API renumbers every sibling path of a list on
// each insertion or removal in it, which makes a file of n function declarations cost O(n²) (a
// 2 MB file took 20 s in insertions alone, 10 MB would take many minutes). So the declaration
// leaves a placeholder where it was, the hoisted one waits in a list at a marker placed at the
// top of the block, and placeHoisted() puts both in place in one pass at the end, giving the
// same statements, and the same comments, as removing and inserting one by one did.

/** The hoisting state of one block (a program, a function body, a block statement). */
export interface BlockHoisting {
  /** An empty statement where the hoisted declarations go: after the leading imports, or first. */
  readonly marker: BabelTypes.EmptyStatement;
  /** The hoisted declarations, in order. Their paths hang off the block, outside its statement list, until placeHoisted(). */
  readonly declarations: Statement[];
}

/** NodePath.get's options for an element of a list (the static method's typings cover single children only). */
interface ListPathOptions {
  readonly parentPath: NodePath;
  readonly parent: BabelTypes.Node;
  readonly container: BabelTypes.Node[];
  readonly listKey: string;
  readonly key: number;
}

/** What stood before a removed declaration: a statement, or "the top" (the last leading import, or nothing, until the marker exists). */
type Preceding = BabelTypes.Node | "top";

/**
 * `path.remove()` for a coroutine function declaration, without renumbering its siblings: it
 * loses its bindings, shares its comments with its neighbours (as `shareCommentsWithSiblings`
 * does, the neighbours being those `remove()` would see: earlier removals are gone, and earlier
 * hoisted declarations are at the top), and becomes a placeholder that placeHoisted() drops.
 */
function removeDeclaration(ctx: FileContext, block: NodePath, path: NodePath<BabelTypes.FunctionDeclaration>): void {
  const t = ctx.t;
  const node = path.node;
  for (const name of Object.keys(t.getBindingIdentifiers(node, false, false, true))) path.scope.removeBinding(name);
  const container = path.container as BabelTypes.Node[];
  const key = path.key as number;
  const before = key > 0 ? container[key - 1]! : undefined;
  const preceding: Preceding = before === undefined || (block.isProgram() && before === lastLeadingImport(ctx)) ? "top" : ctx.removedDeclarations.get(before) ?? before;
  const previous = precedingStatement(ctx, block, preceding);
  const next = container[key + 1];
  const leading = node.leadingComments;
  const trailing = node.trailingComments;
  if (previous) {
    if (leading) t.addComments(previous, "trailing", withoutExisting(leading, previous.trailingComments));
    if (trailing && !next) t.addComments(previous, "trailing", trailing);
  }
  if (next) {
    if (trailing) t.addComments(next, "leading", withoutExisting(trailing, next.leadingComments));
    if (leading && !previous) t.addComments(next, "leading", leading);
  }
  t.removeComments(node);
  const placeholder = t.emptyStatement();
  ctx.removedDeclarations.set(placeholder, preceding);
  path.replaceWith(placeholder);
}

/** The statement `preceding` stands for now: the marker means the last declaration hoisted there. */
function precedingStatement(ctx: FileContext, block: NodePath, preceding: Preceding): BabelTypes.Node | undefined {
  const hoisting = ctx.hoisting.get(block.node);
  if (preceding === "top") {
    if (hoisting) return hoisting.declarations.at(-1);
    return block.isProgram() ? lastLeadingImport(ctx) : undefined;
  }
  return hoisting && preceding === hoisting.marker ? hoisting.declarations.at(-1) : preceding;
}

/** The program's last leading import, if any (the pass adds none: found once). */
function lastLeadingImport(ctx: FileContext): BabelTypes.Node | undefined {
  if (ctx.lastLeadingImport === null) {
    ctx.lastLeadingImport = undefined;
    for (const statement of ctx.program.node.body) {
      if (!ctx.t.isImportDeclaration(statement)) break;
      ctx.lastLeadingImport = statement;
    }
  }
  return ctx.lastLeadingImport;
}

/** Babel's removeIfExisting: `list` without the comments `existing` already holds. */
function withoutExisting(list: BabelTypes.Comment[], existing: readonly BabelTypes.Comment[] | null | undefined): BabelTypes.Comment[] {
  if (!existing?.length) return list;
  const set = new Set(existing);
  return list.filter((comment) => !set.has(comment));
}

/**
 * Adds `statement` to the declarations hoisted to the top of `block` (after earlier hoisted ones
 * and, in a program, after the leading imports); returns its path, for the block's scope.
 */
function hoist(ctx: FileContext, block: NodePath, statement: Statement): NodePath {
  let hoisting = ctx.hoisting.get(block.node);
  if (!hoisting) {
    hoisting = { marker: ctx.t.emptyStatement(), declarations: [] };
    ctx.hoisting.set(block.node, hoisting);
    const body = block.get("body") as NodePath[];
    let last = -1;
    if (block.isProgram()) while (last + 1 < body.length && body[last + 1]!.isImportDeclaration()) last++;
    if (last < 0) (block as NodePath<BabelTypes.BlockStatement>).unshiftContainer("body", hoisting.marker);
    else body[last]!.insertAfter(hoisting.marker);
  }
  const declarations = hoisting.declarations;
  declarations.push(statement);
  // A path of the block whose container is the list: what registerDeclaration needs, in O(1).
  const NodePathClass = block.constructor as unknown as { get(opts: ListPathOptions): NodePath };
  return NodePathClass.get({ parentPath: block, parent: block.node, container: declarations, listKey: "body", key: declarations.length - 1 });
}

/**
 * Puts the hoisted declarations of every block at their markers and drops the placeholders of
 * removed declarations, in one pass over the program (a placeholder may have moved with its
 * statement list, as `await using` moves the rest of a block into a `try`). The paths of the
 * statements moved are set up again by the next traversal (the header's, the scope crawl).
 */
export function placeHoisted(ctx: FileContext): void {
  const t = ctx.t;
  t.traverseFast(ctx.program.node, (node) => {
    const body = (node as { body?: unknown }).body;
    if (!Array.isArray(body) || !body.some((s: BabelTypes.Node) => ctx.removedDeclarations.has(s) || ctx.hoisting.get(node)?.marker === s)) return;
    const hoisting = ctx.hoisting.get(node);
    const statements: BabelTypes.Node[] = [];
    for (const statement of body as BabelTypes.Node[]) {
      if (hoisting && statement === hoisting.marker) statements.push(...hoisting.declarations);
      else if (!ctx.removedDeclarations.has(statement)) statements.push(statement);
    }
    body.length = 0;
    for (const statement of statements) body.push(statement);
  });
}

function wrapExpression(ctx: FileContext, path: NodePath<BabelTypes.FunctionExpression>, rewritten: RewrittenBody, inferred: string, header: string): void {
  const t = ctx.t;
  const node = path.node;
  const name = node.id ? node.id.name : inferred;
  const info = makeInfo(ctx, node, name, rewritten, header);
  // The whole `_af(_cb({ *name() {...} }.name, ...))` stands for the function: it maps to its definition.
  const fn = withLoc(publicFunction(ctx, withLoc(branded(ctx, bodyExpression(ctx, name, node), info), node), node.generator), node);
  const self = node.id ? path.scope.getOwnBinding(node.id.name) : undefined;
  // The writes to the name, rewritten on entering the function: their reference objects (own-name.ts).
  const refs = ctx.ownNameRefs.get(node);
  if (node.id && !path.isInStrictMode() && containsDirectEval(ctx, path)) {
    // Sloppy code whose eval may assign the function's own name: that assignment must be ignored
    // silently, as a named function expression's binding does, where a `const` would throw. A
    // `with` scope whose setter does nothing gives exactly that (and `with` exists only in
    // sloppy code, where it is needed); its null prototype hides Object.prototype's names.
    const own = ctx.uidIdentifier(path.scope, node.id.name);
    const scopeObject = t.objectExpression([
      t.objectProperty(t.identifier("__proto__"), t.nullLiteral()),
      t.objectMethod("get", t.identifier(node.id.name), [], t.blockStatement([t.returnStatement(t.cloneNode(own))])),
      t.objectMethod("set", t.identifier(node.id.name), [ctx.uidIdentifier(path.scope, "ignored")], t.blockStatement([])),
    ]);
    path.replaceWith(withLoc(t.callExpression(t.arrowFunctionExpression([], t.blockStatement([
      t.variableDeclaration("var", [t.variableDeclarator(own), ...(refs ? ownNameDeclarators(ctx, path.scope.parent ?? path.scope, node.id.name, own, refs) : [])]),
      t.withStatement(scopeObject, t.blockStatement([t.returnStatement(t.assignmentExpression("=", t.cloneNode(own), fn))])),
    ])), []), node));
  } else if (node.id && self && self.kind === "local" && (self.referenced || self.constantViolations.length > 0)) {
    // The name of a named function expression is bound, read-only, inside it; what the source
    // writes to it goes through its reference objects, so nothing assigns this `const`.
    const own = t.identifier(node.id.name);
    path.replaceWith(withLoc(t.callExpression(t.arrowFunctionExpression([], t.blockStatement([
      t.variableDeclaration("const", [
        t.variableDeclarator(own, fn),
        ...(refs ? ownNameDeclarators(ctx, path.scope.parent ?? path.scope, node.id.name, own, refs) : []),
      ]),
      t.returnStatement(t.identifier(node.id.name)),
    ])), []), node));
  } else {
    path.replaceWith(fn);
  }
}

/** True when `path` calls `eval` directly somewhere inside (nested functions included). */
function containsDirectEval(ctx: FileContext, path: NodePath): boolean {
  let found = false;
  path.traverse({
    CallExpression(call) {
      if (ctx.t.isIdentifier(call.node.callee, { name: "eval" }) && !call.scope.hasBinding("eval", true)) {
        found = true;
        call.stop();
      }
    },
  });
  return found;
}

/** A member's key for reading it back after definition: `.m`, `["m"]`, or a temporary holding a computed key. */
function memberKey(ctx: FileContext, member: BabelTypes.ObjectMethod | BabelTypes.ClassMethod, scopePath: NodePath): { key: Expression; computed: boolean } {
  const t = ctx.t;
  if (!member.computed) {
    if (t.isIdentifier(member.key)) return { key: t.identifier(member.key.name), computed: false };
    return { key: t.cloneNode(member.key as Expression), computed: true };
  }
  if (t.isStringLiteral(member.key) || t.isNumericLiteral(member.key)) return { key: t.cloneNode(member.key), computed: true };
  const scope = scopePath.scope.getFunctionParent() ?? scopePath.scope.getProgramParent();
  const temp = ctx.uidIdentifier(scope, "k");
  scope.push({ id: temp });
  member.key = t.assignmentExpression("=", t.cloneNode(temp), member.key as Expression);
  return { key: t.cloneNode(temp), computed: true };
}

function wrapObjectMethod(ctx: FileContext, path: NodePath<BabelTypes.ObjectMethod>, rewritten: RewrittenBody, header: string): void {
  const t = ctx.t;
  const node = path.node;
  const objectPath = path.parentPath as NodePath<BabelTypes.ObjectExpression>;
  let work = ctx.objectWork.get(objectPath.node);
  if (!work) {
    const scope = objectPath.scope.getFunctionParent() ?? objectPath.scope.getProgramParent();
    const temp = ctx.uidIdentifier(scope, "obj");
    scope.push({ id: temp });
    work = { temp, assignments: [] };
    ctx.objectWork.set(objectPath.node, work);
  }
  const name = staticKeyName(t, node.key, node.computed) ?? "";
  const info = makeInfo(ctx, node, name, rewritten, header);
  const { key, computed } = memberKey(ctx, node, objectPath);
  const generator = node.generator;
  node.async = false;
  node.generator = true;
  const read = () => t.memberExpression(t.cloneNode(work!.temp), t.cloneNode(key), computed);
  work.assignments.push(t.assignmentExpression("=", read(), publicFunction(ctx, branded(ctx, read(), info), generator)));
}

/** At the exit of an object literal with coroutine methods: install their public functions. */
export function finishObject(ctx: FileContext, path: NodePath<BabelTypes.ObjectExpression>): void {
  const work = ctx.objectWork.get(path.node);
  if (!work) return;
  ctx.objectWork.delete(path.node);
  const t = ctx.t;
  path.replaceWith(t.sequenceExpression([
    t.assignmentExpression("=", t.cloneNode(work.temp), path.node),
    ...work.assignments,
    t.cloneNode(work.temp),
  ]));
}

function classWork(ctx: FileContext, classBody: NodePath) {
  let work = ctx.classWork.get(classBody.node);
  if (!work) {
    work = { statements: [], proto: null };
    ctx.classWork.set(classBody.node, work);
  }
  return work;
}

function wrapClassMethod(ctx: FileContext, path: NodePath<BabelTypes.ClassMethod>, rewritten: RewrittenBody, header: string): void {
  const t = ctx.t;
  const node = path.node;
  const classBody = path.parentPath;
  const classPath = classBody.parentPath!;
  const work = classWork(ctx, classBody);
  const memberName = staticKeyName(t, node.key, node.computed) ?? "<computed>";
  const info = makeInfo(ctx, node, memberFrameName(className(t, classPath), memberName), rewritten, header);
  const { key, computed } = memberKey(ctx, node, classPath);
  const generator = node.generator;
  node.async = false;
  node.generator = true;
  let target: () => Expression;
  if (node.static) {
    target = () => t.thisExpression();
  } else {
    work.proto ??= ctx.uidIdentifier(classPath.scope, "proto");
    const proto = work.proto;
    target = () => t.cloneNode(proto);
  }
  const read = () => t.memberExpression(target(), t.cloneNode(key), computed);
  work.statements.push(t.expressionStatement(t.assignmentExpression("=", read(), publicFunction(ctx, branded(ctx, read(), info), generator))));
}

function wrapPrivateMethod(ctx: FileContext, path: NodePath<BabelTypes.ClassPrivateMethod>, rewritten: RewrittenBody, header: string): void {
  const t = ctx.t;
  const node = path.node;
  const classBody = path.parentPath;
  const classPath = classBody.parentPath!;
  const work = classWork(ctx, classBody);
  const name = "#" + node.key.id.name;
  const info = makeInfo(ctx, node, memberFrameName(className(t, classPath), name), rewritten, header);
  const scope = classPath.scope.getFunctionParent() ?? classPath.scope.getProgramParent();
  const holder = ctx.uidIdentifier(scope, node.key.id.name);
  scope.push({ id: holder });
  let proto: Expression | undefined;
  if (usesSuper(t, node.body)) {
    const home = node.static ? t.thisExpression() : t.memberExpression(t.thisExpression(), t.identifier("prototype"));
    proto = t.callExpression(t.memberExpression(t.identifier("Object"), t.identifier("getPrototypeOf")), [home]);
  }
  const body = bodyExpression(ctx, name, node, proto);
  work.statements.push(t.expressionStatement(t.assignmentExpression("=", t.cloneNode(holder), publicFunction(ctx, branded(ctx, body, info), node.generator))));
  const getter = withLoc(t.classPrivateMethod("get", t.cloneNode(node.key), [], t.blockStatement([t.returnStatement(t.cloneNode(holder))]), node.static), node);
  path.replaceWith(getter);
}

/** At the exit of a class body with coroutine methods: the static block that installs their public functions. */
export function finishClass(ctx: FileContext, path: NodePath<BabelTypes.ClassBody>): void {
  const work = ctx.classWork.get(path.node);
  if (!work) return;
  ctx.classWork.delete(path.node);
  const t = ctx.t;
  const statements = [...work.statements];
  if (work.proto) {
    statements.unshift(t.variableDeclaration("const", [
      t.variableDeclarator(t.cloneNode(work.proto), t.memberExpression(t.thisExpression(), t.identifier("prototype"))),
    ]));
  }
  path.unshiftContainer("body", t.staticBlock(statements));
}

export type { Identifier };

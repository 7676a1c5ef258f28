/**
 * The TypeScript transformer `corotask/typescript`: wires the passes, in order, as a `before`
 * transformer, so that the rewrite sees the file before TypeScript's own transforms (type
 * erasure, downlevelling, modules) do: select-functions walks the file, rewrite-awaits and
 * wrap-function emit the same forms as the Babel plugin, import-runtime adds the header.
 */
import type * as TS from "typescript";
import { validateOptions, type ResolvedOptions } from "../options.js";
import { FileContext, type TypeScript } from "./context.js";
import { Walk, isCoroutineFunction } from "./select-functions.js";
import { emitsCommonJs, insertRuntimeHeader } from "./import-runtime.js";
import type { FastPath } from "./rewrite-awaits.js";
import { callsBodyDirectly } from "./shared.js";
import { CompileError, codeFrame } from "../compile-error.js";
import { deepestNesting, deepNestingReason, isStackOverflow, lineAndColumn } from "../deep-nesting.js";

/** Keys ts-patch puts in a `plugins` entry next to the transform's own options. */
export const TS_PATCH_KEYS: readonly string[] = [
  "transform", "type", "import", "after", "afterDeclarations", "isEsm", "resolvePathAliases", "transformProgram", "name",
];

/**
 * Throws at once under TypeScript 7 (the native compiler), whose package has no transformer API.
 * @internal exported for the tests.
 */
export function assertTransformerApi(ts: { version?: string; factory?: unknown; visitEachChild?: unknown }): void {
  const major = Number(String(ts.version ?? "").split(".")[0]);
  if (major >= 7 || typeof ts.visitEachChild !== "function" || typeof ts.factory !== "object") {
    throw new Error(
      `corotask/typescript needs the JavaScript compiler API of TypeScript 5.x or 6.x, but "typescript" is version ${ts.version ?? "unknown"}, ` +
      `which has no transformer API (TypeScript 7 is the native compiler). Either install the JavaScript compiler under the package name: ` +
      `"typescript": "npm:@typescript/typescript6@^6" (and TypeScript 7 as "@typescript/native": "npm:typescript@^7"), ` +
      `or compile with the Babel plugin (corotask/babel), the Node loader (corotask/register) or a bundler plugin (corotask/vite, ...)`,
    );
  }
}

/** The type-aware fast path: what the checker proves about an awaited call's callee. */
function fastPathFor(ts: TypeScript, ctx: FileContext, checker: TS.TypeChecker | undefined, program: TS.Program | undefined): FastPath {
  const declarationOf = (callee: TS.Expression): TS.Declaration | undefined => {
    if (!checker || callee.pos < 0) return undefined;
    let symbol = checker.getSymbolAtLocation(callee);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    const declarations = symbol?.declarations;
    return declarations && declarations.length >= 1 ? declarations[declarations.length - 1] : undefined;
  };
  const reassigned = new Map<string, boolean>();
  const isReassigned = (name: string): boolean => {
    let known = reassigned.get(name);
    if (known === undefined) {
      known = assignsName(ts, ctx.sourceFile, name);
      reassigned.set(name, known);
    }
    return known;
  };
  const compiledHere = (declaration: TS.Declaration): boolean => {
    const file = declaration.getSourceFile();
    return !file.isDeclarationFile && (program === undefined || !program.isSourceFileFromExternalLibrary(file));
  };
  return {
    directBody(callee) {
      const declaration = declarationOf(callee);
      if (!declaration || !ts.isFunctionDeclaration(declaration) || declaration.getSourceFile() !== ctx.sourceFile) return undefined;
      const modifiers = ts.getModifiers(declaration) ?? [];
      const asyncDeclaration = isCoroutineFunction(ts, declaration) && !declaration.asteriskToken &&
        !modifiers.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword) && !(declaration.parent && ts.isModuleBlock(declaration.parent)) &&
        !(declaration.parent && (ts.isCaseClause(declaration.parent) || ts.isDefaultClause(declaration.parent)));
      if (!callsBodyDirectly({ asyncDeclaration, neverReassigned: !isReassigned(callee.text) })) return undefined;
      return ctx.bodyId(declaration);
    },
    provedCoroutine(callee) {
      // Only a function declaration is proved: a method may be overridden by a plain one.
      if (!ts.isIdentifier(callee)) return false;
      const declaration = declarationOf(callee);
      if (!declaration || !ts.isFunctionDeclaration(declaration) || !isCoroutineFunction(ts, declaration) || declaration.asteriskToken) return false;
      if (!compiledHere(declaration)) return false;
      return declaration.getSourceFile() !== ctx.sourceFile || !isReassigned(callee.text);
    },
  };
}

/** True when `name` is the target of an assignment anywhere in the file (a conservative test of reassignment). */
function assignsName(ts: TypeScript, sf: TS.SourceFile, name: string): boolean {
  let found = false;
  const isTarget = (node: TS.Expression): boolean => {
    if (ts.isIdentifier(node)) return node.text === name;
    if (ts.isParenthesizedExpression(node)) return isTarget(node.expression);
    if (ts.isArrayLiteralExpression(node)) return node.elements.some((e) => isTarget(ts.isSpreadElement(e) ? e.expression : e));
    if (ts.isObjectLiteralExpression(node)) {
      return node.properties.some((p) => ts.isShorthandPropertyAssignment(p) ? p.name.text === name : ts.isPropertyAssignment(p) ? isTarget(p.initializer) : ts.isSpreadAssignment(p) && isTarget(p.expression));
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) return isTarget(node.left);
    return false;
  };
  const visit = (node: TS.Node): void => {
    if (found) return;
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment && isTarget(node.left)) found = true;
    else if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken) && isTarget(node.operand)) found = true;
    else if ((ts.isForInStatement(node) || ts.isForOfStatement(node)) && !ts.isVariableDeclarationList(node.initializer) && isTarget(node.initializer)) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** Transforms one source file; returns it unchanged when it has no coroutine function. */
export function transformSourceFile(
  ts: TypeScript, context: TS.TransformationContext, options: ResolvedOptions, sf: TS.SourceFile, program: TS.Program | undefined,
): TS.SourceFile {
  if (sf.isDeclarationFile || !/\basync\b/.test(sf.text)) return sf;
  const target = context.getCompilerOptions().target ?? ts.ScriptTarget.ES5;
  if (target < ts.ScriptTarget.ES2015) {
    // TypeScript lowers generators for ES5 into plain iterator objects (its __generator helper),
    // which no generator prototype marks: the runtime could not tell a coroutine's frame from a value.
    throw new Error(
      `corotask/typescript needs "target": "es2015" or later, found ${ts.ScriptTarget[target]} in ${sf.fileName}: ` +
      `TypeScript's ES5 generators are not frames the corotask runtime can step. Target ES2015 or later and lower the output ` +
      `with Babel's preset-env if ES5 is needed (corotask supports regenerator's generators)`,
    );
  }
  try {
    return rewriteSourceFile(ts, context, options, sf, program);
  } catch (error) {
    if (!isStackOverflow(error)) throw error;
    // TypeScript's parser reads operator chains in a loop, but the passes here recurse: what it
    // parsed may still be nested too deeply for them. One message, at where the nesting starts.
    const deepest = deepestNesting(sf.text);
    if (deepest === null) throw new CompileError(sf.fileName, deepNestingReason(undefined), undefined, undefined, "");
    const { line, column } = lineAndColumn(sf.text, deepest.offset);
    throw new CompileError(sf.fileName, deepNestingReason(deepest.depth), line, column, codeFrame(sf.text, line, column));
  }
}

function rewriteSourceFile(
  ts: TypeScript, context: TS.TransformationContext, options: ResolvedOptions, sf: TS.SourceFile, program: TS.Program | undefined,
): TS.SourceFile {
  const checker = program?.getTypeChecker();
  const cwd = program?.getCurrentDirectory() ?? context.getCompilerOptions().rootDir ?? process.cwd();
  const ctx = new FileContext(ts, context, options, sf, cwd, checker);
  const walk = new Walk(ctx, context, fastPathFor(ts, ctx, checker, program));
  context.startLexicalEnvironment();
  let statements = walk.visitStatements(sf.statements, "var");
  const vars = context.endLexicalEnvironment() ?? [];
  if (vars.length > 0) {
    let prologue = 0;
    while (prologue < statements.length && isDirectiveOrImport(ts, statements[prologue]!)) prologue++;
    statements = [...statements.slice(0, prologue), ...vars, ...statements.slice(prologue)];
  }
  if (!ctx.used) return sf;
  statements = insertRuntimeHeader(ctx, statements, emitsCommonJs(ctx, context.getCompilerOptions(), program));
  return ctx.f.updateSourceFile(sf, statements);
}

/**
 * The transformer factory for `ts` (the compiler the host uses): `corotask(program?, options?)`.
 * `options` are the transform's options (`mode`, `runtime`), or a ts-patch `plugins` entry that
 * holds them next to its own keys.
 */
export function makeCorotask(ts: TypeScript) {
  assertTransformerApi(ts);
  return function corotask(program?: TS.Program, options?: unknown): TS.TransformerFactory<TS.SourceFile> {
    const resolved = validateOptions(options && typeof options === "object" && Object.keys(options).length === 0 ? undefined : options, TS_PATCH_KEYS);
    return (context) => (sf) => transformSourceFile(ts, context, resolved, sf, program);
  };
}

function isDirectiveOrImport(ts: TypeScript, statement: TS.Statement): boolean {
  return ts.isImportDeclaration(statement) || ts.isImportEqualsDeclaration(statement) ||
    (ts.isExpressionStatement(statement) && ts.isStringLiteral(statement.expression) && statement.pos >= 0);
}

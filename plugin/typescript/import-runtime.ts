/** Emits the runtime header of a file: the `abi` import (or require), aliases of the members used, and the frame infos. */
import { ABI_EXPORT, runtimeAccess } from "../runtime-abi.js";
import { ALIASED_MEMBER, COMMONJS_GLOBALS_SET, frameInfoValue, type PlainValue } from "./shared.js";
import { runtimeImportKind } from "../module-kind.js";
import { isIdentifierName, type FileContext, type TS } from "./context.js";

/** True when `sf` is emitted as CommonJS (whose module transform would not rewrite an `import` added here). */
export function emitsCommonJs(ctx: FileContext, compilerOptions: TS.CompilerOptions, program: TS.Program | undefined): boolean {
  const ts = ctx.ts;
  // Public since TypeScript 5.6 (not yet in its .d.ts): the module format of this file's output.
  const format = (program as { getEmitModuleFormatOfFile?(sf: TS.SourceFile): TS.ModuleKind } | undefined)?.getEmitModuleFormatOfFile?.(ctx.sourceFile);
  if (format !== undefined) return format === ts.ModuleKind.CommonJS;
  const kind = compilerOptions.module ?? ((compilerOptions.target ?? ts.ScriptTarget.ES5) >= ts.ScriptTarget.ES2015 ? ts.ModuleKind.ES2015 : ts.ModuleKind.CommonJS);
  if (kind >= ts.ModuleKind.Node16 && kind <= ts.ModuleKind.NodeNext) return ctx.sourceFile.impliedNodeFormat === ts.ModuleKind.CommonJS;
  return kind === ts.ModuleKind.CommonJS;
}

/** True when the file reads `require`, `module` or `exports` as free names (a CommonJS file). */
function usesCommonJsGlobals(ctx: FileContext): boolean {
  const ts = ctx.ts;
  const declared = new Set<string>();
  for (const statement of ctx.sourceFile.statements) {
    if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) if (ts.isIdentifier(d.name)) declared.add(d.name.text);
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) {
      declared.add(statement.name.text);
    }
  }
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found) return;
    if (ts.isIdentifier(node) && COMMONJS_GLOBALS_SET.has(node.text) && !declared.has(node.text)) {
      const parent = node.parent;
      const isName = (ts.isPropertyAccessExpression(parent) && parent.name === node) || (ts.isPropertyAssignment(parent) && parent.name === node) ||
        (ts.isVariableDeclaration(parent) && parent.name === node) || (ts.isParameter(parent) && parent.name === node);
      if (!isName) found = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(ctx.sourceFile);
  return found;
}

function valueExpression(ctx: FileContext, value: PlainValue): TS.Expression {
  const f = ctx.f;
  if (typeof value === "string") return f.createStringLiteral(value);
  if (typeof value === "number") return f.createNumericLiteral(value);
  if (Array.isArray(value)) return f.createArrayLiteralExpression(value.map((v: PlainValue) => valueExpression(ctx, v)), value.length > 0);
  return f.createObjectLiteralExpression(
    Object.entries(value).map(([key, v]) => f.createPropertyAssignment(key, valueExpression(ctx, v as PlainValue))),
    true,
  );
}

function constStatement(ctx: FileContext, declarations: TS.VariableDeclaration[]): TS.VariableStatement {
  return ctx.f.createVariableStatement(undefined, ctx.f.createVariableDeclarationList(declarations, ctx.ts.NodeFlags.Const));
}

/** The header statements, and where they go: after the file's prologue directives and leading imports. */
export function insertRuntimeHeader(ctx: FileContext, statements: readonly TS.Statement[], commonJsOutput: boolean): TS.Statement[] {
  const { ts, f } = ctx;
  const { abi, aliases, infos } = ctx.headerNames();
  if (!abi) return [...statements];
  const header: TS.Statement[] = [];
  const access = runtimeAccess(ctx.options.runtime);
  if (access.kind === "global") {
    const holder = isIdentifierName(access.name)
      ? f.createPropertyAccessExpression(f.createIdentifier("globalThis"), access.name)
      : f.createElementAccessExpression(f.createIdentifier("globalThis"), f.createStringLiteral(access.name));
    header.push(constStatement(ctx, [f.createVariableDeclaration(abi, undefined, undefined, f.createPropertyAccessExpression(holder, ABI_EXPORT))]));
  } else {
    const kind = runtimeImportKind({
      parsedAsModule: !commonJsOutput,
      hasImportOrExport: ts.isExternalModule(ctx.sourceFile),
      usesCommonJsGlobals: !commonJsOutput && usesCommonJsGlobals(ctx),
    });
    if (kind === "import") {
      header.push(f.createImportDeclaration(undefined,
        f.createImportClause(false, undefined, f.createNamedImports([f.createImportSpecifier(false, f.createIdentifier(ABI_EXPORT), abi)])),
        f.createStringLiteral(access.specifier)));
    } else {
      header.push(constStatement(ctx, [f.createVariableDeclaration(
        f.createObjectBindingPattern([f.createBindingElement(undefined, ABI_EXPORT, abi)]), undefined, undefined,
        f.createCallExpression(f.createIdentifier("require"), undefined, [f.createStringLiteral(access.specifier)]))]));
    }
  }
  if (aliases.size > 0) {
    header.push(constStatement(ctx, [...aliases].map(([name, id]) =>
      f.createVariableDeclaration(id, undefined, undefined, f.createPropertyAccessExpression(abi, ALIASED_MEMBER[name])))));
  }
  if (infos) {
    header.push(constStatement(ctx, [f.createVariableDeclaration(infos, undefined, undefined,
      f.createArrayLiteralExpression(ctx.infos.map((info) => valueExpression(ctx, frameInfoValue(info))), true))]));
  }
  let anchor = 0;
  while (anchor < statements.length && isPrologueOrImport(ts, statements[anchor]!)) anchor++;
  return [...statements.slice(0, anchor), ...header, ...statements.slice(anchor)];
}

function isPrologueOrImport(ts: typeof import("typescript"), statement: TS.Statement): boolean {
  return ts.isImportDeclaration(statement) || ts.isImportEqualsDeclaration(statement) ||
    (ts.isExpressionStatement(statement) && ts.isStringLiteral(statement.expression) && statement.pos >= 0);
}

/** Emits the runtime header of a file: the `abi` import, aliases of the members used, and the frame infos. */
import type { types as BabelTypes } from "@babel/core";
import { ABI_EXPORT, runtimeAccess } from "../runtime-abi.js";
import { COMMONJS_GLOBALS, runtimeImportKind } from "../module-kind.js";
import { ALIASED_MEMBER, frameInfoValue, type PlainValue } from "../emit-rules.js";
import type { FileContext, Types } from "./context.js";

/** Inserts the header at the top of the program, after its directives. */
export function insertRuntimeHeader(ctx: FileContext): void {
  const t = ctx.t;
  const { abi, aliases, infos } = ctx.headerNames();
  if (!abi) return;
  const statements: BabelTypes.Statement[] = [];
  const access = runtimeAccess(ctx.options.runtime);
  const isModule = runtimeImportKind({
    parsedAsModule: ctx.program.node.sourceType === "module",
    hasImportOrExport: ctx.program.node.body.some((s) => s.type === "ImportDeclaration" || s.type.startsWith("Export") || s.type === "TSExportAssignment" || s.type === "TSImportEqualsDeclaration"),
    usesCommonJsGlobals: COMMONJS_GLOBALS.some((name) => ctx.program.scope.hasGlobal(name)),
  }) === "import";
  if (access.kind === "global") {
    statements.push(
      constDeclaration(t, t.cloneNode(abi),
        t.memberExpression(t.memberExpression(t.identifier("globalThis"), identifierOrString(t, access.name), !t.isValidIdentifier(access.name)), t.identifier(ABI_EXPORT))),
    );
  } else if (isModule) {
    statements.push(t.importDeclaration([t.importSpecifier(t.cloneNode(abi), t.identifier(ABI_EXPORT))], t.stringLiteral(access.specifier)));
  } else {
    statements.push(
      constDeclaration(t, t.objectPattern([t.objectProperty(t.identifier(ABI_EXPORT), t.cloneNode(abi))]),
        t.callExpression(t.identifier("require"), [t.stringLiteral(access.specifier)])),
    );
  }
  if (aliases.size > 0) {
    const declarators = [...aliases].map(([name, id]) =>
      t.variableDeclarator(t.cloneNode(id), t.memberExpression(t.cloneNode(abi), t.identifier(ALIASED_MEMBER[name]))),
    );
    statements.push(t.variableDeclaration("const", declarators));
  }
  if (infos) {
    statements.push(constDeclaration(t, t.cloneNode(infos), t.arrayExpression(ctx.infos.map((info) => valueExpression(t, frameInfoValue(info))))));
  }
  // Imports first, as written; the header goes after the last leading import so that the
  // program's own imports keep their order (all imports are hoisted anyway).
  const body = ctx.program.get("body");
  let anchor = -1;
  while (anchor + 1 < body.length && body[anchor + 1]!.isImportDeclaration()) anchor++;
  if (anchor < 0) ctx.program.unshiftContainer("body", statements);
  else body[anchor]!.insertAfter(statements);
}

function identifierOrString(t: Types, name: string): BabelTypes.Identifier | BabelTypes.StringLiteral {
  return t.isValidIdentifier(name) ? t.identifier(name) : t.stringLiteral(name);
}

function constDeclaration(t: Types, id: BabelTypes.LVal, init: BabelTypes.Expression): BabelTypes.VariableDeclaration {
  return t.variableDeclaration("const", [t.variableDeclarator(id as BabelTypes.Identifier, init)]);
}

/** Literal syntax for a plain value (the frame-info table: see emit-rules.ts). */
function valueExpression(t: Types, value: PlainValue): BabelTypes.Expression {
  if (typeof value === "string") return t.stringLiteral(value);
  if (typeof value === "number") return t.numericLiteral(value);
  if (Array.isArray(value)) return t.arrayExpression(value.map((v: PlainValue) => valueExpression(t, v)));
  return t.objectExpression(Object.entries(value).map(([key, v]) => t.objectProperty(t.identifier(key), valueExpression(t, v as PlainValue))));
}

/** Emits the runtime header of a file: the `abi` import, aliases of the members used, and the frame infos. */
import type { types as BabelTypes } from "@babel/core";
import { ABI_EXPORT, ABI_MEMBERS, runtimeAccess } from "../runtime-abi.js";
import type { FrameInfo, SiteRecord } from "../frame-info.js";
import { COMMONJS_GLOBALS, runtimeImportKind } from "../module-kind.js";
import type { AliasName, FileContext, Types } from "./context.js";

const ALIASED_MEMBER: Record<AliasName, string> = {
  sr: ABI_MEMBERS.siteRegister,
  B: ABI_MEMBERS.BODY,
  c: ABI_MEMBERS.caught,
  d: ABI_MEMBERS.delegate,
  df: ABI_MEMBERS.delegateFrame,
  z: ABI_MEMBERS.delegationReturned,
  cb: ABI_MEMBERS.coroutineBody,
  af: ABI_MEMBERS.asyncFunction,
  agf: ABI_MEMBERS.asyncGeneratorFunction,
  agy: ABI_MEMBERS.agYield,
  agd: ABI_MEMBERS.asyncDelegate,
  ai: ABI_MEMBERS.asyncIterator,
  ais: ABI_MEMBERS.asyncIteratorStep,
  aic: ABI_MEMBERS.asyncIteratorClose,
  ads: ABI_MEMBERS.asyncDisposableScope,
};

/** True when the program already imports the runtime `abi` (it is the plugin's own output). */
export function importsRuntime(program: BabelTypes.Program, runtime: string): boolean {
  const access = runtimeAccess(runtime);
  for (const statement of program.body) {
    if (access.kind === "module" && statement.type === "ImportDeclaration" && statement.source.value === access.specifier) {
      if (statement.specifiers.some((s) => s.type === "ImportSpecifier" && importedName(s) === ABI_EXPORT)) return true;
    }
  }
  return false;
}

function importedName(s: BabelTypes.ImportSpecifier): string {
  return s.imported.type === "Identifier" ? s.imported.name : s.imported.value;
}

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
    statements.push(constDeclaration(t, t.cloneNode(infos), t.arrayExpression(ctx.infos.map((info) => infoExpression(t, info)))));
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

function siteExpression(t: Types, site: SiteRecord): BabelTypes.ObjectExpression {
  const props = [
    t.objectProperty(t.identifier("line"), t.numericLiteral(site.line)),
    t.objectProperty(t.identifier("column"), t.numericLiteral(site.column)),
  ];
  if (site.source !== undefined) props.push(t.objectProperty(t.identifier("source"), t.stringLiteral(site.source)));
  return t.objectExpression(props);
}

function infoExpression(t: Types, info: FrameInfo): BabelTypes.ObjectExpression {
  const props = [
    t.objectProperty(t.identifier("name"), t.stringLiteral(info.name)),
    t.objectProperty(t.identifier("file"), t.stringLiteral(info.file)),
    t.objectProperty(t.identifier("line"), t.numericLiteral(info.line)),
    t.objectProperty(t.identifier("column"), t.numericLiteral(info.column)),
    t.objectProperty(t.identifier("header"), t.stringLiteral(info.header)),
    t.objectProperty(t.identifier("sites"), t.arrayExpression(info.sites.map((s) => siteExpression(t, s)))),
  ];
  if (info.catches.length > 0) {
    props.push(t.objectProperty(t.identifier("catches"), t.arrayExpression(info.catches.map((s) => siteExpression(t, s)))));
  }
  return t.objectExpression(props);
}

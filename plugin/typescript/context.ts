/** Per-file state of the TypeScript pipeline: the runtime names in use, the frame infos, the hoisted temporaries. */
import type * as TS from "typescript";
import type { ResolvedOptions } from "../options.js";
import { SourcePositions, type FrameInfo, type SiteRecord } from "../frame-info.js";
import { ABI_LOCAL, INFOS_LOCAL, type AliasName } from "../emit-rules.js";
import { fileIsStrict } from "./own-name.js";
import { CompileError, codeFrame } from "../compile-error.js";

export type TypeScript = typeof TS;
export type { TS };

/** The statements hoisted to the top of one block, and the `var`s a function body needs. */
export interface ScopeWork {
  /** Declarations of coroutine functions, in source order (hoisted above the block's statements). */
  readonly hoisted: TS.Statement[];
  /** Temporaries declared `var` at the top of the nearest function body or the file. */
  readonly vars: TS.Identifier[];
}

/** What one file's transform shares between passes. */
export class FileContext {
  readonly ts: TypeScript;
  readonly f: TS.NodeFactory;
  readonly options: ResolvedOptions;
  readonly sourceFile: TS.SourceFile;
  readonly positions: SourcePositions;
  /** The type checker, when the transform was given a Program (the type-aware fast path needs it). */
  readonly checker: TS.TypeChecker | undefined;
  /** Frame infos, indexed as emitted in the `_fi` array. */
  readonly infos: FrameInfo[] = [];
  #abi: TS.Identifier | null = null;
  #infos: TS.Identifier | null = null;
  readonly #aliases = new Map<AliasName, TS.Identifier>();
  /** Body bindings of local coroutine function declarations that `await f()` calls directly, by the declaration. */
  readonly staticBodies = new Map<TS.Node, TS.Identifier>();
  /** Function bodies (and the file) being visited, innermost last: where temporaries are declared. */
  readonly varScopes: TS.Identifier[][] = [];
  /** The file is strict code when it runs (an ES module, "use strict", or TypeScript's alwaysStrict). */
  readonly fileStrict: boolean;
  /** Named function expressions whose source writes their own name: the reference objects of those writes (own-name.ts), by the original node. */
  readonly ownNameRefs = new Map<TS.Node, Map<boolean, TS.Identifier>>();
  /** The transformation, whose lexical environments declare the temporaries (see pushVar). */
  readonly context: TS.TransformationContext;

  constructor(ts: TypeScript, context: TS.TransformationContext, options: ResolvedOptions, sourceFile: TS.SourceFile, cwd: string, checker: TS.TypeChecker | undefined) {
    this.ts = ts;
    this.context = context;
    this.f = context.factory;
    this.options = options;
    this.sourceFile = sourceFile;
    this.checker = checker;
    this.positions = new SourcePositions(sourceFile.text, sourceFile.fileName, cwd, null);
    this.fileStrict = fileIsStrict(ts, sourceFile, context.getCompilerOptions());
  }

  /** True once anything was emitted that needs the runtime header. */
  get used(): boolean {
    return this.#abi !== null;
  }

  /** A file-unique name (`_t`, else `_t_1`, ...), as Babel's generateUidIdentifier gives `_t2`. */
  uid(base: string): TS.Identifier {
    return this.f.createUniqueName("_" + base, this.ts.GeneratedIdentifierFlags.Optimistic);
  }

  abi(): TS.Identifier {
    this.#abi ??= this.uid(ABI_LOCAL);
    return this.#abi;
  }

  alias(name: AliasName): TS.Identifier {
    let id = this.#aliases.get(name);
    if (!id) {
      this.abi();
      id = this.uid(name);
      this.#aliases.set(name, id);
    }
    return id;
  }

  /** Records a frame info; returns the expression that reads it (`_fi[3]`). */
  addInfo(info: FrameInfo): TS.Expression {
    this.abi();
    this.#infos ??= this.uid(INFOS_LOCAL);
    const index = this.infos.push(info) - 1;
    return this.f.createElementAccessExpression(this.#infos, this.f.createNumericLiteral(index));
  }

  /** The body binding of a coroutine function declaration (`_f`), made on first use by the declaration or by a direct call. */
  bodyId(declaration: TS.FunctionDeclaration): TS.Identifier {
    let id = this.staticBodies.get(declaration);
    if (!id) {
      id = this.uid(declaration.name ? declaration.name.text : "default");
      this.staticBodies.set(declaration, id);
    }
    return id;
  }

  /**
   * A `var` temporary of the innermost function body (or the file), as Babel's `scope.push`
   * declares one: TypeScript's lexical environment of that body collects it, and the body (the
   * walk's compileBody, TypeScript's visitFunctionBody, the file) declares it at its top.
   */
  pushVar(base: string): TS.Identifier {
    const id = this.uid(base);
    this.context.hoistVariableDeclaration(id);
    return id;
  }

  /** The site of an original node's start, in original-source positions. */
  site(node: TS.Node): SiteRecord {
    const { file: _file, ...site } = this.definitionSite(node);
    return site;
  }

  /** The site of an original node's start, with its file. */
  definitionSite(node: TS.Node): SiteRecord & { file: string } {
    if (node.pos < 0) return { file: this.positions.file, line: 0, column: 0 };
    const start = this.ts.getLineAndCharacterOfPosition(this.sourceFile, node.getStart(this.sourceFile));
    return this.positions.site(start.line + 1, start.character);
  }

  /** The original line where `node` ends, or 0 when it ends in another file than `start`'s. */
  endLine(node: TS.Node, start: { file: string }): number {
    if (node.pos < 0) return 0;
    const end = this.ts.getLineAndCharacterOfPosition(this.sourceFile, Math.max(node.getStart(this.sourceFile), node.getEnd() - 1));
    const site = this.positions.site(end.line + 1, end.character);
    return site.file === start.file ? site.line : 0;
  }

  /**
   * The error for a construct at `node` that the transform refuses: a CompileError at the node's
   * position (the file's own, not through an input map) with a code frame.
   */
  refusal(node: TS.Node, reason: string): CompileError {
    const sf = this.sourceFile;
    const original = this.ts.getOriginalNode(node);
    if (original.pos < 0 || original.getSourceFile() !== sf) return new CompileError(sf.fileName, reason, undefined, undefined, "");
    const start = original.getStart(sf);
    const { line, character } = this.ts.getLineAndCharacterOfPosition(sf, start);
    const end = this.ts.getLineAndCharacterOfPosition(sf, original.getEnd());
    const span = end.line === line ? Math.max(1, end.character - character) : Number.MAX_SAFE_INTEGER;
    return new CompileError(sf.fileName, reason, line + 1, character, codeFrame(sf.text, line + 1, character, span));
  }

  /** Names declared by the runtime header, in emission order (for the header pass). */
  headerNames(): { abi: TS.Identifier | null; aliases: ReadonlyMap<AliasName, TS.Identifier>; infos: TS.Identifier | null } {
    return { abi: this.#abi, aliases: this.#aliases, infos: this.#infos };
  }
}

/** Gives an emitted node the source range of the original node it stands for, so that maps point back. Returns `node`. */
export function withLoc<T extends TS.Node>(ctx: FileContext, node: T, from: TS.Node | undefined): T {
  if (from && from.pos >= 0) {
    ctx.ts.setTextRange(node, from);
    ctx.ts.setOriginalNode(node, from);
  }
  return node;
}

/** A valid identifier name, reserved words included (as property names allow them). */
export function isIdentifierName(name: string): boolean {
  return /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u.test(name);
}

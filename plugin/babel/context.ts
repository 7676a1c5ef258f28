/** Per-file state of the Babel pipeline: the runtime names in use, the frame infos, the hoisting anchors. */
import type { NodePath, types as BabelTypes } from "@babel/core";
import type { ResolvedOptions } from "../options.js";
import { SourcePositions, type FrameInfo, type SiteRecord } from "../frame-info.js";

export type Types = typeof BabelTypes;
export type Node = BabelTypes.Node;
export type Identifier = BabelTypes.Identifier;
export type Expression = BabelTypes.Expression;
export type Statement = BabelTypes.Statement;

import { ABI_LOCAL, INFOS_LOCAL, callsBodyDirectly, type AliasName } from "../emit-rules.js";
export type { AliasName };

/** A class whose async methods need a static block that installs their public functions. */
export interface ClassWork {
  /** Statements of the static block prepended to the class body, in method order. */
  readonly statements: Statement[];
  /** `this.prototype` alias inside the static block, created on first use. */
  proto: Identifier | null;
}

/** An object literal whose async methods get their public functions after it is created. */
export interface ObjectWork {
  readonly temp: Identifier;
  readonly assignments: Expression[];
}

/** What one file's transform shares between passes. */
export class FileContext {
  readonly t: Types;
  readonly options: ResolvedOptions;
  readonly program: NodePath<BabelTypes.Program>;
  readonly positions: SourcePositions;
  /** The text being compiled, which node offsets index (for function headers). */
  readonly code: string;
  /** Frame infos, indexed as emitted in the `_fi` array. */
  readonly infos: FrameInfo[] = [];
  /** The `abi` namespace binding, and the infos array, once used. */
  #abi: Identifier | null = null;
  #infos: Identifier | null = null;
  readonly #aliases = new Map<AliasName, Identifier>();
  /**
   * Bodies of coroutine function declarations that inline awaits may call directly: keyed by the
   * declaration's binding identifier node (which the hoisted `var` keeps), only for bindings that
   * are never reassigned.
   */
  readonly staticBodies = new WeakMap<Node, Identifier>();
  /** Per block: the last statement hoisted to its top, so that hoisted declarations keep source order. */
  readonly hoistAnchors = new WeakMap<Node, NodePath>();
  readonly classWork = new WeakMap<Node, ClassWork>();
  readonly objectWork = new WeakMap<Node, ObjectWork>();
  /** Named function expressions whose source writes their own name: the reference objects of those writes (own-name.ts). */
  readonly ownNameRefs = new WeakMap<Node, Map<boolean, Identifier>>();
  /** Nodes the rewrite emitted that its own visitors must leave alone (yields of awaits, generated catch clauses). */
  readonly emitted = new WeakSet<Node>();

  constructor(t: Types, options: ResolvedOptions, program: NodePath<BabelTypes.Program>, positions: SourcePositions, code: string) {
    this.t = t;
    this.code = code;
    this.options = options;
    this.program = program;
    this.positions = positions;
  }

  /** True once anything was emitted that needs the runtime header. */
  get used(): boolean {
    return this.#abi !== null;
  }

  abi(): Identifier {
    this.#abi ??= this.program.scope.generateUidIdentifier(ABI_LOCAL);
    return this.t.cloneNode(this.#abi);
  }

  alias(name: AliasName): Identifier {
    let id = this.#aliases.get(name);
    if (!id) {
      this.abi();
      id = this.program.scope.generateUidIdentifier(name);
      this.#aliases.set(name, id);
    }
    return this.t.cloneNode(id);
  }

  /** Records a frame info; returns the expression that reads it (`_fi[3]`). */
  addInfo(info: FrameInfo): Expression {
    this.abi();
    this.#infos ??= this.program.scope.generateUidIdentifier(INFOS_LOCAL);
    const index = this.infos.push(info) - 1;
    return this.t.memberExpression(this.t.cloneNode(this.#infos), this.t.numericLiteral(index), true);
  }

  /** The site of a node's start, in original-source positions. */
  site(node: Node, fallback?: Node): SiteRecord {
    const loc = node.loc ?? fallback?.loc;
    if (!loc) return { line: 0, column: 0 };
    const { file: _file, ...site } = this.positions.site(loc.start.line, loc.start.column);
    return site;
  }

  /** The definition site of a function, with its file. */
  definitionSite(node: Node): SiteRecord & { file: string } {
    const loc = node.loc;
    if (!loc) return { file: this.positions.file, line: 0, column: 0 };
    return this.positions.site(loc.start.line, loc.start.column);
  }

  /** The original line where `node` ends, or 0 when it ends in another file than `start`'s. */
  endLine(node: Node, start: { file: string }): number {
    const loc = node.loc;
    if (!loc) return 0;
    const end = this.positions.site(loc.end.line, Math.max(0, loc.end.column - 1));
    return end.file === start.file ? end.line : 0;
  }

  /** Names declared by the runtime header, in emission order (for the header pass). */
  headerNames(): { abi: Identifier | null; aliases: ReadonlyMap<AliasName, Identifier>; infos: Identifier | null } {
    return { abi: this.#abi, aliases: this.#aliases, infos: this.#infos };
  }
}

/**
 * Gives an emitted node the source position of the node it stands for (when that has one), so that
 * the output source map points the emitted code back to the original. Returns `node`.
 */
export function withLoc<T extends Node>(node: T, from: Node | null | undefined): T {
  if (from?.loc) node.loc = from.loc;
  return node;
}

/**
 * The body binding that `await name(...)` may call directly: only for a local coroutine function
 * declaration (not a generator) whose binding is never reassigned. Created on first use; the
 * declaration's own rewrite then declares it.
 */
export function staticBodyOf(ctx: FileContext, binding: import("@babel/traverse").Binding | undefined): Identifier | undefined {
  if (!binding) return undefined;
  const known = ctx.staticBodies.get(binding.identifier);
  if (known) return ctx.t.cloneNode(known);
  const declaration = binding.path;
  const asyncDeclaration = binding.kind === "hoisted" && declaration.isFunctionDeclaration() && declaration.node.async &&
    !declaration.node.generator && !declaration.parentPath.isExportDefaultDeclaration();
  if (callsBodyDirectly({ asyncDeclaration, neverReassigned: binding.constantViolations.length === 0 })) {
    const id = declaration.scope.parent!.generateUidIdentifier(binding.identifier.name);
    ctx.staticBodies.set(binding.identifier, id);
    return ctx.t.cloneNode(id);
  }
  return undefined;
}

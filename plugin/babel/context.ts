/** Per-file state of the Babel pipeline: the runtime names in use, the frame infos, the hoisting anchors. */
import type { NodePath, types as BabelTypes } from "@babel/core";
import type { ResolvedOptions } from "../options.js";
import { SourcePositions, type FrameInfo, type SiteRecord } from "../frame-info.js";
import type { BlockHoisting } from "./wrap-function.js";

export type Types = typeof BabelTypes;
export type Node = BabelTypes.Node;
export type Identifier = BabelTypes.Identifier;
export type Expression = BabelTypes.Expression;
export type Statement = BabelTypes.Statement;
export type Scope = NodePath["scope"];

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
  /** Per block (program, function body, block): the declarations hoisted to its top (wrap-function.ts). */
  readonly hoisting = new WeakMap<Node, BlockHoisting>();
  /** Placeholders of removed function declarations, each with what stood before it (wrap-function.ts). */
  readonly removedDeclarations = new Map<Node, Node | "top">();
  /** The program's last leading import (undefined: none), once looked up (null: not yet). */
  lastLeadingImport: Node | undefined | null = null;
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

  /** A name no binding, label, global or earlier uid of the file uses, seen from `scope`: `_name`, `_name2`, ... */
  uid(scope: Scope, name: string): string {
    return generateUid(this.t, scope, name);
  }

  uidIdentifier(scope: Scope, name: string): Identifier {
    return this.t.identifier(generateUid(this.t, scope, name));
  }

  /** True once anything was emitted that needs the runtime header. */
  get used(): boolean {
    return this.#abi !== null;
  }

  abi(): Identifier {
    this.#abi ??= this.uidIdentifier(this.program.scope, ABI_LOCAL);
    return this.t.cloneNode(this.#abi);
  }

  alias(name: AliasName): Identifier {
    let id = this.#aliases.get(name);
    if (!id) {
      this.abi();
      id = this.uidIdentifier(this.program.scope, name);
      this.#aliases.set(name, id);
    }
    return this.t.cloneNode(id);
  }

  /** Records a frame info; returns the expression that reads it (`_fi[3]`). */
  addInfo(info: FrameInfo): Expression {
    this.abi();
    this.#infos ??= this.uidIdentifier(this.program.scope, INFOS_LOCAL);
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

/** Babel 7's program scope, whose uid registries are plain objects (Babel 8's are Sets). */
interface Babel7ProgramScope {
  readonly references?: Record<string, boolean>;
  readonly uids?: Record<string, boolean>;
  readonly referencesSet?: unknown;
}

// Per program: for each base name, the first candidate that may still be free.
const uidSearchStarts = new WeakMap<object, Map<string, number>>();

/** Babel's uid candidates, in its order: `_name`, `_name2` ... `_name9`, `_name0`, `_name1`, `_name10`, ... */
function uidCandidate(name: string, i: number): string {
  if (i >= 11) return `_${name}${i - 1}`;
  if (i >= 9) return `_${name}${i - 9}`;
  if (i >= 1) return `_${name}${i + 1}`;
  return `_${name}`;
}

/**
 * Scope#generateUid, without its cost in large files. Babel 7's starts at `_name` on every call,
 * and every uid already made counts as taken, so n coroutine functions cost O(n²) probes, each
 * walking the scope chain (a 1 MB file took two minutes, 10 MB would take hours). Babel 8
 * remembers how far the search for each name got; this does the same for Babel 7, and gives the
 * same names, since a skipped candidate is one that the program has recorded as taken.
 */
function generateUid(t: Types, scope: Scope, name: string): string {
  const program = scope.getProgramParent() as unknown as Babel7ProgramScope;
  // Babel 8 (whose Scope#references throws when read): its own generateUid is already fast.
  if (program.referencesSet instanceof Set || program.references === undefined || program.uids === undefined) return scope.generateUid(name);
  const references = program.references;
  const base = t.toIdentifier(name).replace(/^_+/, "").replace(/\d+$/g, "");
  let starts = uidSearchStarts.get(references);
  if (starts === undefined) uidSearchStarts.set(references, (starts = new Map()));
  let i = starts.get(base) ?? 0;
  while (references[uidCandidate(base, i)]) i++;
  starts.set(base, i);
  let uid: string;
  do uid = uidCandidate(base, i++);
  while (references[uid] || scope.hasLabel(uid) || scope.hasBinding(uid) || scope.hasGlobal(uid));
  references[uid] = true;
  program.uids[uid] = true;
  return uid;
}

/** What {@link refusal} adds to Babel's code-frame error, for compileFile's CompileError. */
export interface RefusalDetails {
  /** 1-based line and 0-based column of the construct. */
  loc?: { line: number; column: number };
  /** Columns the construct spans on its first line. */
  span?: number;
  /** The message alone, without the code frame. */
  reason: string;
}

/**
 * `error` with a stack that is its name and message alone (the message as Babel leaves it, with
 * the file name in front): what went wrong is in the user's file, and a trace of the plugin's
 * frames would only mislead.
 */
export function withoutStack<E extends Error>(error: E): E {
  Object.defineProperty(error, "stack", {
    configurable: true,
    get(this: Error) {
      return `${this.name}: ${this.message}`;
    },
    set(this: Error, value: unknown) {
      Object.defineProperty(this, "stack", { configurable: true, writable: true, value });
    },
  });
  return error;
}

/**
 * The error for a construct at `path` that the transform refuses: Babel's code-frame error (what
 * Babel prints, and the fixtures' error.txt pin), carrying the position and the reason apart, so
 * that compileFile's CompileError can start with FILE:LINE:COLUMN like a syntax error does.
 */
export function refusal(path: NodePath, reason: string): Error {
  const error = withoutStack(path.buildCodeFrameError(reason)) as Error & RefusalDetails;
  const loc = path.node.loc;
  error.reason = reason;
  if (loc) {
    error.loc = { line: loc.start.line, column: loc.start.column };
    error.span = loc.end.line === loc.start.line ? Math.max(1, loc.end.column - loc.start.column) : Number.MAX_SAFE_INTEGER;
  }
  return error;
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
    const id = ctx.uidIdentifier(declaration.scope.parent!, binding.identifier.name);
    ctx.staticBodies.set(binding.identifier, id);
    return ctx.t.cloneNode(id);
  }
  return undefined;
}

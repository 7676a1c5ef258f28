/**
 * The rules that decide what both front ends emit, written once over plain facts so that a fix
 * lands in both: the file-level aliases of `abi` members, the temporaries of a body, the frame
 * info record as emitted, which await operands are inert, which returns of an async generator
 * are awaited, which calls may go straight to a local body, and the names frame infos carry.
 * Only the walk over each compiler's AST (plugin/babel/, plugin/typescript/) differs.
 */
import { ABI_MEMBERS } from "./runtime-abi.js";
import type { FrameInfo, SiteRecord } from "./frame-info.js";

/** The file-level aliases of `abi` members that emitted code uses (created on first use). */
export type AliasName = "sr" | "B" | "c" | "d" | "df" | "z" | "cb" | "af" | "agf" | "agy" | "agd" | "ai" | "ais" | "aic" | "ads";

/** The `abi` member each alias reads. */
export const ALIASED_MEMBER: Readonly<Record<AliasName, string>> = {
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

/** Base names of the file-level bindings: the `abi` namespace and the frame-info array. */
export const ABI_LOCAL = "ct";
export const INFOS_LOCAL = "fi";

/** Base names of a body's temporaries, in the order they are declared (`var _k = _sr.depth, _t, _o, _b`). */
export const BODY_TEMPS = {
  /** `_k`: the chain index of the frame's callees, read when the body starts (delegating bodies only). */
  depth: "k",
  /** `_t`: the operand of an await, shared by nested awaits. */
  value: "t",
  /** `_o`: the receiver of an awaited member call. */
  receiver: "o",
  /** `_b`: the body (or the callee itself) of an awaited call, recorded in the chain. */
  callee: "b",
} as const;

/** The name a frame info shows for a function with no name of its own. */
export const ANONYMOUS_NAME = "<anonymous>";
/** The binding and frame name of `export default async function () {}`. */
export const DEFAULT_EXPORT_NAME = "default";

/** A frame info's name for a class member: `Server.handle`, `Server.#tick`, `<anonymous>.m`. */
export function memberFrameName(className: string, memberName: string): string {
  return `${className || ANONYMOUS_NAME}.${memberName}`;
}

/** Assignment operators that give an anonymous function its target's name (NamedEvaluation). */
export const NAMING_ASSIGNMENT_OPERATORS: readonly string[] = ["=", "||=", "&&=", "??="];

/** What an await operand is, as far as the rewrite cares. */
export type OperandKind = "literal" | "template" | "this" | "identifier" | "arguments" | "call" | "other";

/**
 * Operands whose evaluation cannot run code, so the site can be written before them:
 * `yield (_sr.at = i, x)` rather than `yield (_t = x, _sr.at = i, _t)`.
 */
export function isInertOperand(kind: OperandKind): boolean {
  return kind === "literal" || kind === "this" || kind === "identifier";
}

/** `return x` in an async generator awaits `x` inside the body, except a plain literal. */
export function returnIsAwaited(kind: OperandKind | null): boolean {
  return kind !== null && kind !== "literal";
}

/** Facts about the binding an awaited `name(...)` resolves to. */
export interface CalleeBinding {
  /** It is an `async function` declaration (not a generator, not `export default`). */
  readonly asyncDeclaration: boolean;
  /** Nothing assigns the binding after its declaration. */
  readonly neverReassigned: boolean;
}

/** True when `await name(...)` may call the declaration's body binding (`_name`) directly. */
export function callsBodyDirectly(binding: CalleeBinding | undefined): boolean {
  return binding !== undefined && binding.asyncDeclaration && binding.neverReassigned;
}

/** A value a front end turns into literal syntax (the frame-info table). */
export type PlainValue = string | number | readonly PlainValue[] | { readonly [key: string]: PlainValue };

function siteValue(site: SiteRecord): PlainValue {
  return site.source === undefined ? { line: site.line, column: site.column } : { line: site.line, column: site.column, source: site.source };
}

/** One frame info as the header's `_fi` array holds it, keys in emission order. */
export function frameInfoValue(info: FrameInfo): PlainValue {
  const value: Record<string, PlainValue> = {
    name: info.name,
    file: info.file,
    line: info.line,
    column: info.column,
    endLine: info.endLine,
    header: info.header,
    sites: info.sites.map(siteValue),
  };
  if (info.catches.length > 0) value.catches = info.catches.map(siteValue);
  return value;
}

/*
 * Writes to a named function expression's own name. Inside `async function self() {...}` the
 * name is an immutable binding that the body sees. The wrap binds it with a `const` (in an
 * arrow called at once, `(() => { const self = _af(...); return self; })()`), which keeps reads
 * and a strict direct `eval`'s write exact. No write written in the source may stay a write to
 * that `const`: bundlers that check const assignments (Rolldown, esbuild) refuse the bundle, and
 * natively, in sloppy code, such a write is silently ignored. So each write's target becomes a
 * member of a reference object, `{ get self() { return self; }, set self(_value) {...} }`,
 * declared next to the `const`: the getter reads the function, the setter does what the native
 * binding does on a write. Compound (`+=`), logical (`||=`), update (`++`) and destructuring
 * writes and `for (self of ...)` heads then evaluate as natively (the read, the right-hand side,
 * the operation, then the write, and an iterator a pattern stepped is closed) and give the same
 * value. Writes inside a body that declares the name itself (`var self`), or under a parameter
 * of that name, are writes to that binding and stay as they are.
 */

/** The message of the TypeError a strict write to the own name throws (V8's, the same as for a `const`). */
export const OWN_NAME_ASSIGNMENT_ERROR = "Assignment to constant variable.";

/**
 * What the reference object's setter does for a write in code of that strictness: strict code
 * throws the TypeError (after the right-hand side was evaluated), sloppy code ignores the write.
 */
export function ownNameWriteThrows(strict: boolean): boolean {
  return strict;
}

/**
 * How the setter names the TypeError constructor: `TypeError`, or `globalThis.TypeError` where
 * the file may bind `TypeError` itself (the native error is always the realm's own).
 */
export function typeErrorConstructor(fileMayBindTypeError: boolean): readonly string[] {
  return fileMayBindTypeError ? ["globalThis", "TypeError"] : ["TypeError"];
}

/**
 * An anonymous function or class assigned to the own name gets that name natively (NamedEvaluation
 * of `self = function () {}`), which a member target does not give it: such a value is written
 * as `{ self: value }.self` (a computed key for `__proto__`, which as a plain key would set the
 * prototype).
 */
export function namingKeyIsComputed(name: string): boolean {
  return name === "__proto__";
}

/**
 * Writes to a named async function expression's own name, as scripts (so that they may be sloppy
 * code, which no fixture can be: fixtures are ES modules). Each case runs natively (the oracle)
 * and compiled, by the Babel plugin (test/plugin/transform.test.ts) and by the TypeScript
 * transformer (test/plugin/typescript.test.ts); both must log the same lines.
 */
import * as esbuild from "esbuild";
import * as runtime from "../../runtime/index.js";
import { executeProgram } from "./pipelines.js";

/** Bodies of `async function self() {...}` (or a whole function expression, when it starts with `async`). */
export const OWN_NAME_CASES: readonly string[] = [
  `self = (log("right"), 1); return typeof self;`,
  `log(typeof (self += (log("right"), 1))); return typeof self;`,
  `self.valueOf = () => (log("read"), 7); log(self++); log(++self); log(self--); log(--self); return typeof self;`,
  `log(typeof (self ||= 2)); log(self &&= 3); log(typeof (self ??= 4)); return typeof self;`,
  `log(self **= await 2); return typeof self;`,
  `var a; [self, a] = [1, 2]; log(a); ({ b: self, c: self = function () {} } = { b: 3 }); ({ self } = { self: 5 }); return typeof self;`,
  `for (self of [1, 2]) log("of", typeof self); for (self in { a: 1 }) log("in", typeof self); return typeof self;`,
  `log((self = function () {}).name, (self = class {}).name, (self = () => 0).name, (self = async () => 0).name); return typeof self;`,
  `log(((self) = function () {}).name); [(self) = function () {}] = []; ({ self = function () {} } = {}); return typeof self;`,
  `self = class { static { log("class", this.name); } }; return typeof self;`,
  `const inner = () => { "use strict"; self = 1; }; try { inner(); } catch (e) { log(e.constructor.name, e.message); } return typeof self;`,
  `class A { m() { self = 2; } } try { new A().m(); } catch (e) { log(e.message); } return typeof self;`,
  `try { self = 1; } catch (e) { log(e.message); } return typeof self;`,
  `const TypeError = RangeError; try { self = 1; } catch (e) { log(e.constructor === globalThis.TypeError); } return typeof self;`,
  `var self; self = 1; return typeof self;`,
  `{ let self = 1; self = 2; log(self); } try { throw 0; } catch (self) { self = 3; log(self); } return typeof self;`,
  `async function self(a = (self = 1)) { var self; return typeof self; }`,
  `async function self(a = (self = 1)) { return typeof self; }`,
  `async function self(self) { self = 1; return typeof self; }`,
  `function g() { self = 9; } g(); return typeof self;`,
  `eval("self = 1"); return typeof self;`,
  `try { eval("self = 1"); } catch (e) { log(e.message); } self = 2; return typeof self;`,
];

/** The case as a CommonJS script: `run()` resolves to what it logged and how `f()` ended. */
export function ownNameScript(body: string, strict: boolean): string {
  const fn = body.startsWith("async") ? body : `async function self() {\n${body}\n}`;
  return [
    strict ? '"use strict";' : "",
    "var out = [];",
    "function log(...values) { out.push(values.map((v) => (typeof v === \"function\" ? \"[function]\" : String(v))).join(\" \")); }",
    `var f = ${fn};`,
    "module.exports = { run: async () => { try { out.push(\"result \" + String(await f())); } catch (e) { out.push(\"error \" + e.constructor.name + \": \" + e.message); } return out; } };",
  ].join("\n");
}

/** Runs a script (natively when it is the source) and returns what it logged. */
export async function runOwnNameScript(code: string): Promise<string[]> {
  const exports = executeProgram(code, { corotask: runtime }) as { run: () => Promise<string[]> };
  return exports.run();
}

/** esbuild's complaints about assignments to a `const` in `code` (what makes a bundle fail). */
export function constAssignments(code: string): string[] {
  return esbuild.transformSync(code, { logLevel: "silent" }).warnings.filter((w) => w.id === "assign-to-constant").map((w) => w.text);
}

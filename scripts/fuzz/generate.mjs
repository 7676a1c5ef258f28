// The program generator of the differential fuzzer: random, terminating async programs whose
// printed output does not depend on how many microtask ticks an `await` takes.
//
// Why the output is tick-independent: every program is ONE logical thread of control. Each call
// of an async function is awaited where it is made, so nothing else runs while it runs. The only
// concurrency is inside a Promise combinator or `gather`, over "pure" functions that never log,
// never write shared state and never throw (so which branch settles first cannot be seen), plus
// at most one explicitly rejecting branch; `race` runs the same call in every branch. Async
// generators are driven by one consumer at a time (their request queue is ordered by itself).
// Timer thenables use one delay and are awaited alone.
//
// Lazy mode: a lazy call that is not awaited never runs, and work started before it is awaited
// runs later than natively; since every call above is awaited at once (or handed straight to a
// combinator, which starts it through `then`), the same program means the same in both modes.
// Eager mode adds one form lazy cannot have: a call started, then sync statements, then awaited.

import { Random } from "./random.mjs";

/** Fixed helpers every program may use; the shrinker drops the unused ones. */
const PRELUDE = `let log;
class Boom extends Error {
  constructor(message) {
    super(message);
    this.name = "Boom";
  }
}
// Engine messages (TypeError texts) quote source expressions, which a transform may rename: print names only.
function show(e) {
  if (e instanceof Boom) return \`Boom(\${e.message})\`;
  if (e instanceof AggregateError) return \`AggregateError[\${e.errors.map(show).join(",")}]\`;
  if (e instanceof Error) return e.name;
  return \`\${typeof e}:\${String(e)}\`;
}
function fail(message) {
  throw new Boom(message);
}
function tag(strings, ...values) {
  return strings.raw.join("|") + ":" + values.join(",");
}
function sum(...xs) {
  return xs.reduce((a, b) => a + (typeof b === "number" ? b : String(b).length), 0);
}
function settled(results) {
  return results.map((r) => (r.status === "fulfilled" ? r.value : show(r.reason)));
}
class Box {
  constructor(v) {
    this.v = v;
  }
  get w() {
    return this.v;
  }
}
const T = {
  sync: (v) => ({ then(ok) { ok(v); } }),
  later: (v) => ({ then(ok) { queueMicrotask(() => ok(v)); } }),
  timer: (v) => ({ then(ok) { setTimeout(ok, 1, v); } }),
  twice: (v) => ({ then(ok, bad) { ok(v); ok("dup"); bad(new Boom("dup")); } }),
  nested: (v) => ({ then(ok) { ok(T.later(v)); } }),
  nestedSync: (v) => ({ then(ok) { ok(T.sync(v)); } }),
  promise: (v) => ({ then(ok) { ok(Promise.resolve(v)); } }),
  reject: (v) => ({ then(ok, bad) { bad(new Boom("rejected " + v)); } }),
  rejectLater: (v) => ({ then(ok, bad) { queueMicrotask(() => bad(new Boom("rejected later " + v))); } }),
  throwBefore: (v) => ({ then() { throw new Boom("then threw " + v); } }),
  throwAfter: (v) => ({ then(ok) { ok(v); throw new Boom("ignored " + v); } }),
  getter: (v) => ({ get then() { log("then read", v); return (ok) => ok(v); } }),
};
`;

/**
 * Separates the prelude (no async function in it, so no transform changes it) from the
 * generated part: the fuzzer compiles only what follows, which halves its compile time.
 */
export const PROGRAM_MARKER = "// ---- generated program";

/** Thenable kinds that never reject (allowed in pure functions); getter logs, so it is impure. */
const SAFE_THENABLES = ["sync", "later", "nested", "nestedSync", "promise", "throwAfter"];
const FAILING_THENABLES = ["reject", "rejectLater", "throwBefore"];

export class ProgramGenerator {
  constructor(seed, { mode = "eager", size = 1, avoid = [] } = {}) {
    this.rnd = new Random(seed);
    /** Thenable kinds left out (diagnosis: `--avoid`); the bounded test leaves out none. */
    this.avoid = new Set(avoid);
    this.mode = mode;
    this.size = size;
    this.counter = 0;
    this.features = new Set();
    /** Top-level declarations, in order. */
    this.decls = [];
    /** Async functions main and later functions may call: {name, pure, call(ctx, d)}. */
    this.callables = [];
    this.generators = [];
    this.usesRuntime = false;
  }

  id(prefix) {
    return `${prefix}${++this.counter}`;
  }

  feature(name) {
    this.features.add(name);
  }

  /** The whole program: an ES module exporting `main(log)`, as the fixtures are. */
  generate() {
    const r = this.rnd;
    const nFunctions = r.int(1, 1 + 2 * this.size);
    for (let i = 0; i < nFunctions; i++) {
      r.weighted([
        [3, () => this.pureFunction()],
        [4, () => this.asyncFunction()],
        [2, () => this.asyncGenerator()],
        [2, () => this.classDecl()],
        [1, () => this.objectLiteral()],
        [1, () => this.recursiveFunction()],
        [1, () => this.asyncArrowConst()],
      ])();
    }
    const ctx = this.context({ fn: "main", canReturn: true, hasArguments: true });
    // Most top-level statements catch what they throw, so that one error does not end the program.
    const parts = [];
    for (let i = 0, n = r.int(2, 2 + 3 * this.size); i < n; i++) {
      const statement = this.statement(ctx, 0);
      const declares = /^(let|const) /.test(statement);
      parts.push(!declares && r.chance(0.6) ? `try {\n${indent(statement, 2)}\n} catch (e) {\n  log("${this.id("M")}", show(e));\n}` : statement);
    }
    const body = parts.join("\n");
    const imports = this.usesRuntime ? `import { sleep, gather } from "corotask";\n` : "";
    const main =
      `export async function main(log_) {\n  log = log_;\n  try {\n${indent(body, 4)}\n  } catch (e) {\n` +
      `    throw new Boom("main: " + show(e));\n  }\n}\n`;
    return { source: imports + PRELUDE + PROGRAM_MARKER + "\n" + this.decls.join("\n") + (this.decls.length ? "\n" : "") + main, features: [...this.features].sort() };
  }

  context(fields) {
    return { vars: [], consts: [], labels: [], loops: 0, inSwitch: false, isGen: false, pure: false, hasThis: false, hasArguments: false, hasSuper: false, canReturn: false, ...fields };
  }

  child(ctx, fields = {}) {
    return { ...ctx, vars: [...ctx.vars], consts: [...ctx.consts], labels: [...ctx.labels], ...fields };
  }

  // ---------------------------------------------------------------- declarations

  /** Parameters with defaults that may throw and destructuring that fails on null. */
  params(name) {
    const r = this.rnd;
    const list = ["a"];
    const argGens = [(ctx, d) => this.expr(ctx, d)];
    if (r.chance(0.5)) {
      this.feature("param-default-throws");
      list.push(`b = a > ${r.int(0, 6)} ? fail("default ${name}") : a + 1`);
      argGens.push(r.chance(0.5) ? null : (ctx, d) => this.expr(ctx, d));
    }
    if (r.chance(0.4)) {
      this.feature("param-destructured");
      list.push(`{ c = ${r.int(0, 9)}, d: [e = 2] = [] } = {}`);
      argGens.push((ctx) => this.rnd.pick(["undefined", "{}", `{ c: ${this.rnd.int(0, 9)} }`, `{ d: [${this.rnd.int(0, 9)}] }`, "null"]));
    }
    const names = ["a"].concat(list.length > 1 && list[1].startsWith("b") ? ["b"] : []).concat(list.some((p) => p.startsWith("{")) ? ["c", "e"] : []);
    return { text: list.join(", "), argGens, names };
  }

  callArgs(argGens, ctx, d) {
    const args = [];
    for (const g of argGens) {
      if (g === null) {
        if (this.rnd.chance(0.5)) break; // leave the rest to their defaults
        args.push(this.expr(ctx, d));
      } else args.push(g(ctx, d));
    }
    // Trailing undefineds are dropped so that defaults apply and `arguments.length` varies.
    return args.join(", ");
  }

  asyncFunction() {
    const name = this.id("f");
    const p = this.params(name);
    const ctx = this.context({ fn: name, canReturn: true, hasArguments: true, vars: [...p.names] });
    const body = this.statements(ctx, 1, this.rnd.int(1, 4));
    const ret = `return ${this.expr(ctx, 1)};`;
    this.decls.push(`async function ${name}(${p.text}) {\n${indent(body, 2)}\n  ${ret}\n}`);
    this.callables.push({ name, pure: false, call: (c, d) => `${name}(${this.callArgs(p.argGens, c, d + 1)})` });
  }

  /** Never logs, never writes outer state, never throws: safe to run concurrently. */
  pureFunction() {
    const name = this.id("p");
    const ctx = this.context({ fn: name, canReturn: true, hasArguments: true, pure: true, vars: ["a"] });
    const body = this.statements(ctx, 2, this.rnd.int(1, 3));
    this.decls.push(`async function ${name}(a) {\n${indent(body, 2)}\n  return ${this.expr(ctx, 1)};\n}`);
    this.callables.push({ name, pure: true, call: (c, d) => `${name}(${this.pureArg(c, d)})` });
  }

  pureArg(ctx, d) {
    // Lazy mode: an argument that throws after an earlier branch's call was made would drop that
    // coroutine unawaited (reported, as in Python; natively its Promise is silently dropped).
    if (this.mode === "lazy") return this.leaf(ctx);
    return this.rnd.chance(0.5) ? String(this.rnd.int(0, 9)) : this.expr(ctx, d + 1);
  }

  recursiveFunction() {
    const name = this.id("rec");
    this.feature("recursion");
    const withFinally = this.rnd.chance(0.4);
    const step = this.rnd.chance(0.5) ? "n" : `(await T.${this.safeThenable()}(${this.rnd.int(0, 3)}))`;
    const core = `const r = await ${name}(n - 1);\n  return r + ${step};`;
    const body = withFinally
      ? `try {\n    ${core.replace("\n", "\n  ")}\n  } finally {\n    if (n % ${this.rnd.int(3, 9)} === 0) log("${name} finally", n);\n  }`
      : core;
    this.decls.push(`async function ${name}(n) {\n  if (n <= 0) return await T.${this.safeThenable()}(0);\n  ${body}\n}`);
    this.callables.push({ name, pure: !withFinally, call: () => `${name}(${this.rnd.chance(0.1) ? this.rnd.int(200, 3000) : this.rnd.int(0, 12)})` });
  }

  asyncArrowConst() {
    const name = this.id("arrow");
    this.feature("async-arrow-params");
    const ctx = this.context({ fn: name, canReturn: true, vars: ["x", "y"] });
    const body = this.statements(ctx, 2, this.rnd.int(0, 2));
    this.decls.push(`const ${name} = async (x, y = x > ${this.rnd.int(0, 5)} ? fail("${name} default") : x) => {\n${indent(body, 2)}\n  return ${this.expr(ctx, 1)};\n};`);
    this.callables.push({ name, pure: false, call: (c, d) => `${name}(${this.expr(c, d + 1)}${this.rnd.chance(0.5) ? ", " + this.rnd.int(0, 9) : ""})` });
  }

  asyncGenerator() {
    const name = this.id("g");
    this.feature("async-generator");
    const ctx = this.context({ fn: name, canReturn: true, hasArguments: true, isGen: true, vars: ["a"] });
    const body = this.statements(ctx, 1, this.rnd.int(2, 4));
    const fin = this.statements(this.child(ctx, { isGen: false }), 2, this.rnd.int(0, 2));
    const text = this.rnd.chance(0.6)
      ? `async function* ${name}(a) {\n  try {\n${indent(body, 4)}\n    yield a;\n  } finally {\n    log("${name} finally");\n${indent(fin, 4)}\n  }\n}`
      : `async function* ${name}(a) {\n${indent(body, 2)}\n  yield a;\n}`;
    this.decls.push(text);
    this.generators.push(name);
  }

  classDecl() {
    const base = this.id("Base");
    const cls = this.id("C");
    this.feature("class");
    const r = this.rnd;
    const mctx = this.context({ fn: `${cls}.m`, canReturn: true, hasThis: true, hasArguments: true, hasSuper: true, vars: ["x"] });
    const mbody = this.statements(mctx, 2, r.int(0, 2));
    const sctx = this.context({ fn: `${cls}.s`, canReturn: true, hasArguments: true, vars: ["x"] });
    const sbody = this.statements(sctx, 2, r.int(0, 1));
    this.decls.push(
      `class ${base} {\n  constructor(v) {\n    this.v = v;\n  }\n  base(x) {\n    return this.v + x;\n  }\n  async abase(x) {\n    await T.${this.safeThenable()}(x);\n    return this.v * 2 + x;\n  }\n}\n` +
        `class ${cls} extends ${base} {\n  tag = ${r.int(1, 9)};\n  field = async (x) => this.tag + this.v + (await T.${this.safeThenable()}(x));\n` +
        `  static sfield = async () => this.name + (await ${r.int(0, 9)});\n` +
        `  constructor(v) {\n    super(v);\n    this.made = async () => [new.target === ${cls}, typeof new.target, await ${r.int(0, 9)}];\n  }\n` +
        `  async m(x, y = this.v) {\n${indent(mbody, 4)}\n    const inner = async () => arguments.length + this.v + (await super.abase(x)) + y;\n    return (await inner()) + super.base(x);\n  }\n` +
        `  static async s(x) {\n${indent(sbody, 4)}\n    return this.name + x + arguments.length;\n  }\n` +
        `  async #hidden(x) {\n    return x + this.tag;\n  }\n  async viaPrivate(x) {\n    return await this.#hidden(x);\n  }\n}`,
    );
    // `made` is an arrow called later (new.target is lexical): a coroutine made in the
    // constructor and never awaited would be reported in lazy mode.
    const instance = (c, d) => `new ${cls}(${this.expr(c, d + 1)})`;
    this.callables.push(
      { name: `${cls}.m`, pure: false, feature: "this-super-arguments", call: (c, d) => `${instance(c, d)}.m(${this.expr(c, d + 1)}${r.chance(0.5) ? ", " + r.int(0, 9) : ""})` },
      { name: `${cls}.field`, pure: false, feature: "class-field-arrow", call: (c, d) => `${instance(c, d)}.field(${this.expr(c, d + 1)})` },
      ...(this.avoid.has("static-field") ? [] : [{ name: `${cls}.sfield`, pure: false, feature: "static-field-arrow", call: () => `${cls}.sfield()` }]),
      { name: `${cls}.made`, pure: false, feature: "new-target", call: (c, d) => `${instance(c, d)}.made()` },
      { name: `${cls}.s`, pure: false, feature: "static-method", call: (c, d) => `${cls}.s(${this.expr(c, d + 1)})` },
      { name: `${cls}.viaPrivate`, pure: false, feature: "private-method", call: (c, d) => `${instance(c, d)}.viaPrivate(${this.expr(c, d + 1)})` },
    );
  }

  objectLiteral() {
    const name = this.id("o");
    const key = this.id("k");
    this.feature("object-methods");
    const ctx = this.context({ fn: `${name}.${key}`, canReturn: true, hasThis: true, hasArguments: true, vars: ["x"] });
    const body = this.statements(ctx, 2, this.rnd.int(0, 2));
    this.decls.push(
      `const ${name} = {\n  v: ${this.rnd.int(1, 9)},\n  async ["${key}"](x) {\n${indent(body, 4)}\n    return this.v + x + (await T.${this.safeThenable()}(arguments.length));\n  },\n` +
        `  async *items(n) {\n    for (let i = 0; i < n; i++) yield this.v + i;\n  },\n};`,
    );
    this.callables.push({ name: `${name}.${key}`, pure: false, call: (c, d) => `${name}${this.rnd.chance(0.5) ? `.${key}` : `["${key}"]`}(${this.expr(c, d + 1)})` });
    this.generators.push(`${name}.items`);
  }

  // ---------------------------------------------------------------- expressions

  /** An expression (any value); `d` is the nesting depth, bounding the size. */
  expr(ctx, d) {
    const r = this.rnd;
    // Nested function bodies continue the depth of the expression they sit in (bounded size).
    const depth = d + (ctx.exprBase ?? 0);
    if (depth > 3) return this.leaf(ctx);
    const e = () => this.expr(ctx, d + 1);
    return r.weighted([
      [4, () => this.leaf(ctx)],
      [6, () => this.awaitExpr(ctx, d)],
      [2, () => (this.feature("await-operands"), `(${e()} ${r.pick(["+", "-", "*", "%", "<", "===", "|"])} ${e()})`)],
      [1, () => (this.feature("await-conditional"), `(${e()} ? ${e()} : ${e()})`)],
      [1, () => (this.feature("await-logical"), `(${e()} ${r.pick(["&&", "||", "??"])} ${e()})`)],
      [1, () => (this.feature("await-template"), `\`<\${${e()}}|\${${e()}}>\``)],
      [1, () => (this.feature("await-tagged-template"), `tag\`a\${${e()}}b\${${e()}}\``)],
      [1, () => (this.feature("await-arguments"), `sum(${e()}, ...[${e()}, ${e()}])`)],
      [1, () => (this.feature("await-comma-unary"), r.pick([`(${e()}, ${e()})`, `-(${e()})`, `(typeof ${e()})`, `!(${e()})`, `(void ${e()})`]))],
      [1, () => (this.feature("await-new"), `new Box(${e()}).${r.pick(["v", "w"])}`)],
      [1, () => (this.feature("await-computed-key"), `({ [${e()}]: ${e()}, k: ${e()} })[${r.chance(0.5) ? '"k"' : e()}]`)],
      [1, () => (this.feature("await-optional-chain"), r.pick([
        `(${e()} ? null : { q: ${e()} })?.q`,
        `(${e()} ? null : [${e()}])?.[${e()}]`,
        `({ m: (z) => z })?.m?.(${e()})`,
        `(${e()} ? undefined : Box)?.name`,
      ]))],
      [ctx.vars.length ? 1 : 0, () => (this.feature("await-assignment"), `(${r.pick(ctx.vars)} ${r.pick(["=", "+=", "??=", "||="])} ${e()})`)],
      [depth < 3 ? 1 : 0, () => (this.feature("async-arrow-iife"), this.arrowIife(ctx, depth))],
      [ctx.hasThis ? 2 : 0, () => (this.feature("this"), r.pick(["this.v", "this.tag", "this.v"]))],
      [ctx.hasArguments ? 1 : 0, () => (this.feature("arguments"), r.pick(["arguments.length", "(typeof arguments[0])", "arguments[arguments.length - 1]?.length"]))],
      [ctx.hasSuper ? 1 : 0, () => (this.feature("super"), r.pick([`super.base(${e()})`, `(await super.abase(${e()}))`]))],
      [ctx.isGen ? 2 : 0, () => (this.feature("yield"), `(yield ${e()})`)],
    ])();
  }

  safeThenable() {
    const kinds = SAFE_THENABLES.filter((k) => !this.avoid.has(k));
    return kinds.length ? this.rnd.pick(kinds) : "sync";
  }

  leaf(ctx) {
    const r = this.rnd;
    const names = ctx.vars.concat(ctx.consts);
    if (names.length && r.chance(0.5)) return r.pick(names);
    return r.chance(0.85) ? String(r.int(0, 9)) : r.pick(['"s"', "null", "undefined", "true", '""']);
  }

  /** `await` of something: a value, a Promise, a thenable, a compiled call, a combinator. */
  awaitExpr(ctx, d) {
    const r = this.rnd;
    const e = () => this.expr(ctx, d + 1);
    const callables = this.callables.filter((c) => !ctx.pure || c.pure);
    const pures = this.callables.filter((c) => c.pure);
    const choice = r.weighted([
      [2, "value"],
      [2, "promise"],
      [ctx.pure ? 0 : 0.5, "reject"],
      [4, "thenable"],
      [ctx.pure ? 0 : 1.5, "failing-thenable"],
      [callables.length ? 8 : 0, "call"],
      [pures.length && d < 3 ? 2 : 0, "combinator"],
      [pures.length && d < 3 && !ctx.pure ? 1 : 0, "runtime"],
      [ctx.pure ? 0 : 0.3, "timer"],
    ]);
    switch (choice) {
      case "value":
        this.feature("await-value");
        return `(await ${e()})`;
      case "promise":
        this.feature("await-promise");
        return r.chance(0.5) ? `(await Promise.resolve(${e()}))` : `(await new Promise((ok) => ok(${this.leaf(ctx)})))`;
      case "reject":
        this.feature("await-rejection");
        return `(await Promise.reject(new Boom("${this.id("rej")}")))`;
      case "thenable": {
        const kinds = (ctx.pure ? SAFE_THENABLES : [...SAFE_THENABLES, "twice", "getter"]).filter((k) => !this.avoid.has(k));
        const kind = kinds.length ? r.pick(kinds) : "sync";
        this.feature(`thenable-${kind}`);
        return `(await T.${kind}(${e()}))`;
      }
      case "failing-thenable": {
        const failing = FAILING_THENABLES.filter((k) => !this.avoid.has(k));
        const kind = failing.length ? r.pick(failing) : "reject";
        this.feature(`thenable-${kind}`);
        return `(await T.${kind}(${this.leaf(ctx)}))`;
      }
      case "timer":
        this.feature("thenable-timer");
        return `(await T.timer(${this.leaf(ctx)}))`;
      case "call": {
        const c = r.pick(callables);
        this.feature(c.feature ?? "compiled-call");
        return `(await ${c.call(ctx, d)})`;
      }
      case "combinator":
        return this.combinator(ctx, d, pures);
      case "runtime": {
        this.usesRuntime = true;
        this.feature("runtime-api");
        return r.chance(0.5) ? `(await sleep(0, ${e()}))` : `(await gather(${r.pick(pures).call(ctx, d)}, ${r.pick(pures).call(ctx, d)}))`;
      }
    }
    throw new Error(`unknown await choice ${choice}`);
  }

  /** A native combinator over compiled calls; at most one branch rejects, so the outcome is fixed. */
  combinator(ctx, d, pures) {
    const r = this.rnd;
    const call = () => r.pick(pures).call(ctx, d);
    const branches = () => Array.from({ length: r.int(1, 3) }, call);
    const oneRejection = () => (ctx.pure ? [] : r.chance(0.3) ? [r.pick([`Promise.reject(new Boom("${this.id("cr")}"))`, `T.reject(${r.int(0, 9)})`])] : []);
    const kind = r.pick(["all", "allSettled", "race", "any"]);
    this.feature(`combinator-${kind}`);
    switch (kind) {
      case "all":
        return `(await Promise.all([${shuffle(r, [...branches(), ...oneRejection()]).join(", ")}]))`;
      case "allSettled":
        return `settled(await Promise.allSettled([${shuffle(r, [...branches(), ...oneRejection(), ...oneRejection()]).join(", ")}]))`;
      case "race": {
        // The same call in every branch: whichever settles first, the outcome is the same.
        const c = call();
        return `(await Promise.race([${c}, ${c}]))`;
      }
      case "any":
        return `(await Promise.any([${shuffle(r, [call(), ...oneRejection(), ...oneRejection()]).join(", ")}]))`;
    }
  }

  arrowIife(ctx, d) {
    // Lexical this/arguments/super come along; yield does not.
    const inner = this.child(ctx, { isGen: false, canReturn: true, loops: 0, labels: [], inSwitch: false, exprBase: d + 1 });
    const body = this.statements(inner, Math.max(d, 2), this.rnd.int(0, 2));
    return `(await (async () => {\n${indent(body, 2)}\n  return ${this.expr(inner, d + 1)};\n})())`;
  }

  // ---------------------------------------------------------------- statements

  statements(ctx, depth, count) {
    const out = [];
    for (let i = 0; i < count; i++) out.push(this.statement(ctx, depth));
    return out.join("\n");
  }

  block(ctx, depth, count) {
    return this.statements(this.child(ctx), depth + 1, count ?? this.rnd.int(1, depth >= 2 ? 2 : 3));
  }

  statement(ctx, depth) {
    const r = this.rnd;
    const nested = depth < 3 ? 1 : 0;
    const inLoop = ctx.loops > 0;
    const kind = r.weighted([
      [ctx.pure ? 0 : 5, "log"],
      [4, "let"],
      [ctx.vars.length && !ctx.pure ? 2 : 0, "assign"],
      [1, "destructure"],
      [3 * nested, "if"],
      [3 * nested, "try"],
      [ctx.pure ? 0 : 0.5, "throw"],
      [3 * nested, "loop"],
      [nested, "labeled-block"],
      [nested, "switch"],
      [inLoop || ctx.inSwitch ? 2 : 0, "break"],
      [inLoop ? 1.5 : 0, "continue"],
      [ctx.canReturn ? 1 : 0, "return"],
      [ctx.pure ? 0 : 2, "call"],
      [this.generators.length && !ctx.pure && nested ? 2 : 0, "generator"],
      [ctx.isGen ? 2 : 0, "yield"],
      [this.mode === "eager" && !ctx.pure && nested ? 0.7 : 0, "started-call"],
    ]);
    return this[`stmt_${kind.replace("-", "_")}`](ctx, depth);
  }

  stmt_log(ctx) {
    return `log("${this.id("L")}", ${this.expr(ctx, 0)});`;
  }

  stmt_let(ctx) {
    const name = this.id("v");
    const text = `let ${name} = ${this.expr(ctx, 0)};`;
    ctx.vars.push(name);
    return text;
  }

  stmt_assign(ctx) {
    return `${this.rnd.pick(ctx.vars)} ${this.rnd.pick(["=", "+=", "-="])} ${this.expr(ctx, 1)};`;
  }

  stmt_destructure(ctx) {
    this.feature("await-destructuring-default");
    const a = this.id("v");
    const b = this.id("v");
    const text = this.rnd.chance(0.5)
      ? `let { ${a} = ${this.expr(ctx, 1)}, [(await T.sync("${b}"))]: ${b} = ${this.expr(ctx, 2)} } = { ${this.rnd.chance(0.5) ? `${a}: ${this.leaf(ctx)}` : ""} };`
      : `let [${a} = ${this.expr(ctx, 1)}, ${b} = ${this.expr(ctx, 2)}] = [${this.rnd.chance(0.5) ? this.leaf(ctx) : "undefined"}];`;
    ctx.vars.push(a, b);
    return text;
  }

  stmt_if(ctx, depth) {
    const cond = this.expr(ctx, 1);
    const then = this.block(ctx, depth);
    return this.rnd.chance(0.5) ? `if (${cond}) {\n${indent(then, 2)}\n} else {\n${indent(this.block(ctx, depth), 2)}\n}` : `if (${cond}) {\n${indent(then, 2)}\n}`;
  }

  stmt_try(ctx, depth) {
    const r = this.rnd;
    const e = this.id("e");
    const shape = r.pick(["catch", "finally", "both", "both"]);
    this.feature(`try-${shape}`);
    const tryBlock = this.block(ctx, depth);
    let text = `try {\n${indent(tryBlock, 2)}\n}`;
    if (shape !== "finally") {
      const cctx = this.child(ctx);
      cctx.consts.push(e);
      const logged = ctx.pure ? "" : `log("${this.id("C")}", show(${e}));\n`;
      text += ` catch (${e}) {\n${indent(logged + this.statements(cctx, depth + 1, r.int(0, 2)), 2)}\n}`;
    }
    if (shape !== "catch") {
      this.feature("finally");
      text += ` finally {\n${indent(this.block(ctx, depth), 2)}\n}`;
    }
    return text;
  }

  stmt_throw(ctx) {
    this.feature("throw");
    return this.rnd.chance(0.7) ? `if (${this.expr(ctx, 1)}) fail("${this.id("t")}");` : `throw new Boom("${this.id("t")}");`;
  }

  stmt_loop(ctx, depth) {
    const r = this.rnd;
    const label = r.chance(0.3) ? this.id("l") : null;
    const inner = this.child(ctx, { loops: ctx.loops + 1, inSwitch: false });
    if (label) {
      inner.labels.push({ name: label, loop: true });
      this.feature("label");
    }
    const body = () => this.statements(inner, depth + 1, r.int(1, 3));
    const kind = r.pick(["for", "for", "for-of", "for-in", "while", "do-while", "for-await"]);
    this.feature(`loop-${kind}`);
    const i = this.id("i");
    let text;
    switch (kind) {
      case "for":
        inner.consts.push(i);
        text = `for (let ${i} = ${this.loopStart(ctx)}; ${i} < ${this.loopLimit(ctx)}; ${i}++) {\n${indent(body(), 2)}\n}`;
        break;
      case "for-of":
        inner.consts.push(i);
        text = `for (const ${i} of [${this.expr(ctx, 2)}, ${this.expr(ctx, 2)}]) {\n${indent(body(), 2)}\n}`;
        break;
      case "for-in":
        inner.consts.push(i);
        text = `for (const ${i} in { x: ${this.expr(ctx, 2)}, y: ${this.expr(ctx, 2)} }) {\n${indent(body(), 2)}\n}`;
        break;
      case "while":
        text = `let ${i} = 0;\n${label ? "" : ""}while (${i}++ < ${this.loopLimit(ctx)}) {\n${indent(body(), 2)}\n}`;
        return `{\n${indent(label ? text.replace("while", `${label}: while`) : text, 2)}\n}`;
      case "do-while":
        text = `let ${i} = 0;\ndo {\n${indent(body(), 2)}\n} while (++${i} < ${this.loopLimit(ctx)});`;
        return `{\n${indent(label ? text.replace("do {", `${label}: do {`) : text, 2)}\n}`;
      case "for-await":
        inner.consts.push(i);
        text = `for await (const ${i} of [${this.expr(ctx, 2)}, Promise.resolve(${this.leaf(ctx)}), T.${this.safeThenable()}(${this.leaf(ctx)})]) {\n${indent(body(), 2)}\n}`;
        break;
    }
    return label ? `${label}: ${text}` : text;
  }

  loopStart(ctx) {
    return this.rnd.chance(0.5) ? "0" : (this.feature("await-loop-head"), `(await T.${this.safeThenable()}(0))`);
  }

  loopLimit(ctx) {
    const n = this.rnd.int(0, 3);
    return this.rnd.chance(0.6) ? String(n) : (this.feature("await-loop-head"), `(await Promise.resolve(${n}))`);
  }

  stmt_labeled_block(ctx, depth) {
    const label = this.id("b");
    this.feature("label");
    const inner = this.child(ctx);
    inner.labels.push({ name: label, loop: false });
    return `${label}: {\n${indent(this.statements(inner, depth + 1, this.rnd.int(1, 3)), 2)}\n  if (${this.expr(ctx, 2)}) break ${label};\n${indent(this.statements(inner, depth + 1, 1), 2)}\n}`;
  }

  stmt_switch(ctx, depth) {
    this.feature("switch");
    const cases = [];
    for (let i = 0, n = this.rnd.int(1, 3); i < n; i++) {
      // A declaration in one case is in scope, but uninitialised, in the next: one context each.
      const inner = this.child(ctx, { inSwitch: true });
      cases.push(`case ${this.rnd.chance(0.5) ? this.rnd.int(0, 9) : this.expr(ctx, 2)}:\n${indent(this.statements(inner, depth + 1, this.rnd.int(0, 2)), 2)}${this.rnd.chance(0.6) ? "\n  break;" : ""}`);
    }
    if (this.rnd.chance(0.5)) cases.push(`default:\n${indent(this.statements(this.child(ctx, { inSwitch: true }), depth + 1, 1), 2)}`);
    return `switch (${this.expr(ctx, 1)}) {\n${indent(cases.join("\n"), 2)}\n}`;
  }

  stmt_break(ctx) {
    const loopLabels = ctx.labels;
    this.feature("break");
    const target = loopLabels.length && this.rnd.chance(0.5) ? ` ${this.rnd.pick(loopLabels).name}` : "";
    if (!target && !(ctx.loops > 0 || ctx.inSwitch)) return ";";
    return `if (${this.expr(ctx, 1)}) break${target};`;
  }

  stmt_continue(ctx) {
    this.feature("continue");
    const loopLabels = ctx.labels.filter((l) => l.loop);
    const target = loopLabels.length && this.rnd.chance(0.5) ? ` ${this.rnd.pick(loopLabels).name}` : "";
    return `if (${this.expr(ctx, 1)}) continue${target};`;
  }

  stmt_return(ctx) {
    this.feature("return");
    return `if (${this.expr(ctx, 1)}) return ${this.expr(ctx, 2)};`;
  }

  stmt_call(ctx) {
    const callables = this.callables;
    if (!callables.length) return this.stmt_log(ctx);
    const c = this.rnd.pick(callables);
    this.feature(c.feature ?? "compiled-call");
    return this.rnd.chance(0.5) ? `log("${this.id("R")}", await ${c.call(ctx, 1)});` : `await ${c.call(ctx, 1)};`;
  }

  stmt_yield(ctx) {
    const r = this.rnd;
    if (r.chance(0.3)) {
      this.feature("yield-star");
      const inner = this.generators.filter((g) => !g.startsWith(ctx.fn));
      const source = inner.length && r.chance(0.6) ? `${r.pick(inner)}(${r.int(0, 3)})` : `[${this.expr(ctx, 2)}, ${this.expr(ctx, 2)}]`;
      return `log("${this.id("Y")}", yield* ${source});`;
    }
    this.feature("yield");
    return `log("${this.id("Y")}", yield ${this.expr(ctx, 1)});`;
  }

  /** Drives an async generator: for await, next/return/throw while suspended and while queued. */
  stmt_generator(ctx, depth) {
    const r = this.rnd;
    const g = r.pick(this.generators);
    const it = this.id("it");
    const start = `${g}(${this.leaf(ctx)})`;
    const step = () => r.weighted([
      [3, () => `it.next(${this.leaf(ctx)})`],
      [1, () => (this.feature("generator-return"), `it.return(${this.leaf(ctx)})`)],
      [1, () => (this.feature("generator-throw"), `it.throw(new Boom("${this.id("gt")}"))`)],
    ])().replace("it.", `${it}.`);
    switch (r.pick(["for-await", "manual", "queued"])) {
      case "for-await": {
        this.feature("for-await-generator");
        const inner = this.child(ctx, { loops: ctx.loops + 1, inSwitch: false });
        const x = this.id("x");
        inner.consts.push(x);
        return `for await (const ${x} of ${start}) {\n  log("${this.id("F")}", ${x});\n${indent(this.statements(inner, depth + 1, r.int(0, 2)), 2)}\n}`;
      }
      case "manual": {
        const lines = [`const ${it} = ${start};`];
        for (let i = 0, n = r.int(1, 4); i < n; i++) {
          const s = step();
          lines.push(`try {\n  log("${this.id("N")}", await ${s});\n} catch (${it}e) {\n  log("${this.id("NC")}", show(${it}e));\n}`);
        }
        return `{\n${indent(lines.join("\n"), 2)}\n}`;
      }
      case "queued": {
        this.feature("generator-queued");
        const steps = Array.from({ length: r.int(2, 4) }, step);
        return `{\n  const ${it} = ${start};\n  log("${this.id("Q")}", settled(await Promise.allSettled([${steps.join(", ")}])));\n}`;
      }
    }
  }

  /**
   * Eager mode only: a call started, sync statements run, then it is awaited. The callee is a
   * pure function: how far a started call runs before its caller goes on depends on whether its
   * awaits suspend, and an inline `await` of a compiled callee that does not suspend takes no
   * tick (CONTRACT section 2), so a callee that logs would make the output tick-dependent.
   */
  stmt_started_call(ctx) {
    const callables = this.callables.filter((c) => c.pure);
    if (!callables.length) return this.stmt_log(ctx);
    this.feature("eager-started-call");
    const c = this.rnd.pick(callables);
    const p = this.id("task");
    return `{\n  const ${p} = ${c.call(ctx, 3)};\n  log("${this.id("S")}", ${this.leaf(ctx)});\n  log("${this.id("A")}", await ${p});\n}`;
  }
}

function shuffle(r, items) {
  for (let i = items.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

function indent(text, n) {
  if (!text) return "";
  const pad = " ".repeat(n);
  return text
    .split("\n")
    .map((l) => (l ? pad + l : l))
    .join("\n");
}

/** The program for one seed: `{source, features}`. */
export function generateProgram(seed, options = {}) {
  return new ProgramGenerator(seed, options).generate();
}

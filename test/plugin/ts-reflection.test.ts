/**
 * `toString()` of a compiled coroutine function (issue 7 part 4): it reads as the async function
 * it was compiled from, with its own name and parameter list and no body, for every form, in
 * both front ends; what cannot be kept (util.types.isAsyncFunction) is pinned too.
 */
import * as util from "node:util";
import * as runtime from "../../runtime/index.js";
import { executeProgram, toCommonJs, transformWithPlugin, transformWithTypeScript } from "../support/pipelines.js";

const SOURCE = `
async function decl(a, b = 1, ...rest) {}
const expr = async function named(x, { y, z }) {};
const anonymous = async function (x) {};
const arrow = async (a, [b, c]) => a;
const object = { async m(x, y = "s") {}, async *gen(n) {}, async ["computed" + 1](q) {} };
class C {
  async method(a) {}
  static async stat() {}
  async #hidden(p) {}
  hidden() { return this.#hidden; }
}
async function* agen(from, to) {}
export const fns = { decl, expr, anonymous, arrow, m: object.m, gen: object.gen, computed: object.computed1,
  method: C.prototype.method, stat: C.stat, hidden: new C().hidden(), agen };
`;

const TYPED_SOURCE = `
interface P { x: number }
async function typed(this: Window, a: number, b?: string, { x }: P = { x: 1 }, ...rest: unknown[]): Promise<void> {}
class K { async m<T>(value: T, opt?: boolean): Promise<T> { return value; } }
export const fns = { typed, m: K.prototype.m };
`;

const EXPECTED: Record<string, string> = {
  decl: "async function decl(a, b = 1, ...rest) { [native code] }",
  expr: "async function named(x, { y, z }) { [native code] }",
  anonymous: "async function(x) { [native code] }",
  arrow: "async (a, [b, c]) => { [native code] }",
  m: 'async m(x, y = "s") { [native code] }',
  gen: "async *gen(n) { [native code] }",
  computed: 'async ["computed" + 1](q) { [native code] }',
  method: "async method(a) { [native code] }",
  stat: "async stat() { [native code] }",
  hidden: "async #hidden(p) { [native code] }",
  agen: "async function* agen(from, to) { [native code] }",
};

function load(code: string): Record<string, (...args: unknown[]) => unknown> {
  return (executeProgram(code, { corotask: runtime }, "input.js") as { fns: Record<string, (...args: unknown[]) => unknown> }).fns;
}

describe.each([
  ["babel", (source: string, file: string) => toCommonJs(transformWithPlugin(source, file), file)],
  ["typescript", (source: string, file: string) => transformWithTypeScript(source, file).code],
])("toString() through %s", (_name, compile) => {
  const fns = load(compile(SOURCE, "/project/input.js"));

  test.each(Object.entries(EXPECTED))("%s reads as its async source header", (key, text) => {
    expect(String(fns[key])).toBe(text);
    expect(fns[key]!.toString()).toBe(text);
  });

  test("the text parses as a function with the same parameters (what DI containers read)", () => {
    const params = /^[^(]*\(([^)]*)\)/.exec(fns.decl!.toString())![1];
    expect(params).toBe("a, b = 1, ...rest");
    expect(() => new Function(`return (${fns.decl!.toString().replace("[native code]", "")})`)).not.toThrow();
  });

  test("TypeScript parameters show without their types or this parameter", () => {
    const typed = load(compile(TYPED_SOURCE, "/project/input.ts"));
    expect(String(typed.typed)).toBe("async function typed(a, b, { x } = { x: 1 }, ...rest) { [native code] }");
    expect(String(typed.m)).toBe("async m(value, opt) { [native code] }");
  });

  test("what cannot be kept: util.types.isAsyncFunction is false (V8 reads the function's kind)", () => {
    expect(util.types.isAsyncFunction(fns.decl)).toBe(false);
    expect(Object.getPrototypeOf(fns.decl)).toBe(Object.getPrototypeOf(async function () {}));
  });

  test("toString is an own, non-enumerable method, not an own source copy", () => {
    expect(Object.keys(fns.decl!)).toEqual([]);
    expect(Object.getOwnPropertyDescriptor(fns.decl, "toString")?.enumerable).toBe(false);
    expect(fns.decl!.toString).toBe(fns.arrow!.toString);
  });
});

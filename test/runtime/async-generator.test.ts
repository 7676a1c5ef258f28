/**
 * runtime/async-generator.ts in a fresh process: what its load does to the program's own
 * promises, and the first throw() into a `yield*` of a sync iterator that has no `throw` method
 * (which the runtime asks the engine about when first needed).
 */
import { transformWithPlugin } from "../support/pipelines.js";
import { requireBuild, runNode, tempProject } from "../support/pipelines/cli-temp-project.js";

beforeAll(requireBuild);

/** Reports every read of Promise.prototype.constructor and every call of its `then` from now on. */
const WATCH_PROMISES = `
const seen = [];
const then = Promise.prototype.then;
Object.defineProperty(Promise.prototype, "constructor", { get() { seen.push("constructor"); return Promise; }, configurable: true });
Promise.prototype.then = function (...args) { seen.push("then"); return then.apply(this, args); };
`;

it("loading the runtime leaves no promise jobs that user code can see (test262's constructor-lookup tick tests)", () => {
  const dir = tempProject({
    // CommonJS: Node's ESM loader reads Promise.prototype.constructor itself after the main module.
    "main.cjs": `require("corotask");\n${WATCH_PROMISES}\nsetTimeout(() => console.log(JSON.stringify(seen)), 20);\n`,
  });
  const result = runNode(["main.cjs"], dir);
  expect(result.stderr).toBe("");
  expect(result.stdout).toBe("[]\n");
});

it("the first throw() into yield* of a sync iterator without throw does what the engine's own yield* does", () => {
  const program = `
${WATCH_PROMISES}
async function* g() {
  yield* [1, 2];
}
export async function main() {
  const it = g();
  const first = await it.next();
  let outcome;
  try {
    outcome = await it.throw("thrown");
  } catch (error) {
    outcome = error instanceof TypeError ? "TypeError" : error;
  }
  console.log(JSON.stringify([first, outcome, await it.next()]));
}
`;
  const compiled = transformWithPlugin(program, "/virtual/main.mjs");
  const dir = tempProject({
    "native.mjs": `${program}\nawait main();\n`,
    "compiled.mjs": `${compiled}\nawait main();\n`,
  });
  const native = runNode(["native.mjs"], dir);
  const ours = runNode(["compiled.mjs"], dir);
  expect(native.stderr).toBe("");
  expect(ours.stderr).toBe("");
  expect(ours.stdout).toBe(native.stdout);
  // Node 20 throws the value and leaves the iterator open; ES2025 engines close it with a TypeError.
  expect(native.stdout).toMatch(/^\[\{"value":1,"done":false\},("thrown"|"TypeError"),\{"done":true\}\]\n$/);
});

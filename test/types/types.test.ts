/**
 * The type test suite: `tsc --noEmit` over the probes (test/types/*.probe.ts) and the TSDoc
 * `@example`s of the built declarations, against dist (npm test builds first), under lib es2022
 * alone, with lib dom, and with @types/node; skipLibCheck off, strict.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "../..");
const GENERATED = join(ROOT, "test/types/generated");
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");
const CONFIGS = ["tsconfig.types.json", "tsconfig.types.dom.json", "tsconfig.types.node.json"];

/** Runs tsc on a config; returns its diagnostics ("" when it compiles). */
function tsc(config: string): string {
  try {
    execFileSync(process.execPath, [TSC, "-p", join(ROOT, config)], { cwd: ROOT, encoding: "utf8", stdio: "pipe" });
    return "";
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ""}${e.stderr ?? ""}` || String(error);
  }
}

/**
 * The names the examples use without defining them, per declaration file: what a reader is
 * assumed to have. Each example compiles in its own module, importing the whole entry point.
 */
const EXAMPLE_CONTEXT: Record<string, string> = {
  "as-completed": "declare function a(): Promise<number>; declare function b(): Promise<string>; declare function c(): Promise<boolean>; declare const tasks: Task<number>[];",
  gather: "declare const id: number; declare function fetchUser(id: number): Promise<{ name: string }>; declare function fetchPosts(id: number): Promise<string[]>; declare function a(): Promise<number>; declare function b(): Promise<string>;",
  "run-coroutine-threadsafe": "declare function fetchAll(): LazyCoroutine<string[]>; declare const workerLoop: EventLoop;",
  shield: "declare function saveToDisk(data: string): Promise<void>; declare const data: string; declare function log(message: string): void;",
  "wait-for": "declare function fetchPage(url: string): Promise<string>; declare const url: string; declare function retry(): void;",
  wait: "declare const a: Task<number>, b: Task<string>, c: Future<boolean>;",
  asyncio: "declare function count(): Promise<number>; declare function name(): Promise<string>;",
};
const CONSOLE = "declare const console: { log(...values: unknown[]): void };";

/** Every `@example` of the built runtime declarations, as [declaration file, code]. */
function examples(): Array<[string, string]> {
  const dir = join(ROOT, "dist/esm/runtime");
  const found: Array<[string, string]> = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".d.ts")).sort()) {
    const text = readFileSync(join(dir, file), "utf8");
    for (const match of text.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
      const lines = match[1]!.split("\n").map((line) => line.replace(/^\s*\* ?/, ""));
      const start = lines.findIndex((line) => line.startsWith("@example"));
      if (start < 0) continue;
      const end = lines.findIndex((line, i) => i > start && line.startsWith("@"));
      found.push([file.replace(/\.d\.ts$/, ""), lines.slice(start + 1, end < 0 ? undefined : end).join("\n").trim()]);
    }
  }
  return found;
}

beforeAll(() => {
  if (!existsSync(join(ROOT, "dist/esm/runtime/index.d.ts"))) {
    throw new Error("dist/esm/runtime/index.d.ts is missing; run npm run build (npm test does) before the type tests");
  }
  rmSync(GENERATED, { recursive: true, force: true });
  mkdirSync(GENERATED, { recursive: true });
  examples().forEach(([module, code], i) => {
    const entry = module === "asyncio" ? "corotask/asyncio" : "corotask";
    const names = module === "asyncio" ? "* as asyncio" : "* as corotask";
    const preamble = `import ${names} from "${entry}";\nimport { ${module === "asyncio" ? "" : ""}Future, Task, LazyCoroutine, EventLoop } from "corotask";\n`;
    const spread = module === "asyncio" ? "const { gather } = asyncio;" : "const { asCompleted, gather, runCoroutineThreadsafe, shield, waitFor, wait, FIRST_COMPLETED, CancelledError, TimeoutError } = corotask;";
    const body = `${preamble}${CONSOLE}\n${EXAMPLE_CONTEXT[module] ?? ""}\nexport async function example(): Promise<void> {\n${spread}\n// ${module}.d.ts\n${code}\n}\nvoid [Future, Task, LazyCoroutine, EventLoop];\n`;
    writeFileSync(join(GENERATED, `example-${i}-${module}.ts`), body);
  });
});

test("the declarations carry @examples to check", () => {
  const modules = examples().map(([module]) => module);
  expect(modules).toEqual(expect.arrayContaining(["as-completed", "gather", "wait", "wait-for", "shield"]));
});

describe.each(CONFIGS)("the probes and examples compile under %s", (config) => {
  test("tsc --noEmit reports nothing", () => {
    expect(tsc(config)).toBe("");
  });
});

test("a wrong exact-type assertion or an unused @ts-expect-error fails the check", () => {
  const probe = join(GENERATED, "negative-control.ts");
  writeFileSync(
    probe,
    'import { gather, Task } from "corotask";\nimport { exact } from "../expect.js";\n' +
      "declare const t: Task<number>;\nexact<string>()(t);\nexact<[number | Error]>()(gather(t, { returnExceptions: true }));\n" +
      "// @ts-expect-error\nt.result();\n",
  );
  try {
    const output = tsc("tsconfig.types.json");
    expect(output).toContain("negative-control.ts(4,");
    expect(output).toContain("negative-control.ts(5,");
    expect(output).toContain("negative-control.ts(6,");
  } finally {
    rmSync(probe);
  }
});

/**
 * The runtime must run where there is no Node: bundled as a browser would load it, it runs a
 * compiled program in a V8 context that has only what browsers have (no `process`, no
 * `setImmediate`, no `async_hooks`, no `require`).
 */
import * as babel from "@babel/core";
import { buildSync } from "esbuild";
import * as path from "node:path";
import * as vm from "node:vm";
import babelPlugin from "../../plugin/babel/index.js";

const root = path.resolve(__dirname, "../..");

const PROGRAM = `
async function child(log) {
  try {
    await sleep(10);
  } finally {
    log("child: finally");
  }
}
async function main(log) {
  const task = createTask(child(log));
  await sleep(1);
  log("stack: " + task.getStack().map((f) => f.functionName + ":" + f.lineNumber).join(" "));
  task.cancel("stop");
  try {
    await task;
  } catch (e) {
    log("main: caught " + e.name + " " + e.message);
  }
  const results = await gather(sleep(0, "a"), sleep(2, "b"));
  log("gather: " + results.join(","));
  // With no process.stderr, the default handler writes to console.error.
  getRunningLoop().defaultExceptionHandler({ message: "reported", exception: "plain" });
  return task.cancelled();
}
`;

/** Bundles the runtime for browsers, runs PROGRAM compiled in a V8 context of `globals`; the lines it logged. */
async function runBundled(globals: Record<string, unknown>): Promise<string[]> {
  const bundle = buildSync({
    entryPoints: [path.join(root, "runtime/index.ts")],
    bundle: true,
    format: "iife",
    globalName: "corotask",
    platform: "browser",
    write: false,
    logLevel: "silent",
  }).outputFiles[0]!.text;
  const program = babel.transformSync(PROGRAM, {
    filename: "/app/program.js",
    cwd: "/app",
    babelrc: false,
    configFile: false,
    sourceType: "script",
    plugins: [[babelPlugin, { runtime: "global:corotask" }]],
  })!.code!;

  const lines: string[] = [];
  const log = (line: string): number => lines.push(line);
  const console = { ...globalThis.console, error: (text: string) => log(`console.error: ${JSON.stringify(text)}`) };
  const context = vm.createContext({ ...globals, console, log });
  vm.runInContext(bundle, context);
  vm.runInContext("var { createTask, sleep, gather, run, getRunningLoop } = corotask;", context);
  expect(vm.runInContext("typeof process + ' ' + typeof setImmediate + ' ' + typeof require", context)).toBe("undefined undefined undefined");
  vm.runInContext(program, context);
  const cancelled = await vm.runInContext("run(() => main(log), { virtualTime: true })", context);

  expect(cancelled).toBe(true);
  return lines;
}

const EXPECTED = ["stack: child:4", "child: finally", "main: caught CancelledError stop", "gather: a,b", 'console.error: "reported\\nplain"'];
const BROWSER_GLOBALS = { setTimeout, clearTimeout, queueMicrotask, performance, AbortController };

test("the bundled runtime runs a compiled program in a context with only browser globals", async () => {
  expect(await runBundled({ ...BROWSER_GLOBALS, MessageChannel: UnrefMessageChannel })).toEqual(EXPECTED);
});

test("without MessageChannel either (an older host), the loop yields to the host with setTimeout", async () => {
  expect(await runBundled(BROWSER_GLOBALS)).toEqual(EXPECTED);
});

/**
 * A MessageChannel whose receiving port does not keep Node alive once the test is over (the
 * runtime keeps one channel for its macrotasks where there is no setImmediate, as in browsers).
 */
class UnrefMessageChannel {
  readonly port1: { onmessage: ((event: unknown) => void) | null };
  readonly port2: MessagePort;
  constructor() {
    const channel = new MessageChannel();
    const receiving = channel.port1;
    this.port2 = channel.port2;
    this.port1 = {
      get onmessage() {
        return receiving.onmessage as ((event: unknown) => void) | null;
      },
      set onmessage(handler) {
        receiving.onmessage = handler;
        (receiving as unknown as { unref(): void }).unref();
      },
    };
  }
}

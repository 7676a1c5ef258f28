/**
 * Live introspection of a hooked process: on SIGUSR2 it prints the call graph of every event
 * loop (the runtime's printCallGraph) to stderr and writes the same text to its dump file, where
 * `corotask ps PID` reads it. Node keeps SIGUSR1 for the inspector.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import Module from "node:module";
import * as path from "node:path";
import { channelDir, dumpFile, markerFile, processStartTime, type Marker } from "./dump-channel.js";
import { DIST_DIR } from "./package-paths.js";

/** The parts of a runtime copy that the dump uses (typed here: the plugin does not import the runtime). */
interface RuntimeCopy {
  allLoops(): LoopView[];
  printCallGraph(future: null, options: { file: { write(text: string): unknown } }): void;
}
interface LoopView {
  readonly id: number;
  isRunning(): boolean;
  time(): number;
  callSoon(fn: () => void): unknown;
}

/** How long a running loop has to run the dump's callback before it is reported as not answering. */
const LOOP_ANSWER_MS = 2000;

/** Environment variable by which `corotask run` asks its child to answer for the wrapper's pid too. */
export const PS_ALIAS_VARIABLE = "COROTASK_PS_ALIAS";

/**
 * Leaves this process's marker and answers SIGUSR2. `alsoAnswerFor` is the pid of a wrapper
 * (`corotask run`) that forwards SIGUSR2 here: the dump is written under its pid too.
 */
export function installIntrospection(): void {
  const aliasText = process.env[PS_ALIAS_VARIABLE];
  // Not inherited by this program's own child processes: they answer for themselves only.
  delete process.env[PS_ALIAS_VARIABLE];
  const alias = aliasText !== undefined && /^\d+$/.test(aliasText) ? Number(aliasText) : null;
  writeMarker(process.pid);
  process.on("exit", () => {
    rmSync(dumpFile(process.pid), { force: true });
    if (alias !== null) rmSync(dumpFile(alias), { force: true });
  });
  process.on("SIGUSR2", () => {
    void dumpAllLoops().then((text) => {
      process.stderr.write(text);
      publishDump(process.pid, text);
      if (alias !== null) publishDump(alias, text);
    });
  });
}

/** Writes this process's marker and removes it at exit. Best effort: introspection is never worth a crash. */
export function writeMarker(pid: number): void {
  const marker: Marker = { pid, startTime: processStartTime(pid), argv: process.argv };
  try {
    mkdirSync(channelDir(), { recursive: true });
    writeFileSync(markerFile(pid), JSON.stringify(marker));
    process.on("exit", () => rmSync(markerFile(pid), { force: true }));
  } catch {
    // An unwritable temp folder: SIGUSR2 still prints to stderr; only `corotask ps` cannot ask.
  }
}

function publishDump(pid: number, text: string): void {
  const file = dumpFile(pid);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  } catch {
    // Unwritable: the dump went to stderr.
  }
}

/** The dump: a header, then each open loop of each loaded runtime copy with its call graph. */
export async function dumpAllLoops(): Promise<string> {
  const sections: string[] = [];
  for (const copy of await loadedRuntimes()) {
    for (const loop of copy.allLoops()) sections.push(await dumpLoop(copy, loop));
  }
  const header = `corotask: call graph of process ${process.pid} (${path.basename(process.argv[1] ?? "node")}), ${sections.length} event loop${sections.length === 1 ? "" : "s"}\n`;
  return header + sections.join("") + (sections.length === 0 ? "No event loops: this process has not used corotask yet\n" : "");
}

/** The copies of the runtime this process has loaded: the ES module build and, if required, the CommonJS one. */
async function loadedRuntimes(): Promise<RuntimeCopy[]> {
  const copies: RuntimeCopy[] = [];
  const specifier = "corotask";
  // The package's own entry (a self-reference): the same module instance the program imports.
  copies.push((await import(specifier)) as RuntimeCopy);
  const cjsIndex = path.join(DIST_DIR, "cjs", "runtime", "index.js");
  const cache = (Module as unknown as { _cache: Record<string, { exports: unknown } | undefined> })._cache;
  const cjs = cache[cjsIndex]?.exports as RuntimeCopy | undefined;
  if (cjs !== undefined && typeof cjs.allLoops === "function") copies.push(cjs);
  return copies.filter((copy) => typeof copy.allLoops === "function");
}

function dumpLoop(copy: RuntimeCopy, loop: LoopView): Promise<string> {
  const header = `\nEvent loop ${loop.id} (${loop.isRunning() ? "running" : "not running"}, time ${loop.time().toFixed(3)}):\n`;
  // The graph is taken inside the loop (a callback it runs), where printCallGraph() sees it as the running loop.
  if (!loop.isRunning()) return Promise.resolve(header + "  not running: nothing steps its tasks until run*() is called\n");
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(header + `  did not run the dump within ${LOOP_ANSWER_MS / 1000} s\n`), LOOP_ANSWER_MS);
    timer.unref();
    loop.callSoon(() => {
      clearTimeout(timer);
      let text = "";
      try {
        copy.printCallGraph(null, { file: { write: (chunk: string) => (text += chunk) } });
      } catch (error) {
        text = `  could not capture the call graph: ${(error as Error).message}\n`;
      }
      resolve(header + text);
    });
  });
}

// Runs one compiled program, in this process, as the fixture suite does (fixture-core.cjs's
// runCompiled: natively by plain await, compiled on the runtime's virtual-time loop), and
// records besides its trace what a process would show: unhandled rejections and stderr text.
import { createRequire } from "node:module";
import * as path from "node:path";
import { ROOT } from "./pipelines.mjs";

const require = createRequire(import.meta.url);
const { runCompiled, formatValue } = require(path.join(ROOT, "test/support/fixture-core.cjs"));

/** What the program in flight produced outside its trace; the fuzzer runs one program at a time. */
let current = null;

function describe(reason) {
  return reason instanceof Error ? `${reason.name}: ${reason.message}` : formatValue(reason);
}

let installed = false;
function install() {
  if (installed) return;
  installed = true;
  // This worker exists only to run fuzzed programs: it owns its process-wide hooks.
  process.on("unhandledRejection", (reason) => {
    if (current) current.unhandled.push(describe(reason));
  });
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = (chunk, ...rest) => {
    if (current) {
      current.stderr.push(String(chunk));
      return true;
    }
    return write(chunk, ...rest);
  };
}

/** Two host turns: long enough for an unhandled rejection of the program to be reported. */
function settle() {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/**
 * How often a program's run ends with a full collection (one run in FULL_GC_EVERY). A full one per
 * run pins every GC-time report (a coroutine never awaited, an exception never retrieved) to the
 * program that left it, but a forced full collection of a heap that holds Babel and TypeScript
 * costs about four times the rest of the program (it also makes their next compile slower). Any
 * other run ends with none: a report then comes out at the next full collection, a few programs
 * later, where worker.mjs finds that it is not that program's and blames the one that left it.
 */
const FULL_GC_EVERY = 32;
let runs = 0;
let fullCollectionCount = 0;

/** How many runs so far ended with a full collection. */
export function fullCollections() {
  return fullCollectionCount;
}

/**
 * Runs `code` (CommonJS exporting `main(log)`); resolves to
 * `{trace, unhandled, stderr, timedOut}`. A run that does not end within `timeoutMs` is left
 * behind (its pending work stays pending) and reported as timed out. `fullGc`: end with a full
 * collection (see FULL_GC_EVERY).
 */
export async function runProgram(code, runtime, { native, timeoutMs = 5000, id = "fuzz.js", fullGc = false }) {
  install();
  const record = { unhandled: [], stderr: [] };
  current = record;
  let timer;
  let trace;
  let timedOut = false;
  try {
    trace = await Promise.race([
      runCompiled(code, { id, options: {} }, runtime, { native }),
      new Promise((resolve) => {
        timer = setTimeout(() => resolve(null), timeoutMs);
      }),
    ]);
  } catch (error) {
    // A throw outside main (the module body itself): the same for every pipeline, or a mismatch.
    trace = `module error: ${describe(error)}\n`;
  } finally {
    clearTimeout(timer);
  }
  if (trace === null) {
    timedOut = true;
    trace = "(timed out)\n";
  }
  // Collect now, so that a coroutine this program dropped is reported in its own window (lazy
  // mode's never-awaited warning comes from a FinalizationRegistry), not in the next program's.
  // Only a full collection helps: V8's minor one keeps FinalizationRegistry targets alive.
  runs++;
  if (fullGc || runs % FULL_GC_EVERY === 0) {
    globalThis.gc?.();
    fullCollectionCount++;
  }
  await settle();
  current = null;
  return { trace, unhandled: record.unhandled, stderr: numberRejectionsFromZero(record.stderr.join("")), timedOut };
}

/**
 * Every program of a worker runs in one process, and Node's warnings carry process-wide state: it
 * numbers the rejections it tracks with one counter (`rejection id: N` in a
 * PromiseRejectionHandledWarning), and adds the `--trace-warnings` hint to its first warning only.
 * The ids are made relative to the run's first and the hint is dropped, so that two runs compare
 * by their own warnings only.
 */
export function numberRejectionsFromZero(stderr) {
  let first = null;
  return stderr.replace(/^\(Use `node --trace-warnings \.\.\.` to show where the warning was created\)\n/gm, "").replace(/\(rejection id: (\d+)\)/g, (_, id) => {
    first ??= Number(id);
    return `(rejection id: +${Number(id) - first})`;
  });
}

/** The observable outcome as one comparable text: trace, then what a process would add. */
export function outcomeText(outcome) {
  let text = outcome.trace;
  for (const u of outcome.unhandled) text += `unhandled rejection: ${u}\n`;
  if (outcome.stderr) text += `stderr: ${outcome.stderr.replace(/\n$/, "").split("\n").join("\nstderr: ")}\n`;
  return text;
}

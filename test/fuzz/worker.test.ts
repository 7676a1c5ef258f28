/**
 * The fuzzing worker's attribution of GC-time reports (scripts/fuzz/worker.mjs): most runs end
 * without a full collection (execute.mjs), so a coroutine a program drops is reported only some
 * programs later. The report must still come out, as a mismatch of the program that dropped it,
 * and not of the program whose run it surfaced in.
 */
import { fork } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

interface Mismatch { pipeline: string; compiled: string; native: string; unconfirmed?: boolean }
type Message =
  | { type: "ready" | "alive" }
  | { type: "result"; result: { index: number; mismatches: Mismatch[] } }
  | { type: "amend"; index: number; mode: string; mismatch: Mismatch };

/** Runs `programs` in one worker, in order, lazy mode, Babel only; resolves to its messages. */
function runWorker(programs: string[]): Promise<Message[]> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(ROOT, "scripts/fuzz/worker.mjs"), [], { stdio: ["ignore", "ignore", "inherit", "ipc"], execArgv: ["--expose-gc"] });
    const messages: Message[] = [];
    let next = 0;
    const send = () => {
      if (next === programs.length) {
        child.kill();
        resolve(messages);
        return;
      }
      child.send({ type: "run", seed: 1, index: next, mode: "lazy", pipelines: ["babel"], shrinkBudget: 0, timeoutMs: 5000, avoid: [], fullGc: false, source: programs[next] });
      next++;
    };
    child.on("message", (message: Message) => {
      messages.push(message);
      if (message.type === "ready" || message.type === "result") send();
    });
    child.on("error", reject);
  });
}

const DROPS = `export async function main(log) {\n  const dropped = async () => 1;\n  dropped();\n  log("dropped one");\n}\n`;
const QUIET = `export async function main(log) {\n  log(await 1);\n}\n`;

it("blames a never-awaited coroutine on the program that dropped it, whichever later run's collection reports it", async () => {
  // 40 runs (native and Babel per program): past the worker's first full collection (1 in 32).
  const messages = await runWorker([QUIET, DROPS, ...Array(18).fill(QUIET)]);
  const results = messages.flatMap((m) => (m.type === "result" ? [m.result] : []));
  expect(results).toHaveLength(20);
  expect(results.flatMap((r) => r.mismatches)).toEqual([]);
  const amendments = messages.flatMap((m) => (m.type === "amend" ? [m] : []));
  expect(amendments.map((a) => [a.index, a.mode, a.mismatch.pipeline])).toEqual([[1, "lazy", "babel"]]);
  expect(amendments[0]!.mismatch.compiled).toContain("coroutine 'dropped' was never awaited");
  expect(amendments[0]!.mismatch.native).not.toContain("never awaited");
}, 120_000);

// A rejection handled a turn late: Node warns with a process-wide rejection id, and only its
// first warning carries the --trace-warnings hint.
const HANDLED_LATE = `export async function main(log) {\n  const p = Promise.reject(new Error("late"));\n  await new Promise((r) => setTimeout(r, 1));\n  await p.catch((e) => log(e.message));\n}\n`;

it("compares Node's warnings by the run's own rejections: ids from the process-wide counter and the once-per-process hint do not count", async () => {
  const messages = await runWorker([HANDLED_LATE, HANDLED_LATE]);
  const results = messages.flatMap((m) => (m.type === "result" ? [m.result] : []));
  expect(results).toHaveLength(2);
  expect(results.flatMap((r) => r.mismatches)).toEqual([]);
}, 60_000);

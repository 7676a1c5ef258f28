/**
 * Nothing unobserved (issue 10, CONTRACT section 5): each way a failure can go unseen is
 * reported exactly once, through the loop's exception handler, or where JavaScript itself would
 * report it, the same way (or not at all, where JavaScript would not). Each case is a small
 * program compiled by the Babel plugin and run in its own `node --expose-gc` process
 * (observe-harness.cjs), so that collection-time reports and the host's unhandled rejections are
 * the real ones.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

interface Observed {
  result?: unknown;
  error?: string;
  reports: string[];
  unhandled: string[];
}

function program(body: string): string {
  return (
    `import { createTask, sleep, getRunningLoop, TaskGroup, CancelledError } from "corotask";\n` +
    `async function fails(message = "lost") {\n  await sleep(0);\n  throw new Error(message);\n}\n` +
    `export async function main(reports) {\n` +
    `  getRunningLoop().setExceptionHandler((_loop, c) => reports.push(c.message + ": " + (c.exception && c.exception.message)));\n` +
    `${body}\n}\n`
  );
}

// Every case is declared first (while describe blocks are collected) and run in one harness
// process in beforeAll; each test then reads its own case's outcome.
const cases: { source: string; mode: "eager" | "lazy" }[] = [];
let outcomes: Observed[] | null = null;

function observe(body: string, mode: "eager" | "lazy" = "eager"): () => Observed {
  const index = cases.push({ source: program(body), mode }) - 1;
  return () => {
    if (outcomes === null) throw new Error("the harness did not run");
    return outcomes[index]!;
  };
}

beforeAll(() => {
  const child = spawnSync(process.execPath, ["--expose-gc", path.join(__dirname, "observe-harness.cjs")], { input: JSON.stringify(cases), encoding: "utf8" });
  const last = child.stdout.trim().split("\n").at(-1) ?? "";
  if (!last.startsWith("[")) throw new Error(`harness failed (exit ${child.status}):\n${child.stderr}`);
  outcomes = JSON.parse(last) as Observed[];
}, 120_000);

/** A case: its program body, mode, and the checks on what was observed. */
function check(name: string, mode: "eager" | "lazy", body: string, assert: (seen: Observed) => void, failing = false): void {
  const outcome = observe(body, mode);
  (failing ? it.failing : it)(name, () => assert(outcome()));
}

describe.each(["eager", "lazy"] as const)("in %s mode", (mode) => {
  check("a failed task nobody awaits is reported once, as never retrieved", mode, `  createTask(fails());\n  await sleep(1);\n  return "done";`, (seen) => {
    expect(seen.result).toBe("done");
    expect(seen.reports).toEqual(["Task exception was never retrieved: lost"]);
  });

  check(
    "a failure that is retrieved is not reported",
    mode,
    `  const t = createTask(fails());\n  const caught = await t.then(() => "no", (e) => e.message);\n` +
      `  const [g] = await Promise.all([createTask(fails("in all")).catch((e) => e.message)]);\n  return caught + " " + g;`,
    (seen) => {
      expect(seen.result).toBe("lost in all");
      expect(seen.reports).toEqual([]);
      expect(seen.unhandled).toEqual([]);
    },
  );

  check(
    "an exception in a done callback is reported once and leaves the task's result alone",
    mode,
    `  const t = createTask((async () => { await sleep(0); return 7; })());\n` +
      `  t.addDoneCallback(() => { throw new Error("callback broke"); });\n  const v = await t;\n  await sleep(0);\n  return v;`,
    (seen) => {
      expect(seen.result).toBe(7);
      expect(seen.reports).toHaveLength(1);
      expect(seen.reports[0]).toMatch(/^Exception in callback .*: callback broke$/);
    },
  );

  check(
    "an exception thrown by a finally during cancellation replaces the CancelledError, as in JavaScript, and reaches the awaiter",
    mode,
    `  const t = createTask((async () => { try { await sleep(10); } finally { throw new Error("finally broke"); } })());\n` +
      `  await sleep(0);\n  t.cancel();\n  try { await t; return "no error"; } catch (e) { return (e instanceof CancelledError ? "cancelled " : "") + e.message; }`,
    (seen) => {
      expect(seen.result).toBe("finally broke");
      expect(seen.reports).toEqual([]);
    },
  );

  check(
    "an exception thrown by a finally during cancellation, with nobody awaiting, is reported once",
    mode,
    `  const t = createTask((async () => { try { await sleep(10); } finally { throw new Error("finally broke"); } })());\n` +
      `  await sleep(0);\n  t.cancel();\n  await sleep(1);\n  return t.cancelled();`,
    (seen) => {
      expect(seen.result).toBe(false);
      expect(seen.reports).toEqual(["Task exception was never retrieved: finally broke"]);
    },
  );

  check(
    "a native Promise rejected after the await on it was cancelled is no unhandled rejection and no report",
    mode,
    `  let reject;\n  const p = new Promise((_, r) => { reject = r; });\n` +
      `  const t = createTask((async () => { await p; })());\n  await sleep(0);\n  t.cancel();\n` +
      `  await t.catch(() => {});\n  reject(new Error("rejected too late"));\n  await sleep(0);\n  await sleep(0);\n  return t.cancelled();`,
    (seen) => {
      expect(seen.result).toBe(true);
      expect(seen.reports).toEqual([]);
      expect(seen.unhandled).toEqual([]);
    },
  );

  check(
    "a child given to a TaskGroup after the group ended is refused loudly and cannot fail unseen",
    mode,
    `  let group;\n  await new TaskGroup().run(async (tg) => { group = tg; });\n  const child = fails("late child");\n` +
      `  let refused = "";\n  try { group.createTask(child); } catch (e) { refused = e.name; }\n  await sleep(1);\n  return refused;`,
    (seen) => {
      expect(seen.result).toBe("RuntimeError");
      expect(seen.reports).toEqual([]);
      expect(seen.unhandled).toEqual([]);
    },
  );

  check(
    "a TaskGroup child that fails while the group runs reaches the group's AggregateError, not the handler",
    mode,
    `  try {\n    await new TaskGroup().run(async (tg) => { tg.createTask(fails("child")); tg.createTask(sleep(5)); });\n    return "no error";\n` +
      `  } catch (e) {\n    return e.constructor.name + " " + e.errors.map((x) => x.message).join();\n  }`,
    (seen) => {
      expect(seen.result).toBe("AggregateError child");
      expect(seen.reports).toEqual([]);
    },
  );
});

describe("eager mode, as a native Promise would be (host side)", () => {
  check("a task an eager call started and dropped is reported once when it fails", "eager", `  fails("dropped");\n  await sleep(1);\n  return "done";`, (seen) => {
    expect(seen.reports).toEqual(["Task exception was never retrieved: dropped"]);
  });

  // CONTRACT section 5: in eager mode a failed task nobody observes is also an unhandled
  // rejection to the host. The lead is adding that in parallel; it is not on this branch, so
  // this test is marked failing: when the merge brings it, Jest reports this test as passing
  // unexpectedly, and `.failing` must be removed.
  check(
    "a failed task nobody observes is one unhandled rejection to the host (CONTRACT section 5)",
    "eager",
    `  fails("dropped");\n  await sleep(1);\n  return "done";`,
    (seen) => {
      expect(seen.unhandled).toEqual(["dropped"]);
    },
  );
});

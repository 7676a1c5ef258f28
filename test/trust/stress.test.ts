/**
 * Stress and leaks, bounded (issue 10): every scenario of scripts/stress/scenarios.js at a small
 * scale, each in its own `node --expose-gc` process over the built dist/ (npm test builds first).
 * `npm run stress` runs the full sizes (a million tasks, a chain a million deep) and prints the
 * figures; here only the checks count: exact counts, no task left in allTasks(), no unhandled
 * rejection, nothing reported to the exception handler, sampled finished tasks collected (WeakRef),
 * heap back within a few MB. Throughput is printed by the script, never asserted.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

interface Row {
  name: string;
  n: number;
  problems: string[];
  expected?: unknown;
  actual?: unknown;
  sampled?: number;
  alive?: number;
}

let rows: Row[] = [];
beforeAll(() => {
  const child = spawnSync(process.execPath, ["scripts/stress.mjs", "--scale", "0.02", "--json"], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const last = child.stdout.trim().split("\n").at(-1) ?? "";
  if (!last.startsWith("[")) throw new Error(`scripts/stress.mjs printed no figures (exit ${child.status}):\n${child.stderr}`);
  rows = JSON.parse(last) as Row[];
}, 300_000);

const NAMES = ["million", "cancelWaiting", "mutualCancel", "cancelUncancel", "cancelInFinally", "groupSiblingFails", "deepChain", "deepCancel", "createCancelLoop"];

describe("stress and leaks at 2% of the full sizes", () => {
  for (const name of NAMES) {
    it(`${name}: exact counts, nothing left, nothing unobserved, nothing kept alive`, () => {
      const row = rows.find((r) => r.name === name);
      expect(row).toBeDefined();
      expect(row!.problems).toEqual([]);
      expect(row!.actual).toEqual(row!.expected);
    });
  }

  it("samples finished tasks for the WeakRef check in the scenarios that make many", () => {
    for (const name of ["million", "cancelWaiting", "createCancelLoop"]) {
      const row = rows.find((r) => r.name === name)!;
      expect(row.sampled).toBeGreaterThan(0);
      expect(row.alive).toBe(0);
    }
  });
});

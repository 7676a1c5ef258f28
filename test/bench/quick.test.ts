/**
 * The benchmark suite cannot rot: its smoke mode (every workload, tiny sizes, one repetition)
 * runs here against the built dist/ and must produce the table with every variant of every
 * workload, each measured or skipped for a reason the suite expects.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

interface Row {
  variant: string;
  label: string;
  skipped: string | null;
  median: number | null;
}
interface Result {
  workload: string;
  rows: Row[];
}

const ROOT = path.resolve(__dirname, "../..");
const WORKLOADS = ["chain", "fanout", "promise-await", "cancel", "memory", "deep", "transform"];
// Skips that are by design: an unbuilt compiler slot, co's missing cancellation, no python3.
const EXPECTED_SKIPS = /^(TypeScript transformer not built yet|co has no cancellation|python3 not found)$/;

test("npm run bench -- --smoke prints the table with every variant of every workload", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "corotask-bench-"));
  try {
    const json = path.join(dir, "results.json");
    const run = spawnSync(process.execPath, ["bench/run.mjs", "--smoke", `--json=${json}`], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 80_000,
    });
    expect(run.stderr).not.toMatch(/timed out/);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("| workload | variant | median |");
    expect(run.stdout).toMatch(/\d+ of \d+ targets met\./);

    const { results } = JSON.parse(readFileSync(json, "utf8")) as { results: Result[] };
    expect(results.map((r) => r.workload)).toEqual(WORKLOADS);
    for (const result of results) {
      const drivers = readFileSync(path.join(ROOT, "bench/workloads", result.workload, "driver.mjs"), "utf8");
      const declared = JSON.parse(/export const variants = (\[[^\]]*\])/.exec(drivers)![1]!) as string[];
      expect(result.rows.map((r) => r.variant)).toEqual(declared);
      for (const row of result.rows) {
        // Every row appears in the table, measured or skipped on purpose.
        expect(run.stdout).toContain(`| ${row.label} |`);
        if (row.skipped === null) expect(typeof row.median).toBe("number");
        else expect({ workload: result.workload, variant: row.variant, skipped: row.skipped }).toEqual(expect.objectContaining({ skipped: expect.stringMatching(EXPECTED_SKIPS) }));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);

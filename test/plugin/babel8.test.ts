/**
 * Babel 8: every fixture compiled with @babel/core 8 and the built plugin (`corotask/babel`, ESM
 * entry) must run to its trace.txt (or fail with its error.txt). Babel 8 is ESM-only, which Jest's
 * module registry cannot load on Node 20, so scripts/babel8-check.mjs runs them all in one child
 * process. It uses dist/: `npm test` builds first; after editing plugin/ or runtime/ by hand, run
 * `npm run build`.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

test("every fixture passes under Babel 8 (scripts/babel8-check.mjs)", () => {
  const child = spawnSync(process.execPath, ["scripts/babel8-check.mjs"], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 110_000,
    // Babel 8 declares Node 22; on Node 20.20 it works (see ECOSYSTEM-NOTES section 1).
    env: { ...process.env, NODE_NO_WARNINGS: "1" },
  });
  const report = `${child.stdout ?? ""}${child.stderr ?? ""}${child.error ? String(child.error) : ""}`;
  const summary = /babel8: (\d+) passed, (\d+) failed/.exec(child.stdout ?? "");
  // On failure, show the script's whole report (which fixtures, which lines differ).
  if (child.status !== 0 || !summary || summary[2] !== "0") throw new Error(`babel8-check failed (exit ${child.status}):\n${report}`);
  expect(Number(summary[1])).toBeGreaterThan(0);
}, 120_000);

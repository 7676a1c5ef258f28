/**
 * The fixtures through `corotask build`: every fixture compiled by one run of the real command
 * per mode (bin/corotask.js, from dist), each output then run by the shared runner.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { FIXTURES_DIR, type Fixture } from "../fixture-core.cjs";
import type { Pipeline } from "../pipelines.js";
import { asRunnable, ROOT, temporaryDir, traceFixturesByMode } from "./cli-loader-common.js";

let outDir: string | null = null;

/** Runs `corotask build FILES --out-dir DIR --mode M` once per mode, on first use. */
function buildAll(): string {
  if (outDir !== null) return outDir;
  const dir = temporaryDir("corotask-cli-fixtures-");
  for (const [mode, fixtures] of traceFixturesByMode()) {
    const files = fixtures.map((f) => path.relative(FIXTURES_DIR, f.inputFile));
    execFileSync(process.execPath, [path.join(ROOT, "bin/corotask.js"), "build", ...files, "--out-dir", path.join(dir, mode), "--mode", mode], {
      cwd: FIXTURES_DIR,
      stdio: ["ignore", "pipe", "pipe"],
    });
  }
  return (outDir = dir);
}

const OUTPUT_EXTENSION: Record<string, string> = { ".ts": ".js", ".tsx": ".jsx" };

export const cliPipeline: Pipeline = {
  name: "corotask build",
  compile(fixture: Fixture) {
    const mode = fixture.options.mode ?? "eager";
    const ext = path.extname(fixture.inputFile);
    const output = path.join(buildAll(), mode, fixture.id, `input${OUTPUT_EXTENSION[ext] ?? ext}`);
    return asRunnable(readFileSync(output, "utf8"), fixture);
  },
};

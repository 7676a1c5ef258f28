/**
 * The fixtures through `corotask/register`: one Node process per mode imports every fixture
 * under `--import corotask/register`, whose hooks compile each file into a fresh cache folder;
 * the pipeline reads each entry back (under the key the hook used) and runs it with the shared
 * runner. `.jsx` is skipped: Node has no JSX, and neither has the hook.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { cacheKey, compilerIdentity, readCacheEntry } from "../../../plugin/register/cache.js";
import { FIXTURES_DIR, type Fixture } from "../fixture-core.cjs";
import type { Pipeline } from "../pipelines.js";
import { asRunnable, ROOT, temporaryDir, traceFixturesByMode } from "./cli-loader-common.js";

let cacheDir: string | null = null;
let childErrors = "";

function loadAll(): string {
  if (cacheDir !== null) return cacheDir;
  const dir = temporaryDir("corotask-loader-fixtures-");
  for (const [mode, fixtures] of traceFixturesByMode()) {
    const files = fixtures.filter((f) => !f.inputFile.endsWith(".jsx")).map((f) => f.inputFile);
    try {
      execFileSync(process.execPath, ["--import", "corotask/register", path.join(__dirname, "loader-child.mjs"), ...files], {
        cwd: FIXTURES_DIR,
        env: { ...process.env, COROTASK_MODE: mode, COROTASK_CACHE_DIR: dir },
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (error) {
      childErrors += String((error as { stderr?: Buffer }).stderr ?? error);
    }
  }
  return (cacheDir = dir);
}

export const loaderPipeline: Pipeline = {
  name: "corotask/register",
  skip(fixture) {
    return fixture.inputFile.endsWith(".jsx") ? "the Node hook does not compile .jsx (Node runs no JSX)" : null;
  },
  compile(fixture: Fixture) {
    const dir = loadAll();
    const version = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;
    const compiler = compilerIdentity(version, path.join(ROOT, "dist/esm/plugin/compile-file.js"));
    const source = readFileSync(fixture.inputFile, "utf8");
    const key = cacheKey(source, { filename: fixture.inputFile, format: "module", mode: fixture.options.mode ?? "eager", runtime: "corotask", cwd: FIXTURES_DIR, compiler });
    const code = readCacheEntry(dir, key);
    if (code === null) throw new Error(`the hook left no cache entry for ${fixture.id}${childErrors ? `; the child process said:\n${childErrors}` : ""}`);
    return asRunnable(code, fixture);
  },
};

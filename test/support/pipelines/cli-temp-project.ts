/**
 * Temporary projects for the CLI and register tests: a folder in the OS temp directory whose
 * `node_modules/corotask` is a symlink to this worktree (so `corotask` and `corotask/register`
 * resolve to the build under test), and helpers that run Node in it as a child process.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT } from "./cli-loader-common.js";

export { ROOT };

/** The command under test. */
export const BIN = path.join(ROOT, "bin/corotask.js");

/** Throws unless dist/ is built: these tests run the built package, as a user would. */
export function requireBuild(): void {
  if (!existsSync(path.join(ROOT, "dist/esm/plugin/register/index.js"))) {
    throw new Error("dist/ is not built: run `npm run build` (npm test does) before these tests");
  }
}

/** A new project folder holding `files` (path -> contents), with corotask installed as a symlink. */
export function tempProject(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "corotask-project-"));
  mkdirSync(path.join(dir, "node_modules"));
  symlinkSync(ROOT, path.join(dir, "node_modules/corotask"), "dir");
  writeFiles(dir, files);
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
}

/** What a child run gave. */
export interface RunResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time of the run, in milliseconds. */
  readonly ms: number;
}

/** Runs `node ARGS` in `cwd` (COROTASK_* variables of the test process dropped, `env` added). */
export function runNode(args: readonly string[], cwd: string, env: Record<string, string> = {}): RunResult {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("COROTASK_") && k !== "NODE_OPTIONS"));
  const started = performance.now();
  const result: SpawnSyncReturns<string> = spawnSync(process.execPath, args, { cwd, env: { ...clean, ...env }, encoding: "utf8", timeout: 60_000 });
  if (result.error) throw result.error;
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr, ms: performance.now() - started };
}

/** Runs the `corotask` command. */
export function runCli(args: readonly string[], cwd: string, env: Record<string, string> = {}): RunResult {
  return runNode([BIN, ...args], cwd, env);
}

/** True when `text` has a stack frame from inside corotask (its dist or plugin sources). */
export function hasCorotaskFrame(text: string): boolean {
  return /^\s+at .*(\/dist\/(esm|cjs)\/|\/plugin\/|commander)/m.test(text);
}

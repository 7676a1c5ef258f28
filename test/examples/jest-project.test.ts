/**
 * examples/jest-project: Jest with babel-jest and the corotask Babel plugin, set up as docs/jest.md
 * says. It runs in a child Jest (the repo's binary) with its own config and cache directory, never
 * this suite's (swc) ones, against corotask installed into its node_modules as npm would install it.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.resolve(__dirname, "../..");
const project = path.join(root, "examples/jest-project");
const jestBin = path.join(root, "node_modules/jest/bin/jest.js");

/**
 * Puts the built package (npm test builds first) at DIR/node_modules/corotask: its package.json
 * and dist, as `npm install corotask` would. Not a symlink: Jest follows a link to its real path,
 * outside node_modules, and would then compile corotask's own files with the plugin.
 */
function installCorotask(dir: string): void {
  const target = path.join(dir, "node_modules/corotask");
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  cpSync(path.join(root, "package.json"), path.join(target, "package.json"));
  cpSync(path.join(root, "dist"), path.join(target, "dist"), { recursive: true });
}

interface AssertionResult {
  title: string;
  status: string;
  failureMessages: string[];
}

interface JestRun {
  exitCode: number | null;
  stderr: string;
  numPassedTests: number;
  numFailedTests: number;
  numTotalTests: number;
  assertions: AssertionResult[];
}

/** Runs Jest in `dir` with its own config and a fresh cache directory; resolves to its JSON report. */
function runJest(dir: string): Promise<JestRun> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "corotask-jest-project-"));
  const report = path.join(scratch, "report.json");
  const args = [jestBin, "--ci", "--no-watchman", "--config", path.join(dir, "jest.config.cjs"), "--cacheDirectory", path.join(scratch, "cache"), "--json", "--outputFile", report];
  // This suite's worker id would make the child believe it is a worker itself.
  const env = { ...process.env };
  delete env.JEST_WORKER_ID;
  env.FORCE_COLOR = "0";
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: dir, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (exitCode) => {
      clearTimeout(timer);
      try {
        const json = JSON.parse(readFileSync(report, "utf8")) as {
          numPassedTests: number;
          numFailedTests: number;
          numTotalTests: number;
          testResults: Array<{ assertionResults: AssertionResult[] }>;
        };
        resolve({ exitCode, stderr, ...json, assertions: json.testResults.flatMap((r) => r.assertionResults) });
      } catch (error) {
        reject(new Error(`Jest in ${dir} wrote no report (exit code ${exitCode}): ${String(error)}\nstderr:\n${stderr}`));
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    });
  });
}

// The failing variant is a copy of the project plus one wrong test. It lives under examples/.out
// (ignored by git) rather than the system's temp dir, so that Jest and the Babel presets resolve
// from the repo's node_modules as they do for the project itself.
const failing = path.join(root, `examples/.out/jest-project-failing-${process.pid}`);
let passingRun: Promise<JestRun>;
let failingRun: Promise<JestRun>;

beforeAll(() => {
  installCorotask(project);
  rmSync(failing, { recursive: true, force: true });
  cpSync(project, failing, { recursive: true, filter: (source) => !source.includes(`${path.sep}node_modules`) });
  installCorotask(failing);
  writeFileSync(
    path.join(failing, "src/wrong.test.ts"),
    `import { createTask, sleep } from "corotask";
import { loadReport } from "./report";

test("a wrong expectation about a cancelled task", async () => {
  const task = createTask(loadReport(9));
  await sleep(0);
  task.cancel();
  await task.catch(() => {});
  expect(task.cancelled()).toBe(false); // wrong on purpose
});
`,
  );
  // Both at once: each is a separate Jest with its own cache.
  passingRun = runJest(project);
  failingRun = runJest(failing);
  // Neither is left unhandled if a test below fails first.
  passingRun.catch(() => {});
  failingRun.catch(() => {});
});

afterAll(async () => {
  await Promise.allSettled([passingRun, failingRun]);
  rmSync(failing, { recursive: true, force: true });
});

test("the example project's tests pass under babel-jest with the corotask plugin: all 3 of them", async () => {
  const run = await passingRun;
  expect(run.assertions.map((a) => [a.title, a.status, a.failureMessages])).toEqual([
    ["cancel() throws CancelledError where the task waits, and its finally runs", "passed", []],
    ["getStack() lists every frame of the await chain at its original line", "passed", []],
    ["waitFor() cancels what runs past its deadline: 1 s of virtual time, no real waiting", "passed", []],
  ]);
  expect([run.numPassedTests, run.numFailedTests, run.numTotalTests]).toEqual([3, 0, 3]);
  expect(run.exitCode).toBe(0);
}, 60_000);

test("a failing assertion in the project fails its Jest run", async () => {
  const run = await failingRun;
  expect([run.numPassedTests, run.numFailedTests, run.numTotalTests]).toEqual([3, 1, 4]);
  const wrong = run.assertions.find((a) => a.title === "a wrong expectation about a cancelled task");
  expect(wrong?.status).toBe("failed");
  expect(wrong?.failureMessages.join("\n")).toMatch(/Expected: false\s+Received: true/);
  expect(run.exitCode).toBe(1);
}, 60_000);

test("the example project type-checks with its own tsconfig", () => {
  const tsc = spawnSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", path.join(project, "tsconfig.json")], { cwd: project, encoding: "utf8", timeout: 60_000 });
  expect(tsc.stdout + tsc.stderr).toBe("");
  expect(tsc.status).toBe(0);
}, 60_000);

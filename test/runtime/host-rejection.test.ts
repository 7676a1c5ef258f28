/**
 * An eager task that fails with nobody observing it is, to the host, what a native async
 * function's rejected Promise is: the same `unhandledRejection`/`rejectionHandled` events, the
 * same `--unhandled-rejections` behaviour and exit code. Each program runs natively and compiled
 * in child processes (Node's unhandled-rejection tracking is per process).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { compileFile } from "../../plugin/compile-file.js";

const ROOT = path.resolve(__dirname, "../..");
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "corotask-host-rejection-"));
  mkdirSync(path.join(dir, "node_modules"));
  symlinkSync(ROOT, path.join(dir, "node_modules", "corotask"), "dir");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runBoth(name: string, source: string, flags: string[]): { native: ReturnType<typeof spawnSync>; compiled: ReturnType<typeof spawnSync> } {
  const nativeFile = path.join(dir, `${name}.mjs`);
  const compiledFile = path.join(dir, `${name}.compiled.mjs`);
  writeFileSync(nativeFile, source);
  const out = compileFile(source, nativeFile, { cwd: dir });
  expect(out.changed).toBe(true);
  writeFileSync(compiledFile, out.code);
  const run = (file: string) => spawnSync(process.execPath, [...flags, file], { encoding: "utf8", cwd: dir, timeout: 20_000 });
  return { native: run(nativeFile), compiled: run(compiledFile) };
}

const programs: Record<string, string> = {
  "a failure nobody observes": `
    async function f() { throw new Error("boom"); }
    f();
  `,
  "events: unhandled at once, handled later, handled in time": `
    const log = [];
    process.on("unhandledRejection", (reason) => log.push("unhandledRejection " + reason.message));
    process.on("rejectionHandled", () => log.push("rejectionHandled"));
    async function later() { await null; throw new Error("late"); }
    async function now() { throw new Error("sync"); }
    const p = later();
    now().catch(() => log.push("caught at once"));
    setTimeout(() => p.catch(() => log.push("caught later")), 20);
    setTimeout(() => console.log(log.join("\\n")), 80);
  `,
  // Concurrent chains may interleave differently (ticks differ): the lines are printed sorted.
  "failures observed by await, Promise.all and catch": `
    const seen = [];
    async function inner() { await null; throw new Error("inner"); }
    async function outer() { try { await inner(); } catch (e) { seen.push("outer caught " + e.message); } }
    outer();
    async function viaAll() { await Promise.all([inner(), inner()]).catch((e) => seen.push("all caught " + e.message)); }
    viaAll();
    const t = inner();
    t.then(() => {}, (e) => seen.push("then caught " + e.message));
    setTimeout(() => console.log(seen.sort().join(" | ")), 50);
  `,
};

describe.each([[[]], [["--unhandled-rejections=warn"]], [["--unhandled-rejections=strict"]], [["--unhandled-rejections=none"]]])("node %j", (flags: string[]) => {
  for (const [name, source] of Object.entries(programs)) {
    test(`${name}: same output and exit code as native`, () => {
      const { native, compiled } = runBoth(name.replace(/\W+/g, "-"), source, flags);
      expect(compiled.stdout).toBe(native.stdout);
      expect(compiled.status).toBe(native.status);
    });
  }
});

test("the unobserved failure exits 1 by default, natively and compiled (the test can fail)", () => {
  const { native, compiled } = runBoth("exit-code", programs["a failure nobody observes"]!, []);
  expect(native.status).toBe(1);
  expect(compiled.status).toBe(1);
  expect(String(compiled.stderr)).toContain("Error: boom");
  // The loop's exception handler still gets asyncio's report.
  expect(String(compiled.stderr)).toContain("Task exception was never retrieved");
});

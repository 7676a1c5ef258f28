/**
 * The browser check of issue 11: the program of app.ts, compiled, bundled with the runtime by
 * esbuild and minified, run in headless Chromium: the printed stack keeps the frame that threw
 * and the string forms name Future and Task. Needs dist (npm test builds first) and a Chromium.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { chromium } from "playwright-core";
import { compileFile } from "../../plugin/compile-file.js";

const ROOT = join(__dirname, "../..");
const OUT = join(__dirname, ".out");
const RUNTIME = join(ROOT, "dist/esm/runtime/index.js");
const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((path) => existsSync(path));

if (CHROMIUM === undefined) {
  // Loud on purpose: the Node bundle tests (stack.test.ts) still run; this one needs a browser.
  console.warn("SKIPPED test/bundles/browser.test.ts: no Chromium found at /usr/bin/chromium (install the chromium package)");
}
const maybe = CHROMIUM === undefined ? describe.skip : describe;

maybe("a minified esbuild bundle in headless Chromium", () => {
  const checks: Record<string, unknown> = {};
  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    const entry = join(OUT, "browser-app.js");
    writeFileSync(entry, compileFile(readFileSync(join(__dirname, "app.ts"), "utf8"), "app.ts", { cwd: __dirname }).code);
    const result = await esbuild.build({ entryPoints: [entry], bundle: true, format: "iife", platform: "browser", minify: true, write: false, alias: { corotask: RUNTIME }, logLevel: "silent" });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage();
      const done = new Promise<void>((resolve) => {
        page.on("console", (message) => {
          const { label, value } = JSON.parse(message.text()) as { label: string; value: unknown };
          checks[label] = value;
          if (label === "handles") resolve();
        });
      });
      await page.setContent("<!doctype html><title>corotask</title>");
      await page.addScriptTag({ content: result.outputFiles[0]!.text });
      await done;
    } finally {
      await browser.close();
    }
  }, 60000);

  test("the printed stack keeps the frame that threw, then the awaiting coroutine", () => {
    const frames = (checks["loop"] as string).split("\n").slice(1);
    expect(frames[0]).toMatch(/^ {4}at inner \(/);
    expect(frames.slice(1)).toEqual(["    at async outer (app.ts:12:3)"]);
  });

  test("string forms and Symbol.toStringTag name Future and Task", () => {
    expect(checks["future"]).toEqual(["<Future finished result=42>", "[object Future]"]);
    expect(checks["task"]).toEqual(["<Task ", "[object Task]"]);
  });
});

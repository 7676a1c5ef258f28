/**
 * examples/browser as users run it (`npm run example:browser`): scripts/example-browser.mjs builds
 * it with Vite's JS API and the example's own vite.config.ts (the corotask/vite plugin from dist/:
 * `npm test` builds first) and serves the build with Vite's preview server on a free loopback
 * port; headless Chromium opens the page, which starts a task, prints its stack, cancels it and
 * marks `document.body.dataset.status`. The test reads the page's #log. Needs a Chromium.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { chromium } from "playwright-core";

const ROOT = path.resolve(__dirname, "../..");
const MAIN = path.join(ROOT, "examples/browser/main.ts");
const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((file) => existsSync(file));
// Bounds on each wait, not pauses: generous, as the machine may be busy.
const SERVE_TIMEOUT_MS = 30_000;
const PAGE_TIMEOUT_MS = 15_000;

if (CHROMIUM === undefined) {
  // Loud on purpose: the Vite build itself is still covered by test/plugin/bundlers.test.ts.
  console.warn("SKIPPED test/examples/browser.test.ts: no Chromium found at /usr/bin/chromium (install the chromium package)");
}
const maybe = CHROMIUM === undefined ? describe.skip : describe;

/** 1-based line of examples/browser/main.ts that contains `marker`. */
function lineOf(marker: string): number {
  const index = readFileSync(MAIN, "utf8").split("\n").findIndex((line) => line.includes(marker));
  if (index < 0) throw new Error(`examples/browser/main.ts has no line with ${JSON.stringify(marker)}`);
  return index + 1;
}

/** Starts the example's build-and-serve script; resolves to the address it serves at. */
function serveExample(child: ChildProcessWithoutNullStreams): Promise<string> {
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "serving ... at" line within ${SERVE_TIMEOUT_MS} ms:\n${output}`)), SERVE_TIMEOUT_MS);
    const read = (chunk: string) => {
      output += chunk;
      const url = /^serving examples\/browser at (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(output)?.[1];
      if (url !== undefined) {
        clearTimeout(timer);
        resolve(url);
      }
    };
    child.stdout.setEncoding("utf8").on("data", read);
    child.stderr.setEncoding("utf8").on("data", read);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`scripts/example-browser.mjs exited (${signal ?? code}) before serving:\n${output}`));
    });
  });
}

maybe("examples/browser built by Vite, in headless Chromium", () => {
  let server: ChildProcessWithoutNullStreams | undefined;
  let status: string | undefined;
  let log = "";
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = spawn(process.execPath, [path.join(ROOT, "scripts/example-browser.mjs"), "--port", "0"], { cwd: ROOT });
    const url = await serveExample(server);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage();
      page.on("pageerror", (error) => pageErrors.push(String(error)));
      await page.goto(url);
      // "done" or "failed": main.ts sets one when run(main) settles.
      await page
        .waitForFunction(() => document.body.dataset["status"], null, { timeout: PAGE_TIMEOUT_MS })
        .catch(async () => {
          throw new Error(`the page set no status within ${PAGE_TIMEOUT_MS} ms; its log:\n${await page.textContent("#log")}\npage errors: ${pageErrors.join("\n")}`);
        });
      status = await page.evaluate(() => document.body.dataset["status"]);
      log = (await page.textContent("#log")) ?? "";
    } finally {
      await browser.close();
    }
  }, 60_000);

  afterAll(async () => {
    if (server === undefined || server.exitCode !== null || server.signalCode !== null) return;
    const closed = new Promise((resolve) => server!.on("close", resolve));
    server.kill();
    await closed;
  });

  test("the page runs to the end without an error", () => {
    expect({ status, pageErrors }).toEqual({ status: "done", pageErrors: [] });
  });

  test("the page shows the stack of the waiting task with main.ts's own lines, then its cancellation, finally and CancelledError", () => {
    // Lines of the TypeScript source, not of the minified bundle: the transform records them.
    const loadReportLine = lineOf('const body = await download("/reports/2026.csv");');
    const downloadLine = lineOf("await sleep(30); // a slow response");
    expect(log).toBe(
      `Stack for <Task pending name='load-report' coro=<loadReport() running at main.ts:${loadReportLine}> wait_for=<Future pending>> (most recent call last):\n` +
        `  File "main.ts", line ${loadReportLine}, in loadReport\n` +
        `    const body = await download("/reports/2026.csv");\n` +
        `  File "main.ts", line ${downloadLine}, in download\n` +
        `    await sleep(30); // a slow response\n` +
        "cancel() -> true\n" +
        "download(/reports/2026.csv): finally ran, connection closed\n" +
        "the task ended with CancelledError: the user pressed stop\n" +
        "cancelled() -> true\n",
    );
  });
});

/**
 * examples/http-server.ts, run as users run it (scripts/http-server.mjs compiles it with the
 * corotask transform): a client that hangs up cancels its request's task, whose finally runs and
 * whose upstream fetch is aborted; a normal request is answered; a slow one gets the 504 of its
 * deadline. Every wait is for a log line or a response, bounded, never a fixed sleep.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync } from "node:fs";
import * as http from "node:http";
import * as path from "node:path";

const root = path.resolve(__dirname, "../..");
// A bound on each wait, not a pause: generous, as the machine may be busy.
const LINE_TIMEOUT_MS = 20_000;

/** One running example server and the lines it has logged. */
class ExampleServer {
  readonly lines: string[] = [];
  url = "";
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #exited: Promise<number | null>;
  #stderr = "";
  #closed = false;
  #waiters: Array<() => void> = [];

  /**
   * `script` is the runner, which compiles the example with the built plugin (npm test builds
   * first), or the compiled file it left, to start more servers without compiling again.
   */
  constructor(script: string, args: string[]) {
    this.#child = spawn(process.execPath, ["--enable-source-maps", script, ...args], { cwd: root });
    let partial = "";
    this.#child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop()!;
      this.lines.push(...parts);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.#child.stderr.setEncoding("utf8").on("data", (chunk: string) => (this.#stderr += chunk));
    // 'close', not 'exit': by then every line the process wrote has been read.
    this.#exited = new Promise((resolve) => this.#child.on("close", (code) => {
      this.#closed = true;
      resolve(code);
      for (const wake of this.#waiters.splice(0)) wake();
    }));
  }

  async start(): Promise<this> {
    const at = await this.waitForLine(/^\[server\] listening on http:\/\/127\.0\.0\.1:\d+ /);
    this.url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(this.lines[at]!)![1]!;
    return this;
  }

  get stderr(): string {
    return this.#stderr;
  }

  /**
   * The index of the first line, from `from` on, that is `expected` or matches it; rejects with
   * the whole log if none comes within a bounded wait.
   */
  async waitForLine(expected: string | RegExp, from = 0): Promise<number> {
    const matches = (line: string): boolean => (typeof expected === "string" ? line === expected : expected.test(line));
    const deadline = Date.now() + LINE_TIMEOUT_MS;
    for (;;) {
      const at = this.lines.findIndex((line, i) => i >= from && matches(line));
      if (at >= 0) return at;
      if (this.#closed || Date.now() > deadline) {
        throw new Error(`no line ${String(expected)} within ${LINE_TIMEOUT_MS} ms; the log:\n${this.lines.join("\n")}\nstderr:\n${this.#stderr}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now() + 1);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves to the exit code once the process has exited. */
  exited(): Promise<number | null> {
    return this.#exited;
  }

  /** Sends `signal` and resolves to the exit code (SIGKILL if it is still running after a bounded wait). */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    if (!this.#closed) this.#child.kill(signal);
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), LINE_TIMEOUT_MS);
    try {
      return await this.#exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

interface Reply {
  status: number;
  body: string;
}

function get(url: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    }).on("error", reject);
  });
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The name the server gave the request for `pathname`, read from its "acquired" line. */
async function requestName(server: ExampleServer, pathname: string): Promise<string> {
  const at = await server.waitForLine(new RegExp(`^\\[(request \\d+)\\] GET ${escape(pathname)}: connection \\d+ acquired$`));
  return /^\[(request \d+)\]/.exec(server.lines[at]!)![1]!;
}

/** The line a request's finally logs, with no connection left in use. */
const released = (name: string): RegExp => new RegExp(`^\\[${name}\\] finally: connection \\d+ released \\(0 in use\\)$`);

// Two servers, so that no test races a deadline: a patient one for the normal and the
// disconnected request, a hasty one for the request that must time out.
let patient: ExampleServer;
let hasty: ExampleServer;
let badPort: ExampleServer;
let badFlag: ExampleServer;

beforeAll(async () => {
  patient = await new ExampleServer(path.join(root, "scripts/http-server.mjs"), ["--deadline", "30"]).start();
  // The runner has written the compiled example (before running it): the others run that file.
  const compiled = path.join(root, "examples/.out/http-server.mjs");
  hasty = new ExampleServer(compiled, ["--deadline", "0.5"]);
  // Started now, checked in their own test.
  badPort = new ExampleServer(compiled, ["--port", "http"]);
  badFlag = new ExampleServer(compiled, ["--prot", "80"]);
  await hasty.start();
}, 60_000);

afterAll(async () => {
  await Promise.all([patient?.stop(), hasty?.stop(), badPort?.stop(), badFlag?.stop()]);
});

test("a normal request is answered with the upstream's reply, and its finally releases the connection", async () => {
  const reply = await get(`${patient.url}/normal?delay=0.01`);
  expect(reply).toEqual({ status: 200, body: "report for /normal?delay=0.01\n" });
  const name = await requestName(patient, "/normal?delay=0.01");
  const ok = await patient.waitForLine(`[${name}] 200 OK`);
  await patient.waitForLine(released(name), ok);
});

test("a client that disconnects mid-request cancels its task: the finally runs and the upstream fetch is aborted", async () => {
  const pathname = "/disconnect?delay=60";
  const client = http.get(`${patient.url}${pathname}`, { agent: false });
  const clientError = new Promise<Error>((resolve) => client.on("error", resolve));
  // Hang up only once the handler's fetch has reached the upstream: the task then waits on it.
  await patient.waitForLine(`[upstream] ${pathname}: answering in 60 s`);
  const name = await requestName(patient, pathname);
  client.destroy();
  expect((await clientError).message).toBe("socket hang up");

  const cancelled = await patient.waitForLine(`[${name}] cancelled: client went away`);
  // The finally runs after the cancellation and gives the connection back.
  await patient.waitForLine(released(name), cancelled);
  // The upstream saw its request close before it answered: the task's signal aborted the fetch.
  await patient.waitForLine(`[upstream] ${pathname}: the caller aborted its request`);
  expect(patient.lines.filter((line) => line.startsWith(`[${name}] `))).toEqual([
    expect.stringMatching(/ acquired$/),
    `[${name}] cancelled: client went away`,
    expect.stringMatching(released(name)),
  ]);
});

test("GET /tasks prints where each request's task waits, and which task awaits which", async () => {
  const pathname = "/pending?delay=60";
  const client = http.get(`${patient.url}${pathname}`, { agent: false });
  client.on("error", () => {}); // hung up below
  await patient.waitForLine(`[upstream] ${pathname}: answering in 60 s`);
  const name = await requestName(patient, pathname);
  const source = readFileSync(path.join(root, "examples/http-server.ts"), "utf8").split("\n");
  const lineOf = (text: string): number => source.findIndex((line) => line.includes(text)) + 1;
  const reply = await get(`${patient.url}/tasks`);
  client.destroy();
  expect(reply.status).toBe(200);
  expect(reply.body).toMatch(
    new RegExp(
      `\\* Task\\(name='Task-\\d+', id=0x[0-9a-f]+\\)\n` +
        `  \\+ Call stack:\n` +
        `  \\|   File 'examples/http-server\\.ts', line ${lineOf("const response = await fetch(")}, in async callUpstream\\(\\)\n` +
        `  \\+ Awaited by:\n` +
        `    \\* Task\\(name='${name}', id=0x[0-9a-f]+\\)\n` +
        `      \\+ Call stack:\n` +
        `      \\|   File 'examples/http-server\\.ts', line ${lineOf("const body = await waitFor(")}, in async handleRequest\\(\\)\n`,
    ),
  );
  await patient.waitForLine(released(name));
});

test("a request past its deadline gets a 504, its finally runs, and its upstream fetch is aborted", async () => {
  const pathname = "/late?delay=60";
  const reply = await get(`${hasty.url}${pathname}`);
  expect(reply).toEqual({ status: 504, body: "The upstream did not answer within 0.5 s\n" });
  const name = await requestName(hasty, pathname);
  const timedOut = await hasty.waitForLine(`[${name}] 504: the deadline of 0.5 s passed`);
  await hasty.waitForLine(released(name), timedOut);
  await hasty.waitForLine(`[upstream] ${pathname}: the caller aborted its request`);
});

test("SIGTERM cancels the requests in flight, which answer 503, and the server exits with 0", async () => {
  const pathname = "/shutdown?delay=60";
  const reply = get(`${hasty.url}${pathname}`);
  await hasty.waitForLine(`[upstream] ${pathname}: answering in 60 s`);
  const name = await requestName(hasty, pathname);
  const exitCode = hasty.stop("SIGTERM");
  expect(await reply).toEqual({ status: 503, body: "The request was cancelled: server shutting down\n" });
  expect(await exitCode).toBe(0);
  const closing = await hasty.waitForLine("[server] SIGTERM: closing; requests in flight to cancel: 1");
  const cancelled = await hasty.waitForLine(`[${name}] cancelled: server shutting down`, closing);
  await hasty.waitForLine(released(name), cancelled);
  expect(hasty.stderr).toBe("");
});

test("a bad port or an unknown flag is refused with one clear message, and exit code 2", async () => {
  expect(await badPort.exited()).toBe(2);
  expect(badPort.stderr).toBe(
    "--port must be a port number from 0 to 65535; received 'http'\n" +
      "Usage: node scripts/http-server.mjs [--port N] [--upstream-port N] [--deadline SECONDS]\n",
  );
  expect(await badFlag.exited()).toBe(2);
  expect(badFlag.stderr).toBe("Unknown option '--prot'\nUsage: node scripts/http-server.mjs [--port N] [--upstream-port N] [--deadline SECONDS]\n");
});

test("the example type-checks under strict, as users will compile it", () => {
  // The repo's tsconfig covers runtime/, plugin/ and test/; this is the example's own check.
  const args = ["--ignoreConfig", "--noEmit", "--strict", "--noUnusedLocals", "--noUnusedParameters", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext", "--types", "node", "--skipLibCheck", "examples/http-server.ts"];
  const tsc = spawnSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });
  expect(tsc.stdout + tsc.stderr).toBe("");
  expect(tsc.status).toBe(0);
}, 60_000);

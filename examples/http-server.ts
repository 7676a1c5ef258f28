// corotask example: an HTTP server whose request handlers are cancellable tasks.
//
// Every request runs as a corotask Task. When the client disconnects before its response is
// done, the task is cancelled: CancelledError is thrown at the await where it waits, its
// `finally` gives back what it holds, and its outgoing fetch is aborted through the task's
// AbortSignal. Each request also has a deadline (waitFor): past it, the client gets a 504.
// A second server in the same process plays the slow upstream the handlers call.
//
//   npm run build && node scripts/http-server.mjs [--port 8080] [--upstream-port 8081] [--deadline 2]
//   curl 'http://127.0.0.1:8080/report?delay=0.5'     # the upstream answers after 0.5 s
//   curl 'http://127.0.0.1:8080/tasks'                # where every request's task waits
//
// Ports default to 0 (any free port); PORT, UPSTREAM_PORT and DEADLINE work as well.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { CancelledError, TimeoutError, createTask, currentTask, printCallGraph, waitFor, type Task } from "corotask";

const args = parseCommandLine();
const port = parsePort("--port", args.port);
const upstreamPort = parsePort("--upstream-port", args["upstream-port"]);
const deadline = Number(args.deadline);
if (!(deadline > 0)) usage(`--deadline must be a number of seconds above 0; received '${args.deadline}'`);

function log(who: string, message: string): void {
  console.log(`[${who}] ${message}`);
}

/** A stand-in for a pooled resource (a database connection, a file handle): what `finally` must give back. */
const pool = {
  inUse: 0,
  lastId: 0,
  acquire(): number {
    this.inUse++;
    return ++this.lastId;
  },
  release(): void {
    this.inUse--;
  },
};

let upstreamUrl = "";

async function handleRequest(who: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const connection = pool.acquire();
  log(who, `${req.method} ${req.url}: connection ${connection} acquired`);
  try {
    const body = await waitFor(callUpstream(req.url ?? "/"), deadline);
    res.writeHead(200, { "content-type": "text/plain" }).end(body);
    log(who, "200 OK");
  } catch (error) {
    if (error instanceof TimeoutError) {
      res.writeHead(504, { "content-type": "text/plain" }).end(`The upstream did not answer within ${deadline} s\n`);
      log(who, `504: the deadline of ${deadline} s passed`);
    } else if (error instanceof CancelledError) {
      log(who, `cancelled: ${error.message}`);
      // A client that left gets nothing; one still there (the server is shutting down) gets a 503.
      if (!res.destroyed) res.writeHead(503, { "content-type": "text/plain" }).end(`The request was cancelled: ${error.message}\n`);
      throw error; // a cancelled task should end cancelled, as in asyncio
    } else {
      res.writeHead(502, { "content-type": "text/plain" }).end(`The upstream failed: ${String(error)}\n`);
      log(who, `502: ${String(error)}`);
    }
  } finally {
    pool.release();
    log(who, `finally: connection ${connection} released (${pool.inUse} in use)`);
  }
}

async function callUpstream(path: string): Promise<string> {
  // waitFor runs this call as a task of its own and cancels it on the deadline, or when the
  // request's task is cancelled; either way its signal aborts, and with it the fetch. (Not the
  // request task's signal: waitFor's deadline cancels the task that awaits, so that signal
  // would stay aborted after a 504.)
  const { signal } = currentTask()!;
  const response = await fetch(new URL(path, upstreamUrl), { signal });
  return await response.text();
}

// Client disconnects cancel the request's task; SIGINT/SIGTERM cancel all of them.
const inFlight = new Set<Task<void>>();
let requestCount = 0;

const server = http.createServer((req, res) => {
  if (req.url === "/tasks") {
    // Where every task waits, and who waits for whom: one line of corotask.
    printCallGraph(null, { file: res.writeHead(200, { "content-type": "text/plain" }) });
    res.end();
    return;
  }
  const name = `request ${++requestCount}`;
  // createTask works in both modes: in eager mode (the default) the call already is a Task.
  const task = createTask(handleRequest(name, req, res), { name });
  inFlight.add(task);
  task.addDoneCallback(() => inFlight.delete(task));
  // 'close' also follows a response that was sent; only an unfinished one means the client left.
  res.on("close", () => {
    if (!res.writableFinished) task.cancel("client went away");
  });
});

/** The slow service the handlers call: answers after `?delay=` seconds (default 0.1). */
const upstream = http.createServer((req, res) => {
  const delay = Number(new URL(req.url ?? "/", "http://upstream").searchParams.get("delay") ?? 0.1);
  log("upstream", `${req.url}: answering in ${delay} s`);
  const timer = setTimeout(() => res.end(`report for ${req.url}\n`), delay * 1000);
  res.on("close", () => {
    if (res.writableFinished) return;
    clearTimeout(timer);
    log("upstream", `${req.url}: the caller aborted its request`);
  });
});

function listen(target: http.Server, onPort: number): Promise<number> {
  return new Promise((resolve, reject) => {
    target.once("error", reject);
    target.listen(onPort, "127.0.0.1", () => resolve((target.address() as AddressInfo).port));
  });
}

const upstreamBound = await listen(upstream, upstreamPort).catch((error: Error) => usage(`${error.message}; pick another port`));
upstreamUrl = `http://127.0.0.1:${upstreamBound}`;
const bound = await listen(server, port).catch((error: Error) => usage(`${error.message}; pick another port`));
log("server", `listening on http://127.0.0.1:${bound} (upstream ${upstreamUrl}, deadline ${deadline} s)`);

for (const name of ["SIGINT", "SIGTERM"] as const) {
  process.once(name, () => {
    log("server", `${name}: closing; requests in flight to cancel: ${inFlight.size}`);
    for (const task of inFlight) task.cancel("server shutting down");
    server.close();
    upstream.close();
    upstream.closeAllConnections();
  });
}

function parseCommandLine() {
  try {
    return parseArgs({
      options: {
        port: { type: "string", default: process.env.PORT ?? "0" },
        "upstream-port": { type: "string", default: process.env.UPSTREAM_PORT ?? "0" },
        deadline: { type: "string", default: process.env.DEADLINE ?? "2" },
      },
    }).values;
  } catch (error) {
    return usage((error as Error).message); // an unknown flag or a missing value
  }
}

function parsePort(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) usage(`${flag} must be a port number from 0 to 65535; received '${value}'`);
  return n;
}

function usage(problem: string): never {
  console.error(`${problem}\nUsage: node scripts/http-server.mjs [--port N] [--upstream-port N] [--deadline SECONDS]`);
  process.exit(2);
}

/**
 * `corotask ps PID`: asks a process running under the hook for the call graph of every event
 * loop (SIGUSR2, answered in its dump file; see register/dump-channel.ts) and prints it.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { channelDir, dumpFile, markerFile, processStartTime, type Marker } from "../register/dump-channel.js";
import { CliError } from "./cli-error.js";

/** How often the dump file is looked for while waiting. */
const POLL_MS = 20;

/** Options of {@link psProcess}. */
export interface PsOptions {
  /** Seconds to wait for the answer. */
  readonly timeout: number;
}

/** Resolves to the dump text of process `pidText`. */
export async function psProcess(pidText: string, options: PsOptions): Promise<string> {
  if (!/^[1-9]\d*$/.test(pidText)) throw new CliError(`The pid must be a positive whole number, received ${JSON.stringify(pidText)}`);
  const pid = Number(pidText);
  try {
    process.kill(pid, 0);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "EPERM") throw new CliError(`Not allowed to signal process ${pid}: it belongs to another user; run corotask ps as that user`);
    throw new CliError(`No process with pid ${pid} is running`);
  }
  pruneMarkers();
  const marker = readMarker(pid);
  // Without a marker, SIGUSR2 would end the process (its default action): refuse rather than kill it.
  if (marker === null) {
    throw new CliError(
      `Process ${pid} is not a corotask process (no marker ${markerFile(pid)}); start it with \`corotask run FILE\` or \`node --import corotask/register FILE\``,
    );
  }
  const started = processStartTime(pid);
  if (marker.startTime !== null && started !== null && marker.startTime !== started) {
    throw new CliError(`Process ${pid} is not the corotask process that left ${markerFile(pid)} (that one has ended and its pid was reused)`);
  }
  const file = dumpFile(pid);
  rmSync(file, { force: true });
  process.kill(pid, "SIGUSR2");
  const deadline = Date.now() + options.timeout * 1000;
  while (Date.now() < deadline) {
    if (existsSync(file)) {
      const text = readFileSync(file, "utf8");
      rmSync(file, { force: true });
      return text;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new CliError(
    `Process ${pid} did not answer within ${options.timeout} s; it may be busy in synchronous code (a signal handler runs only when the event loop turns). Try a longer --timeout`,
  );
}

/** Removes the markers of processes that ended without removing theirs (killed by a signal). */
function pruneMarkers(): void {
  let names: string[];
  try {
    names = readdirSync(channelDir());
  } catch {
    return;
  }
  for (const name of names) {
    const match = /^(\d+)\.json$/.exec(name);
    if (match === null) continue;
    try {
      process.kill(Number(match[1]), 0);
    } catch (error) {
      if ((error as { code?: unknown }).code === "ESRCH") rmSync(path.join(channelDir(), name), { force: true });
    }
  }
}

function readMarker(pid: number): Marker | null {
  try {
    return JSON.parse(readFileSync(markerFile(pid), "utf8")) as Marker;
  } catch {
    return null;
  }
}

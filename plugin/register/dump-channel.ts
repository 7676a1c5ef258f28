/**
 * The channel between `corotask ps PID` and a process running under the hook: the process
 * leaves a marker file named by its pid (so that ps never sends SIGUSR2 to a process that would
 * die of it), and answers SIGUSR2 by writing its call-graph dump to a file named by its pid,
 * all in one folder of the OS temp directory.
 */
import { readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The folder of markers and dumps, one per user. */
export function channelDir(): string {
  return path.join(os.tmpdir(), `corotask-ps-${os.userInfo().uid}`);
}

/** The marker a hooked process leaves while it runs. */
export function markerFile(pid: number): string {
  return path.join(channelDir(), `${pid}.json`);
}

/** The dump a hooked process writes on SIGUSR2. */
export function dumpFile(pid: number): string {
  return path.join(channelDir(), `${pid}.graph.txt`);
}

/** What a marker holds. */
export interface Marker {
  readonly pid: number;
  /** The process's start time as the kernel counts it (Linux), to tell a reused pid; null elsewhere. */
  readonly startTime: string | null;
  readonly argv: readonly string[];
}

/**
 * A process's start time from /proc (field 22 of /proc/PID/stat), or null where there is no
 * /proc: with the pid, it names one process for good, while a pid alone may be reused.
 */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ..." where comm may hold spaces and parentheses: fields after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

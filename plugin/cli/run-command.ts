/**
 * `corotask run FILE [ARGS...]`: runs FILE in a child Node process under the hook, so that it
 * gets Node's own semantics (require.main, process.argv, exit codes) with every local file
 * compiled; forwards signals, and exits as the program did.
 */
import { spawn } from "node:child_process";
import { existsSync, rmSync, statSync } from "node:fs";
import * as path from "node:path";
import type { Mode } from "../options.js";
import { markerFile } from "../register/dump-channel.js";
import { PS_ALIAS_VARIABLE, writeMarker } from "../register/introspection.js";
import { pluginModuleUrl } from "../register/package-paths.js";
import { CliError } from "./cli-error.js";

/** Options of {@link runFile}. */
export interface RunOptions {
  readonly mode?: Mode;
}

/** Signals a wrapper passes on; SIGINT is not among them: a terminal sends it to the child too. */
const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ["SIGTERM", "SIGHUP", "SIGUSR2"];

/** Runs `file` with `args`; resolves never (the process exits with the program's code). */
export function runFile(file: string, args: readonly string[], options: RunOptions): Promise<never> {
  const absolute = path.resolve(file);
  if (!existsSync(absolute)) throw new CliError(`Cannot find the file to run, ${JSON.stringify(file)} (looked for ${absolute}); check the path`);
  if (statSync(absolute).isDirectory()) throw new CliError(`${JSON.stringify(file)} is a folder; give the file to run, e.g. ${path.join(file, "index.ts")}`);
  const env: NodeJS.ProcessEnv = { ...process.env, [PS_ALIAS_VARIABLE]: String(process.pid) };
  if (options.mode !== undefined) env.COROTASK_MODE = options.mode;
  const child = spawn(process.execPath, ["--import", pluginModuleUrl("register/index.js").href, absolute, ...args], { stdio: "inherit", env });
  // `corotask ps` on this pid: the child answers for it (PS_ALIAS_VARIABLE) once SIGUSR2 is passed on.
  writeMarker(process.pid);
  const forward = (signal: NodeJS.Signals) => () => void child.kill(signal);
  const handlers = FORWARDED_SIGNALS.map((signal) => [signal, forward(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  // The child gets the terminal's Ctrl-C itself; the wrapper waits for it to end.
  const ignoreInterrupt = () => {};
  process.on("SIGINT", ignoreInterrupt);
  return new Promise<never>((_, reject) => {
    child.on("error", (error) => reject(new CliError(`Cannot start Node (${process.execPath}): ${error.message}`)));
    child.on("exit", (code, signal) => {
      for (const [name, handler] of handlers) process.off(name, handler);
      process.off("SIGINT", ignoreInterrupt);
      // Ended by a signal: end the same way, as a shell would see it.
      if (signal !== null) {
        rmSync(markerFile(process.pid), { force: true });
        process.kill(process.pid, signal);
      }
      else process.exit(code ?? 1);
    });
  });
}

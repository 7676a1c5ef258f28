/**
 * The `corotask` command: `run`, `build` and `ps`, parsed with commander. Every user mistake
 * (a bad flag, a missing file, a bad option value, a syntax error) ends as one message on stderr
 * and a non-zero exit code, never a stack trace from inside corotask.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { OptionsError, validateOptions, type Mode } from "../options.js";
import { VERSION } from "../register/package-paths.js";
import { CliError } from "./cli-error.js";

/** `--mode`, checked by the shared validation so that the message is the one every integration gives. */
function parseMode(value: string): Mode {
  try {
    return validateOptions({ mode: value }).mode;
  } catch (error) {
    if (error instanceof OptionsError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}

function parseRuntime(value: string): string {
  try {
    return validateOptions({ runtime: value }).runtime;
  } catch (error) {
    if (error instanceof OptionsError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InvalidArgumentError(`a number of seconds above 0 is needed, received ${JSON.stringify(value)}`);
  return seconds;
}

function modeOption(): Option {
  return new Option("--mode <mode>", 'call mode of compiled async functions: "eager" (default) or "lazy"').argParser(parseMode);
}

/** The program, for {@link main}. */
export function createProgram(): Command {
  const program = new Command("corotask")
    .description("Cancellable async functions for TypeScript and JavaScript: Python asyncio's task model")
    .version(VERSION, "-v, --version", "print the corotask version")
    .enablePositionalOptions()
    .showHelpAfterError("(run corotask --help for usage)");

  program
    .command("run")
    .description("run FILE (TS or JS, ESM or CommonJS) with it and its local imports compiled; SIGUSR2 prints every task's call graph")
    .addOption(modeOption())
    .argument("<file>", "the program: .ts, .mts, .cts, .tsx, .js, .mjs or .cjs")
    .argument("[args...]", "arguments passed to the program")
    .passThroughOptions()
    .action(async (file: string, args: string[], opts: { mode?: Mode }) => {
      // Each command's module is loaded by its action: `run` must not pay for Babel, which build loads.
      const { runFile } = await import("./run-command.js");
      await runFile(file, args, { mode: opts.mode });
    });

  program
    .command("build")
    .description("write the compiled JavaScript of files and folders, with source maps, keeping the folder structure")
    .argument("<src...>", "files and folders to compile")
    .requiredOption("-d, --out-dir <dir>", "folder to write into")
    .addOption(modeOption())
    .addOption(new Option("--runtime <specifier>", 'module the emitted code imports its helpers from (default "corotask")').argParser(parseRuntime))
    .action(async (sources: string[], opts: { outDir: string; mode?: Mode; runtime?: string }) => {
      const { buildFiles } = await import("./build-command.js");
      const summary = buildFiles(sources, opts);
      for (const error of summary.errors) process.stderr.write(`${error.message}\n\n`);
      const failed = summary.errors.length === 0 ? "" : `, ${summary.errors.length} failed`;
      const files = `${summary.written} file${summary.written === 1 ? "" : "s"}`;
      process.stdout.write(`corotask: compiled ${files} (${summary.unchanged} without async functions, copied)${failed} to ${opts.outDir} in ${summary.seconds.toFixed(2)} s\n`);
      if (summary.errors.length > 0) process.exitCode = 1;
    });

  program
    .command("ps")
    .description("print the call graph of every event loop of a running corotask process")
    .argument("<pid>", "the process: started by `corotask run` or `node --import corotask/register`")
    .addOption(new Option("--timeout <seconds>", "how long to wait for the answer").default(5).argParser(parseSeconds))
    .action(async (pid: string, opts: { timeout: number }) => {
      const { psProcess } = await import("./ps-command.js");
      process.stdout.write(await psProcess(pid, opts));
    });

  return program;
}

/** Runs the command line `argv` (process.argv's shape); exits non-zero with one message for a user's mistake. */
export async function main(argv: readonly string[] = process.argv): Promise<void> {
  const program = createProgram();
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`corotask: ${error.message}\n`);
      process.exit(error.exitCode);
    }
    if (error instanceof CommanderError) process.exit(error.exitCode);
    throw error;
  }
}

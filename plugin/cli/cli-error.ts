/** The CLI's one kind of failure: a user's mistake, reported as its message alone (no stack) with an exit code. */
export class CliError extends Error {
  /** The process exit code. */
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}
CliError.prototype.name = "CliError";

/** Runs a fixture program through a pipeline and returns its trace: the lines its `main(log)` logged. */
import * as runtime from "../../runtime/index.js";
import type { Fixture } from "./load-fixtures.js";
import { executeProgram, type Pipeline } from "./pipelines.js";

function format(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === "function") return `[function ${value.name}]`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Compiles and runs `fixture` (its `main(log)` export) on a virtual-time loop; returns the
 * trace text, ending with `result: ...` or `error: ...` for how main ended.
 */
export async function runTrace(pipeline: Pipeline, fixture: Fixture): Promise<string> {
  const code = pipeline.compile(fixture);
  const lines: string[] = [];
  const timed = fixture.options.timed === true;
  const log = (...values: unknown[]) => {
    const text = values.map(format).join(" ");
    if (timed) {
      let time = 0;
      try {
        time = runtime.getRunningLoop().time();
      } catch {
        time = 0;
      }
      lines.push(`t=${time.toFixed(3)} ${text}`);
    } else {
      lines.push(text);
    }
  };
  const exports = executeProgram(code, { corotask: runtime }, fixture.id);
  const main = exports.main as ((log: unknown) => unknown) | undefined;
  if (typeof main !== "function") throw new Error(`fixture ${fixture.id} does not export a main function`);
  try {
    const result = pipeline.name === "native" ? await main(log) : await runtime.run(() => main(log) as never, { virtualTime: true });
    lines.push(`result: ${format(result)}`);
  } catch (error) {
    lines.push(`error: ${format(error)}`);
  }
  return lines.join("\n") + "\n";
}

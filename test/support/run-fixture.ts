/** Runs a fixture program through a pipeline and returns its trace: the lines its `main(log)` logged. */
import * as runtime from "../../runtime/index.js";
import type { Fixture } from "./load-fixtures.js";
import type { Pipeline } from "./pipelines.js";
import { runCompiled, type FixtureRuntime } from "./fixture-core.cjs";

/**
 * Compiles and runs `fixture` (its `main(log)` export) on a virtual-time loop (natively for the
 * native pipeline); returns the trace text, ending with `result: ...` or `error: ...` for how main
 * ended. The running itself is fixture-core.cjs's, shared with scripts/babel8-check.mjs.
 */
export async function runTrace(pipeline: Pipeline, fixture: Fixture): Promise<string> {
  const code = pipeline.compile(fixture);
  return runCompiled(code, fixture, runtime as unknown as FixtureRuntime, { native: pipeline.name === "native" });
}

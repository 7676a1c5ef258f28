// A fuzzing worker (a child process of fuzz.mjs): generates the programs it is sent, runs each
// natively and through every selected pipeline, and shrinks what mismatches. Many programs per
// process; the parent kills and replaces a worker that stops answering.
import { generateProgram } from "./generate.mjs";
import { programSeed } from "./random.mjs";
import { compileProgram, loadRuntime, nativeCommonJs, selectPipelines } from "./pipelines.mjs";
import { outcomeText, runProgram } from "./execute.mjs";
import { shrink } from "./shrink.mjs";

const runtime = loadRuntime();
const FILENAME = "/fuzz/input.js";

/** Native outcome, or null when the program is not a valid test (a generator bug, reported). */
async function nativeOutcome(source, timeoutMs) {
  let code;
  try {
    code = nativeCommonJs(source);
  } catch {
    return null;
  }
  return runProgram(code, runtime, { native: true, timeoutMs });
}

async function compiledOutcome(pipeline, source, mode, timeoutMs) {
  let code;
  try {
    code = compileProgram(pipeline, source, { mode, filename: FILENAME });
  } catch (error) {
    return { text: `compile error: ${String(error?.message ?? error).split("\n")[0]}\n`, timedOut: false };
  }
  const outcome = await runProgram(code, runtime, { native: false, timeoutMs });
  return { text: outcomeText(outcome), timedOut: outcome.timedOut };
}

/** The difference of `pipeline` in `mode` from native for `source`, or null when they agree. */
async function compare(pipeline, source, mode, timeoutMs) {
  const native = await nativeOutcome(source, timeoutMs);
  if (!native || native.timedOut || native.trace.startsWith("module error:")) return null;
  const nativeText = outcomeText(native);
  const compiled = await compiledOutcome(pipeline, source, mode, timeoutMs);
  if (compiled.text === nativeText) return null;
  return { native: nativeText, compiled: compiled.text, nativeTrace: native.trace, timedOut: compiled.timedOut };
}

/** The first line of `compiled` that differs from `native` (or "(end)"). */
function firstDifference(native, compiled) {
  const a = native.split("\n");
  const b = compiled.split("\n");
  let i = 0;
  while (i < b.length && a[i] === b[i]) i++;
  return i < b.length ? b[i] : "(end)";
}

async function fuzzOne({ seed, index, mode, pipelines: names, shrinkBudget, timeoutMs, avoid }) {
  const { source, features } = generateProgram(programSeed(seed, index), { mode, avoid });
  const native = await nativeOutcome(source, timeoutMs);
  if (native.timedOut || native.trace.startsWith("module error:")) {
    // The generator promises terminating, valid programs: this is its bug, not the transform's.
    return { index, mode, features, invalid: native.trace.trim(), source, mismatches: [] };
  }
  const nativeText = outcomeText(native);
  const mismatches = [];
  for (const pipeline of selectPipelines(names)) {
    const compiled = await compiledOutcome(pipeline, source, mode, timeoutMs);
    if (compiled.text === nativeText) continue;
    const mismatch = { pipeline: pipeline.name, source, native: nativeText, compiled: compiled.text };
    if (shrinkBudget > 0) {
      // A shrunk program must still mismatch, and time out only if the original did.
      // It must not print a function's source (Babel reprints every function, async or not)
      // or meet a ReferenceError the original did not (a removed declaration still in use).
      const drifted = (text) => /function |=>/.test(text) || (/ReferenceError/.test(text) && !/ReferenceError/.test(nativeText));
      // And it must keep the same first wrong line (line labels are unique), so that shrinking
      // keeps this bug rather than wandering to another difference.
      const signature = firstDifference(nativeText, compiled.text);
      const fails = async (candidate) => {
        const d = await compare(pipeline, candidate, mode, Math.min(timeoutMs, 2000));
        return d !== null && d.timedOut === compiled.timedOut && !drifted(d.native) && !drifted(d.compiled) && firstDifference(d.native, d.compiled) === signature;
      };
      const shrunk = await shrink(source, fails, { budget: shrinkBudget, onProgress: () => process.send({ type: "alive" }) });
      const final = await compare(pipeline, shrunk.source, mode, timeoutMs);
      Object.assign(mismatch, { shrunk: shrunk.source, shrinkTries: shrunk.tries, shrunkNative: final?.native, shrunkNativeTrace: final?.nativeTrace, shrunkCompiled: final?.compiled });
    }
    mismatches.push(mismatch);
  }
  return { index, mode, features, lines: native.trace.split("\n").length - 1, mismatches };
}

process.on("message", async (job) => {
  if (job.type !== "run") return;
  const result = await fuzzOne(job);
  process.send({ type: "result", result });
});
process.send({ type: "ready" });

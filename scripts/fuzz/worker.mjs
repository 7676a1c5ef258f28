// A fuzzing worker (a child process of fuzz.mjs): generates the programs it is sent, runs each
// natively and through every selected pipeline, and shrinks what mismatches. Many programs per
// process; the parent kills and replaces a worker that stops answering.
import { generateProgram } from "./generate.mjs";
import { programSeed } from "./random.mjs";
import { compileProgram, loadRuntime, nativeCommonJs, selectPipelines } from "./pipelines.mjs";
import { fullCollections, outcomeText, runProgram } from "./execute.mjs";
import { shrink } from "./shrink.mjs";

const runtime = loadRuntime();
const FILENAME = "/fuzz/input.js";

/** Native outcome, or null when the program is not a valid test (a generator bug, reported). */
async function nativeOutcome(source, timeoutMs, fullGc) {
  let code;
  try {
    code = nativeCommonJs(source);
  } catch {
    return null;
  }
  return runProgram(code, runtime, { native: true, timeoutMs, fullGc });
}

async function compiledOutcome(pipeline, source, mode, timeoutMs, fullGc) {
  let code;
  try {
    code = compileProgram(pipeline, source, { mode, filename: FILENAME });
  } catch (error) {
    if (error?.unparsable === true) return { skipped: String(error.message).split("\n")[0] };
    return { text: `compile error: ${String(error?.message ?? error).split("\n")[0]}\n`, timedOut: false };
  }
  const outcome = await runProgram(code, runtime, { native: false, timeoutMs, fullGc });
  return { text: outcomeText(outcome), timedOut: outcome.timedOut };
}

/**
 * The difference of `pipeline` in `mode` from native for `source`, or null when they agree; each
 * run ends with a full collection, so that a GC-time report is this program's.
 */
async function compare(pipeline, source, mode, timeoutMs) {
  const native = await nativeOutcome(source, timeoutMs, true);
  if (!native || native.timedOut || native.trace.startsWith("module error:")) return null;
  const nativeText = outcomeText(native);
  const compiled = await compiledOutcome(pipeline, source, mode, timeoutMs, true);
  if (compiled.skipped !== undefined || compiled.text === nativeText) return null;
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

/**
 * The mismatch of `pipeline` on `source`, shrunk when `shrinkBudget` allows: a shrunk program must
 * still mismatch, time out only if the original did, and keep the same first wrong line.
 */
async function describeMismatch(pipeline, source, mode, { nativeText, compiled, shrinkBudget, timeoutMs }) {
  const mismatch = { pipeline: pipeline.name, source, native: nativeText, compiled: compiled.text };
  if (shrinkBudget > 0) {
    // It must not print a function's source (Babel reprints every function, async or not)
    // or meet a ReferenceError the original did not (a removed declaration still in use).
    const drifted = (text) => /function |=>/.test(text) || (/ReferenceError/.test(text) && !/ReferenceError/.test(nativeText));
    // The same first wrong line (line labels are unique) keeps shrinking on this bug rather than
    // wandering to another difference.
    const signature = firstDifference(nativeText, compiled.text);
    const fails = async (candidate) => {
      const d = await compare(pipeline, candidate, mode, Math.min(timeoutMs, 2000));
      return d !== null && d.timedOut === compiled.timedOut && !drifted(d.native) && !drifted(d.compiled) && firstDifference(d.native, d.compiled) === signature;
    };
    const shrunk = await shrink(source, fails, { budget: shrinkBudget, onProgress: () => process.send({ type: "alive" }) });
    const final = await compare(pipeline, shrunk.source, mode, timeoutMs);
    Object.assign(mismatch, { shrunk: shrunk.source, shrinkTries: shrunk.tries, shrunkNative: final?.native, shrunkNativeTrace: final?.nativeTrace, shrunkCompiled: final?.compiled });
  }
  return mismatch;
}

/**
 * The programs this worker ran since its last full collection (execute.mjs): one of them left
 * any GC-time report that the next full collection brings out.
 */
let sinceFullCollection = [];

/**
 * A mismatch that is gone when the program runs alone with full collections was a GC-time report
 * of an earlier program: finds that program among those run since the last full collection and
 * sends its mismatch to the parent as an amendment of its result. False when none reproduces it.
 */
async function blameEarlier(current, job) {
  for (const earlier of sinceFullCollection) {
    if (earlier === current) break;
    for (const pipeline of selectPipelines(job.pipelines)) {
      const d = await compare(pipeline, earlier.source, earlier.mode, job.timeoutMs);
      if (d === null) continue;
      const mismatch = await describeMismatch(pipeline, earlier.source, earlier.mode, { nativeText: d.native, compiled: { text: d.compiled, timedOut: d.timedOut }, shrinkBudget: job.shrinkBudget, timeoutMs: job.timeoutMs });
      process.send({ type: "amend", index: earlier.index, mode: earlier.mode, mismatch });
      return true;
    }
  }
  return false;
}

async function fuzzOne(job) {
  const { seed, index, mode, pipelines: names, shrinkBudget, timeoutMs, avoid, fullGc } = job;
  // `source`: a given program instead of a generated one (the worker's own tests).
  const { source, features } = job.source !== undefined ? { source: job.source, features: [] } : generateProgram(programSeed(seed, index), { mode, avoid });
  const current = { index, mode, source };
  sinceFullCollection.push(current);
  const collectedBefore = fullCollections();
  const native = await nativeOutcome(source, timeoutMs, fullGc);
  if (native.timedOut || native.trace.startsWith("module error:")) {
    // The generator promises terminating, valid programs: this is its bug, not the transform's.
    return { index, mode, features, invalid: native.trace.trim(), source, mismatches: [] };
  }
  const nativeText = outcomeText(native);
  const mismatches = [];
  const skipped = [];
  for (const pipeline of selectPipelines(names)) {
    const compiled = await compiledOutcome(pipeline, source, mode, timeoutMs, fullGc);
    if (compiled.skipped !== undefined) {
      skipped.push({ pipeline: pipeline.name, reason: compiled.skipped });
      continue;
    }
    if (compiled.text === nativeText) continue;
    if (!fullGc && (await compare(pipeline, source, mode, timeoutMs)) === null) {
      // Gone when every run ends with a full collection: a GC-time report that an earlier
      // program left. Blamed on that program; kept here, as not this program's, if none is found.
      if (await blameEarlier(current, job)) continue;
      mismatches.push({ pipeline: pipeline.name, source, native: nativeText, compiled: compiled.text, unconfirmed: true });
      continue;
    }
    mismatches.push(await describeMismatch(pipeline, source, mode, { nativeText, compiled, shrinkBudget, timeoutMs }));
  }
  // The full collection of this program's runs (if one was) reported what the programs before it
  // left: from the next program on, only this one can still have something to report.
  if (fullCollections() !== collectedBefore) sinceFullCollection = [current];
  return { index, mode, features, lines: native.trace.split("\n").length - 1, mismatches, skipped };
}

process.on("message", async (job) => {
  if (job.type !== "run") return;
  const result = await fuzzOne(job);
  process.send({ type: "result", result });
});
process.send({ type: "ready" });

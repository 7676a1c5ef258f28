/**
 * The bounded differential fuzz run (issue 10): a fixed seed, a few hundred programs per mode,
 * each run natively and through every pipeline of scripts/fuzz/pipelines.mjs (the Babel plugin on
 * 200 programs per mode, the TypeScript transformer on the first 100 of them); any difference in
 * output fails. It runs the fuzzer as child processes over the built dist/ (npm test builds
 * first), without shrinking or writing fixtures: to get the shrunk reproducer of a failure, run
 * the command the failure message prints.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const SEED = 20260;
/** Programs per mode for each pipeline: the TypeScript one gets fewer, to keep the run's time modest. */
const RUNS = [
  { pipeline: "babel", count: 200 },
  { pipeline: "typescript", count: 100 },
] as const;

interface Summary {
  seed: number;
  seconds: number;
  runs: { mode: string; pipeline: string; programs: number; mismatches: number; skipped?: number }[];
  mismatches: { index: number; mode: string; pipeline: string; native: string; compiled: string; reproducer: string }[];
  invalid: { index: number; mode: string; reason: string }[];
  features: Record<string, number>;
}

function runFuzzer(pipeline: string, count: number): Summary {
  const args = ["scripts/fuzz/fuzz.mjs", "--count", String(count), "--seed", String(SEED), "--pipeline", pipeline, "--no-shrink", "--no-write", "--json"];
  const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const last = result.stdout.trim().split("\n").at(-1) ?? "";
  if (!last.startsWith("{")) throw new Error(`the fuzzer printed no summary (exit ${result.status}):\n${result.stderr}`);
  return JSON.parse(last) as Summary;
}

function firstDifference(native: string, compiled: string): string {
  const a = native.split("\n");
  const b = compiled.split("\n");
  let i = 0;
  while (i < b.length && a[i] === b[i]) i++;
  return `native: ${a[i] ?? "(end)"} | compiled: ${b[i] ?? "(end)"}`;
}

describe("differential fuzzing (bounded)", () => {
  let summaries: Summary[];
  beforeAll(() => {
    summaries = RUNS.map(({ pipeline, count }) => runFuzzer(pipeline, count));
  }, 900_000); // about 45 s on an idle 2-core machine (30 s Babel, 15 s TypeScript); minutes when the machine is shared

  it(`runs ${RUNS.map((r) => `${r.count} programs per mode through ${r.pipeline}`).join(" and ")}`, () => {
    RUNS.forEach(({ pipeline, count }, i) => {
      expect(summaries[i]!.runs.map((r) => [r.pipeline, r.mode, r.programs + (r.skipped ?? 0)]).sort()).toEqual([[pipeline, "eager", count], [pipeline, "lazy", count]]);
    });
  });

  it("generates only valid, terminating programs", () => {
    expect(summaries.flatMap((s) => s.invalid)).toEqual([]);
  });

  it("covers every feature family the issue lists", () => {
    const families = ["try-both", "finally", "label", "loop-for-await", "await-template", "await-tagged-template", "await-optional-chain",
      "await-computed-key", "await-destructuring-default", "await-loop-head", "this", "arguments", "super", "new-target", "class-field-arrow",
      "param-default-throws", "param-destructured", "async-generator", "for-await-generator", "yield-star", "generator-return", "generator-throw",
      "generator-queued", "thenable-twice", "thenable-nested", "thenable-throwBefore", "thenable-throwAfter", "thenable-getter",
      "combinator-all", "combinator-allSettled", "combinator-race", "combinator-any", "recursion", "runtime-api", "eager-started-call"];
    const missing = families.filter((f) => !summaries[0]!.features[f]);
    expect(missing).toEqual([]);
  });

  it("prints the same output natively and compiled, in both modes, through every pipeline", () => {
    const report = summaries.flatMap((summary) => summary.mismatches.map(
      (m) => `program ${m.index} (${m.mode}, ${m.pipeline}): ${firstDifference(m.native, m.compiled)}\n` +
        `  reproduce and shrink: npm run fuzz -- --seed ${summary.seed} --first ${m.index} --count 1 --mode ${m.mode} --pipeline ${m.pipeline}`,
    ));
    expect(report).toEqual([]);
  });
});

// Mutation testing (StrykerJS, Jest runner). `npm run mutate` covers the runtime's core files and
// the plugin's passes; it is too slow for `npm test`. For one file against a few test files:
//   MUTATE_TESTS="gather,blind-spots" npx stryker run --mutate runtime/gather.ts
// (MUTATE_TESTS: comma-separated test file name parts; every test imports the whole runtime
// through index.ts, so Jest's findRelatedTests alone would select them all).
const only = process.env.MUTATE_TESTS?.split(",").filter(Boolean);
// fixtures.test.ts runs only these pipelines (the workers inherit the variable): the others
// compile with the built dist/, so they see no mutant, and the bundlers would rebuild for each one.
process.env.FIXTURE_PIPELINES ??= "babel,typescript";
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "jest",
  jest: {
    projectType: "custom",
    configFile: "jest.config.cjs",
    enableFindRelatedTests: only === undefined,
    ...(only === undefined ? {} : { config: { testMatch: only.map((name) => `**/test/**/*${name}*.test.ts`) } }),
  },
  // Tests collect garbage (never-awaited coroutines, unretrieved exceptions), as in `npm test`.
  testRunnerNodeArgs: ["--expose-gc"],
  coverageAnalysis: "perTest",
  mutate: [
    "runtime/future.ts",
    "runtime/event-loop.ts",
    "runtime/handle.ts",
    "runtime/task.ts",
    "runtime/coroutine.ts",
    "runtime/gather.ts",
    "runtime/wait.ts",
    "runtime/wait-for.ts",
    "runtime/shield.ts",
    "runtime/sleep.ts",
    "runtime/as-completed.ts",
    "runtime/timeout.ts",
    "runtime/task-group.ts",
    "plugin/babel/select-functions.ts",
    "plugin/babel/rewrite-awaits.ts",
    "plugin/babel/wrap-function.ts",
    "plugin/babel/import-runtime.ts",
  ],
  // `// @ts-nocheck` only where mutants are: on every file, it would also land in the fixtures'
  // input.js files, and shift the lines of their expected compile errors.
  disableTypeChecks: "{runtime,plugin}/**/*.ts",
  // Re-runs only mutants whose code or tests changed since the last run.
  incremental: true,
  incrementalFile: "reports/stryker-incremental.json",
  reporters: ["clear-text", "progress", "json"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  concurrency: 2,
  timeoutMS: 20000,
  thresholds: { high: 90, low: 80, break: null },
  // dist stays in the sandbox: a few tests run the built runtime in a child process (unmutated).
  ignorePatterns: ["reports", "bench", "examples/.out", ".bench-out"],
};

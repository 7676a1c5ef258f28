/**
 * The variants a workload runs as, and where each one's implementation of the workload lives.
 *
 * A workload is written once, as plain async/await JavaScript (`workloads/<w>/source.js`, which
 * imports its helpers from `./env.js`). Compiled variants run that same source, compiled or not,
 * next to an env module (`env/native.js` or `env/corotask.js`). The generator libraries cannot
 * run async functions, so they have hand-written equivalents (`workloads/<w>/<variant>.mjs`);
 * CPython has `workloads/<w>/cpython.py`.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const ROOT = path.resolve(BENCH_DIR, "..");
/** Compiled workloads. Inside the package (not node_modules), so `import "corotask"` resolves to it. */
export const OUT_DIR = path.join(ROOT, ".bench-out", "bench");

/**
 * kind: "source"  - workloads/<w>/source.js through `compiler`, next to env/<env>.js
 *       "hand"    - workloads/<w>/<file>, written by hand
 *       "python"  - workloads/<w>/cpython.py, run with python3
 *       "compiler"- transform only: the workload's driver measures the compiler itself
 *       "slot"    - not available yet; the table says why
 */
export const VARIANTS = {
  sync: { kind: "hand", file: "sync.mjs", label: "sync" },
  native: { kind: "source", compiler: "none", env: "native", label: "native" },
  "native-await-null": { kind: "source", compiler: "none", env: "native", label: "native (await null)", sameAs: "native" },
  "babel-a2g": { kind: "source", compiler: "a2g", env: "native", label: "babel-a2g" },
  effection: { kind: "hand", file: "effection.mjs", label: "Effection 4" },
  co: { kind: "hand", file: "co.mjs", label: "co" },
  bluebird: { kind: "hand", file: "bluebird.mjs", label: "Bluebird coroutine" },
  cpython: { kind: "python", file: "cpython.py", label: "CPython asyncio" },
  "corotask-eager": { kind: "source", compiler: "corotask-babel", options: { mode: "eager" }, env: "corotask", label: "corotask eager (babel)" },
  "corotask-lazy": { kind: "source", compiler: "corotask-babel", options: { mode: "lazy" }, env: "corotask", label: "corotask lazy (babel)" },
  // transform only: compilers rather than runtimes.
  "babel-none": { kind: "compiler", label: "babel, no plugin (parse+generate)" },
  "tsc-es2016": { kind: "compiler", label: "tsc ES2016 downlevel" },
  // The TypeScript transformer (corotask/typescript) through a Program, so that the type-aware
  // fast path is on; the "-dynamic" twins compile without a Program (as transpileModule and
  // isolated ts-jest do): every awaited call takes the dynamic check. The pair measures the fast path.
  "corotask-tsc": { kind: "source", compiler: "corotask-tsc", options: { mode: "eager" }, env: "corotask", label: "corotask eager (TS transformer)" },
  "corotask-tsc-lazy": { kind: "source", compiler: "corotask-tsc", options: { mode: "lazy" }, env: "corotask", label: "corotask lazy (TS transformer)" },
  "corotask-tsc-dynamic": {
    kind: "source", compiler: "corotask-tsc-dynamic", options: { mode: "eager" }, env: "corotask", label: "corotask eager (TS, no checker)",
  },
  "corotask-tsc-dynamic-lazy": {
    kind: "source", compiler: "corotask-tsc-dynamic", options: { mode: "lazy" }, env: "corotask", label: "corotask lazy (TS, no checker)",
  },
};

/** Where the compiled source of workload `w` for variant `v` is written. */
export function compiledPath(workload, variant) {
  const spec = VARIANTS[variant];
  const dir = spec.sameAs ?? variant;
  return path.join(OUT_DIR, dir, `${workload}.js`);
}

/** The module (or script) that implements workload `w` for variant `v`. */
export function implementationPath(workload, variant) {
  const spec = VARIANTS[variant];
  if (spec.kind === "source") return compiledPath(workload, variant);
  return path.join(BENCH_DIR, "workloads", workload, spec.file);
}

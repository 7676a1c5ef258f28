/**
 * Compiles every workload's source.js once per compiled variant into .bench-out/bench/<variant>/,
 * with that variant's env.js beside it.
 */
import { transformAsync } from "@babel/core";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { BENCH_DIR, ROOT, VARIANTS, compiledPath } from "./variants.mjs";

const COMPILERS = {
  none: null,
  a2g: (options) => ["@babel/plugin-transform-async-to-generator", options ?? {}],
  // "corotask/babel" resolves through the package's self-reference: this file is inside it.
  "corotask-babel": (options) => ["corotask/babel", options ?? {}],
};

export async function compileSources(workloads, variants) {
  for (const variant of variants) {
    const spec = VARIANTS[variant];
    if (spec.kind !== "source" || spec.sameAs !== undefined) continue;
    const makePlugin = COMPILERS[spec.compiler];
    if (makePlugin === undefined) throw new Error(`no compiler ${spec.compiler} for ${variant}`);
    for (const workload of workloads) {
      const input = path.join(BENCH_DIR, "workloads", workload, "source.js");
      if (!existsSync(input)) continue;
      const out = compiledPath(workload, variant);
      await mkdir(path.dirname(out), { recursive: true });
      await copyFile(path.join(BENCH_DIR, "env", `${spec.env}.js`), path.join(path.dirname(out), "env.js"));
      const source = await readFile(input, "utf8");
      if (makePlugin === null) {
        await writeFile(out, source);
        continue;
      }
      const { code } = await transformAsync(source, {
        filename: input,
        cwd: ROOT,
        babelrc: false,
        configFile: false,
        sourceType: "module",
        plugins: [makePlugin(spec.options)],
      });
      await writeFile(out, code);
    }
  }
}

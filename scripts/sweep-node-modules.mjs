// Robustness sweep (issue 3): runs the corotask Babel plugin over every .js file under
// node_modules. The plugin must never throw on input Babel itself parses, and what it emits
// must parse again. Usage: npm run build && node scripts/sweep-node-modules.mjs [--limit N] [--root DIR]
// Prints a summary; exits 1 when any file failed. A bounded sample runs in the Jest suite
// (test/plugin/sweep.test.ts) through the same functions (sweep-node-modules.lib.cjs).
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const { listFiles, sweepFiles } = createRequire(import.meta.url)("./sweep-node-modules.lib.cjs");

async function main() {
  const args = process.argv.slice(2);
  const limitAt = args.indexOf("--limit");
  const rootAt = args.indexOf("--root");
  const limit = limitAt >= 0 ? Number(args[limitAt + 1]) : Infinity;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = rootAt >= 0 ? path.resolve(args[rootAt + 1]) : path.resolve(here, "../node_modules");
  const babel = await import("@babel/core");
  const pluginModule = await import(pathToFileURL(path.resolve(here, "../dist/esm/plugin/babel/index.js")).href);
  const files = listFiles(root, limit);
  const started = Date.now();
  const result = sweepFiles(babel, pluginModule.default, files);
  console.log(
    `sweep: ${result.files} files, ${result.transformed} transformed (${result.withAsync} with async functions), ` +
      `${result.skipped} skipped (unparseable or too large), ${result.failures.length} failures, ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  for (const failure of result.failures.slice(0, 50)) console.log(`  ${failure.stage}: ${failure.file}: ${failure.message}`);
  process.exitCode = result.failures.length > 0 ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();

// Compiles examples/demo.ts with the corotask Babel plugin (plus TypeScript type stripping) and
// runs it: the README's first command.
import { transformAsync } from "@babel/core";
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { pathToFileURL, fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const input = path.join(root, "examples/demo.ts");
const { code } = await transformAsync(await readFile(input, "utf8"), {
  filename: input,
  cwd: root,
  babelrc: false,
  configFile: false,
  presets: [["@babel/preset-typescript"]],
  plugins: [["corotask/babel"]],
});
// Inside the package (not node_modules), so that `import "corotask"` resolves to this package.
const outDir = path.join(root, "examples/.out");
await mkdir(outDir, { recursive: true });
const out = path.join(outDir, "demo.mjs");
await writeFile(out, code);
await import(pathToFileURL(out).href);

// Compiles examples/http-server.ts with the corotask transform (compileFile: the Babel plugin
// plus TypeScript type stripping) and runs it, passing the command line through.
// Usage: npm run build && node scripts/http-server.mjs [--port N] [--upstream-port N] [--deadline SECONDS]
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compileFile } from "../dist/esm/plugin/compile-file.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const input = path.join(root, "examples/http-server.ts");
const { code, map } = compileFile(await readFile(input, "utf8"), input, { moduleKind: "module", cwd: root });
// Inside the package (not node_modules), so that `import "corotask"` resolves to this package.
const outDir = path.join(root, "examples/.out");
await mkdir(outDir, { recursive: true });
const out = path.join(outDir, "http-server.mjs");
// Written under a temporary name and renamed, so that two servers starting at once never run a
// half-written file.
const temporary = `${out}.${process.pid}`;
await writeFile(`${temporary}.map`, JSON.stringify({ ...map, sources: [path.relative(outDir, input)] }));
await writeFile(temporary, `${code}\n//# sourceMappingURL=http-server.mjs.map\n`);
await rename(`${temporary}.map`, `${out}.map`);
await rename(temporary, out);
// Errors' stacks point into examples/http-server.ts, not into the compiled file.
process.setSourceMapsEnabled(true);
await import(pathToFileURL(out).href);

// Builds examples/browser with Vite's JS API and the example's own vite.config.ts (the
// corotask/vite plugin of this package, from dist/), then serves the build with Vite's preview
// server: `npm run example:browser`, then open the printed address.
// Usage: npm run build && node scripts/example-browser.mjs [--port N]   (default 4173; 0 picks a free port)
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { build, preview } from "vite";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const example = path.join(root, "examples/browser");
// Gitignored (examples/.out/), like the other examples' compiled files.
const outDir = path.join(root, "examples/.out/browser");
const { values } = parseArgs({ options: { port: { type: "string", default: "4173" } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number (0 picks a free one), received ${JSON.stringify(values.port)}`);
  process.exit(2);
}

// The example's own config, as `vite build examples/browser` loads it; outDir lies outside the
// example's root, so emptying it must be asked for.
const configFile = path.join(example, "vite.config.ts");
await build({ root: example, configFile, build: { outDir, emptyOutDir: true } });
const server = await preview({
  root: example,
  configFile,
  build: { outDir },
  preview: { host: "127.0.0.1", port, strictPort: port !== 0, open: false },
});
// One line with the address, which test/examples/browser.test.ts waits for.
console.log(`serving examples/browser at ${server.resolvedUrls.local[0]}`);

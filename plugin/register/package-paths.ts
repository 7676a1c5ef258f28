/**
 * Where the corotask package is on disk, for the hook, the CLI and the dump channel. The only
 * module of the hook and the CLI that reads `import.meta`: they ship as ES modules only, while
 * the CommonJS build compiles this file too (where `import.meta` is never evaluated).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

// @ts-ignore: the CommonJS build rejects import.meta; its copy of this file is never loaded.
const here: string = fileURLToPath(import.meta.url);

/** The package root (holding package.json): this file is dist/esm/plugin/register/package-paths.js. */
export const PACKAGE_ROOT: string = path.resolve(path.dirname(here), "../../../..");

/** The built ES modules; the hook never compiles files under the package's own dist. */
export const DIST_DIR: string = path.join(PACKAGE_ROOT, "dist");

/** File URL of a module of dist/esm/plugin, e.g. `register/hooks.js`. */
export function pluginModuleUrl(relative: string): URL {
  return new URL(relative, new URL("../", `file://${here}`));
}

/** The package's version, from its package.json. */
export const VERSION: string = (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;

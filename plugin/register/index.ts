/**
 * `corotask/register`: `node --import corotask/register app.ts` runs the project's TypeScript
 * and JavaScript through the corotask transform (not node_modules), for `import` and `require`,
 * with stack traces mapped to the source and a call-graph dump on SIGUSR2.
 *
 * Options come from the environment: `COROTASK_MODE` (eager | lazy), `COROTASK_RUNTIME`,
 * `COROTASK_INCLUDE` / `COROTASK_EXCLUDE` (comma-separated globs relative to the working
 * directory), `COROTASK_CACHE_DIR`, `COROTASK_CACHE=0`.
 */
import { register } from "node:module";
import { OptionsError } from "../options.js";
import { defaultCacheDir } from "./cache.js";
import type { HookData } from "./hooks.js";
import { installIntrospection } from "./introspection.js";
import { installRequireHook } from "./require-hook.js";
import { loaderOptionsFromEnv, type LoaderOptions } from "./loader-options.js";
import { DIST_DIR, pluginModuleUrl, VERSION } from "./package-paths.js";

let loaderOptions: LoaderOptions;
try {
  loaderOptions = loaderOptionsFromEnv(process.env, process.cwd(), () => defaultCacheDir(process.cwd()));
} catch (error) {
  if (!(error instanceof OptionsError)) throw error;
  // A user's mistake: the message alone, no stack from inside corotask.
  process.stderr.write(`corotask: ${error.message}\n`);
  process.exit(2);
}

const data: HookData = { options: loaderOptions, distDir: DIST_DIR, version: VERSION };
register(pluginModuleUrl("register/hooks.js"), { data });

// The compiled files carry inline source maps: error.stack then shows original positions.
process.setSourceMapsEnabled(true);

installRequireHook(data);
installIntrospection();

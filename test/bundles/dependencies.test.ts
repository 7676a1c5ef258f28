/**
 * "Zero runtime dependencies" for what an app ships (issue 11): the built runtime imports only
 * its own modules, so a bundle of an app holds none of the plugin's dependencies. Needs dist.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "../..");

/** Every module specifier a built file imports or requires. */
function specifiers(file: string): string[] {
  const code = readFileSync(file, "utf8");
  const found: string[] = [];
  // Statements (`import ... from "x"`, `export ... from "x"`, `import "x"`) and calls
  // (`require("x")`, `import("x")`); not the words inside a message string.
  const patterns = [/^\s*(?:import|export)\b[^;"']*?\bfrom\s*["']([^"']+)["']/gm, /^\s*import\s*["']([^"']+)["']/gm, /\b(?:require|import)\s*\(\s*["']([^"']+)["']\s*\)/g];
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) found.push(match[1]!);
  return found;
}

describe.each(["dist/esm/runtime", "dist/cjs/runtime"])("the runtime in %s", (dir) => {
  const files = readdirSync(join(ROOT, dir)).filter((f) => f.endsWith(".js"));

  test("has modules to check", () => {
    expect(files).toEqual(expect.arrayContaining(["index.js", "task.js", "asyncio.js"]));
  });

  test("imports nothing but its own modules: no package, no Node built-in", () => {
    const foreign = files.flatMap((f) => specifiers(join(ROOT, dir, f)).filter((s) => !s.startsWith("./")).map((s) => `${f}: ${s}`));
    expect(foreign).toEqual([]);
  });
});

test("the package's dependencies are the plugin's, never the runtime's", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
  const runtimeSources = readdirSync(join(ROOT, "runtime")).map((f) => readFileSync(join(ROOT, "runtime", f), "utf8"));
  for (const name of Object.keys(pkg.dependencies ?? {})) {
    expect(runtimeSources.some((code) => code.includes(`"${name}`))).toBe(false);
  }
});

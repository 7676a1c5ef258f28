/** Which module system a file of the project is written for, decided as Node decides it. */
import { readFileSync } from "node:fs";
import * as path from "node:path";

export type ModuleFormat = "module" | "commonjs";

const packageTypes = new Map<string, ModuleFormat | null>();

/** The nearest package.json's `type`, or null when it has none (or there is none). */
export function packageType(dir: string): ModuleFormat | null {
  const cached = packageTypes.get(dir);
  if (cached !== undefined) return cached;
  let type: ModuleFormat | null = null;
  try {
    const json = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { type?: unknown };
    type = json.type === "module" || json.type === "commonjs" ? json.type : null;
  } catch (error) {
    const parent = path.dirname(dir);
    if ((error as { code?: unknown }).code === "ENOENT" && parent !== dir) type = packageType(parent);
  }
  packageTypes.set(dir, type);
  return type;
}

/** ES module syntax at the start of a line: Node's own detection, for files whose package has no `type`. */
export function hasModuleSyntax(source: string): boolean {
  return /^\s*(import\s*[\w{*"'$]|export\s|import\.meta\b)/m.test(source);
}

/** .mts/.mjs and .cts/.cjs say; .ts/.tsx/.js follow their package's `type`, and without one their own syntax. */
export function moduleFormat(filename: string, source: string): ModuleFormat {
  const ext = path.extname(filename).toLowerCase();
  if (ext === ".mts" || ext === ".mjs") return "module";
  if (ext === ".cts" || ext === ".cjs") return "commonjs";
  return packageType(path.dirname(filename)) ?? (hasModuleSyntax(source) ? "module" : "commonjs");
}

/**
 * Whether emitted code reaches the runtime by `import` or by `require()`: one rule for both
 * front ends (issue 7 part 4). A file that the compiler parses as a module but that is written
 * as CommonJS (no `import`/`export`, uses `require`, `module` or `exports`) must get `require()`:
 * an `import` would make Node load it as ESM, where its `require()` of it returns `{}`.
 */

/** What a front end knows of a file's top level. */
export interface ModuleFacts {
  /** The compiler was told the file is an ES module (Babel `sourceType: "module"`, a TS module). */
  readonly parsedAsModule: boolean;
  /** The file has an `import` or `export` declaration of its own. */
  readonly hasImportOrExport: boolean;
  /** The file reads `require`, `module` or `exports` without declaring them. */
  readonly usesCommonJsGlobals: boolean;
}

/** The free names whose use marks a file as CommonJS. */
export const COMMONJS_GLOBALS: readonly string[] = ["require", "module", "exports"];

/** `"import"` or `"require"`: how this file's runtime header reaches the runtime module. */
export function runtimeImportKind(facts: ModuleFacts): "import" | "require" {
  if (!facts.parsedAsModule) return "require";
  if (!facts.hasImportOrExport && facts.usesCommonJsGlobals) return "require";
  return "import";
}

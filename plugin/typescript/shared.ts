/** The shared rules (plugin/emit-rules.ts, module-kind.ts, reflection.ts) as the TypeScript passes import them. */
export * from "../emit-rules.js";
export { functionHeader } from "../reflection.js";
import { COMMONJS_GLOBALS } from "../module-kind.js";

/** The free names whose use marks a file as CommonJS, as a set. */
export const COMMONJS_GLOBALS_SET: ReadonlySet<string> = new Set(COMMONJS_GLOBALS);

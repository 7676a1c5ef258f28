/** `corotask/esbuild`: the corotask esbuild plugin, `plugins: [corotask()]` (options: plugin/unplugin.ts). */
import { unplugin } from "./unplugin.js";

const esbuild = unplugin.esbuild;
export default esbuild;
// `require("corotask/esbuild")` (require(esm), Node 20.19+) returns the plugin itself, not a namespace.
export { esbuild as "module.exports" };

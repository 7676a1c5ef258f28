/** `corotask/rollup`: the corotask rollup plugin, `plugins: [corotask()]` (options: plugin/unplugin.ts). */
import { unplugin } from "./unplugin.js";

const rollup = unplugin.rollup;
export default rollup;
// `require("corotask/rollup")` (require(esm), Node 20.19+) returns the plugin itself, not a namespace.
export { rollup as "module.exports" };

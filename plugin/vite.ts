/** `corotask/vite`: the corotask vite plugin, `plugins: [corotask()]` (options: plugin/unplugin.ts). */
import { unplugin } from "./unplugin.js";

const vite = unplugin.vite;
export default vite;
// `require("corotask/vite")` (require(esm), Node 20.19+) returns the plugin itself, not a namespace.
export { vite as "module.exports" };

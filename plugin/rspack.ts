/** `corotask/rspack`: the corotask rspack plugin, `plugins: [corotask()]` (options: plugin/unplugin.ts). */
import { unplugin } from "./unplugin.js";

const rspack = unplugin.rspack;
export default rspack;
// `require("corotask/rspack")` (require(esm), Node 20.19+) returns the plugin itself, not a namespace.
export { rspack as "module.exports" };

/** `corotask/webpack`: the corotask webpack plugin, `plugins: [corotask()]` (options: plugin/unplugin.ts). */
import { unplugin } from "./unplugin.js";

const webpack = unplugin.webpack;
export default webpack;
// `require("corotask/webpack")` (require(esm), Node 20.19+) returns the plugin itself, not a namespace.
export { webpack as "module.exports" };

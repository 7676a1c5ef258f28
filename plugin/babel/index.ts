/** `corotask/babel`: the Babel plugin, as the default export. */
export { default } from "./plugin.js";

// babel-jest reads this file: TypeScript types stripped, modules turned into CommonJS for Jest,
// and every async function compiled into a cancellable corotask coroutine.
module.exports = {
  presets: [["@babel/preset-env", { targets: { node: "current" } }], "@babel/preset-typescript"],
  // Plugins run before presets, so corotask sees the async functions before anything else does.
  plugins: ["corotask/babel"],
};

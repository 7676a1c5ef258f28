// babel-jest is Jest's default transform when a Babel config exists: nothing else to set up.
/** @type {import("jest").Config} */
module.exports = {
  testEnvironment: "node",
};

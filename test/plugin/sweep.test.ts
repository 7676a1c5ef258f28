/** A bounded sample of scripts/sweep-node-modules.mjs: the plugin never throws on valid input and its output parses. */
import * as babel from "@babel/core";
import * as path from "node:path";
import babelPlugin from "../../plugin/babel/plugin.js";

const { listFiles, sweepFiles } = require("../../scripts/sweep-node-modules.lib.cjs") as {
  listFiles: (root: string, limit?: number) => string[];
  sweepFiles: (b: typeof babel, plugin: unknown, files: string[]) => { files: number; transformed: number; withAsync: number; failures: unknown[] };
};

const NODE_MODULES = path.resolve(__dirname, "../../node_modules");

test.each(["@babel/core/lib", "@babel/traverse/lib", "jest-runner/build", "@jridgewell", "semver"])(
  "the plugin compiles every file of node_modules/%s, and its output parses",
  (dir) => {
    const files = listFiles(path.join(NODE_MODULES, dir), 150);
    expect(files.length).toBeGreaterThan(0);
    const result = sweepFiles(babel, babelPlugin, files);
    expect(result.failures).toEqual([]);
    expect(result.transformed).toBeGreaterThan(0);
  },
);

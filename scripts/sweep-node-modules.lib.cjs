// The sweep's logic (see sweep-node-modules.mjs), as CommonJS so that the Jest suite can
// require the same code for its bounded sample.
"use strict";
const { readdirSync, readFileSync, statSync } = require("node:fs");
const path = require("node:path");

/** Every .js/.cjs/.mjs file under `root`, depth first, sorted (deterministic samples). */
function listFiles(root, limit = Infinity) {
  const files = [];
  const walk = (dir) => {
    if (files.length >= limit) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    } catch {
      return;
    }
    for (const entry of entries) {
      if (files.length >= limit) return;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && /\.(c|m)?js$/.test(entry.name)) files.push(full);
    }
  };
  walk(root);
  return files;
}

/**
 * Transforms each file with the plugin. Files Babel cannot parse on its own are skipped (not
 * valid input for this check). Returns counts and the failures.
 */
function sweepFiles(babel, plugin, files, { maxBytes = 1_000_000 } = {}) {
  const result = { files: files.length, transformed: 0, withAsync: 0, skipped: 0, failures: [] };
  const base = { babelrc: false, configFile: false, compact: false, sourceType: "unambiguous", retainLines: false };
  for (const file of files) {
    let code;
    try {
      if (statSync(file).size > maxBytes) {
        result.skipped++;
        continue;
      }
      code = readFileSync(file, "utf8");
    } catch {
      result.skipped++;
      continue;
    }
    const sourceType = file.endsWith(".mjs") ? "module" : file.endsWith(".cjs") ? "script" : "unambiguous";
    try {
      babel.parseSync(code, { ...base, filename: file, sourceType });
    } catch {
      result.skipped++; // Not valid input for Babel's default parser (Flow, JSX in .js, ...).
      continue;
    }
    let output;
    try {
      output = babel.transformSync(code, { ...base, filename: file, sourceType, plugins: [plugin] }).code;
    } catch (error) {
      result.failures.push({ file, stage: "transform", message: String(error && error.message).split("\n")[0] });
      continue;
    }
    result.transformed++;
    if (output !== null && output.includes("_ct.siteRegister")) result.withAsync++;
    try {
      babel.parseSync(output, { ...base, filename: file, sourceType });
    } catch (error) {
      result.failures.push({ file, stage: "reparse", message: String(error && error.message).split("\n")[0] });
    }
  }
  return result;
}

module.exports = { listFiles, sweepFiles };

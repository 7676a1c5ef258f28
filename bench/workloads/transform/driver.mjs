// transform: each compiler's time over a fixed corpus of real code (a deterministic sample of the
// .js files under node_modules), against babel-a2g and tsc's own ES2016 downlevel; and the
// bytes each adds per async function.
import { transformSync, parseSync, traverse } from "@babel/core";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import asyncToGenerator from "@babel/plugin-transform-async-to-generator";
// Imported, not named in `plugins`: transformSync resolves plugin names with require(), which
// does not see the package's self-reference.
import corotaskBabel from "corotask/babel";
import corotaskTypeScript from "corotask/typescript";
import { ROOT } from "../../lib/variants.mjs";

export const title = "transform";
export const unit = "ms/corpus";
/** Ratios in this workload are to babel-a2g, the transform corotask replaces. */
export const reference = "babel-a2g";
export const reps = { full: 5 };
export const sizes = {
  full: { bytes: 600_000, iterations: 3 },
  quick: { bytes: 80_000, iterations: 1 },
  smoke: { bytes: 30_000, iterations: 1 },
};
export const variants = ["babel-none", "babel-a2g", "corotask-eager", "corotask-lazy", "tsc-es2016", "corotask-tsc"];

const BABEL_PLUGINS = {
  "babel-none": [],
  "babel-a2g": [asyncToGenerator],
  "corotask-eager": [[corotaskBabel, { mode: "eager" }]],
  "corotask-lazy": [[corotaskBabel, { mode: "lazy" }]],
};

function babel(plugins, code, filename) {
  return transformSync(code, { filename, cwd: ROOT, babelrc: false, configFile: false, sourceType: "unambiguous", compact: false, plugins })
    .code;
}

function tsc(code, filename, target, before = undefined) {
  return ts.transpileModule(code, {
    fileName: filename,
    compilerOptions: { target: ts.ScriptTarget[target], module: ts.ModuleKind.ESNext, allowJs: true },
    ...(before ? { transformers: { before } } : {}),
  }).outputText;
}

/** The compile function of a variant: (code, filename) => output. */
function compilerOf(variant) {
  if (variant in BABEL_PLUGINS) {
    const plugins = BABEL_PLUGINS[variant];
    return (code, filename) => babel(plugins, code, filename);
  }
  if (variant === "tsc-es2016") return (code, filename) => tsc(code, filename, "ES2016");
  // tsc with the corotask transformer (ESNext otherwise: the transformer replaces the downlevel).
  if (variant === "corotask-tsc") return (code, filename) => tsc(code, filename, "ESNext", [corotaskTypeScript(undefined, { mode: "eager" })]);
  throw new Error(`transform has no variant ${variant}`);
}

/** The output each variant's size is compared with: the same pipeline without the async transform. */
const BASELINE = { "babel-a2g": "babel-none", "corotask-eager": "babel-none", "corotask-lazy": "babel-none", "tsc-es2016": "tsc-esnext", "corotask-tsc": "tsc-esnext" };

// ---- the corpus ----

function fnv(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function walk(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === ".bin" || entry.name === ".cache") continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (/\.(c|m)?js$/.test(entry.name) && !/\.min\.js$/.test(entry.name)) out.push(full);
  }
  return out;
}

function countAsyncFunctions(ast) {
  let count = 0;
  traverse(ast, {
    Function(p) {
      if (p.node.async) count++;
    },
  });
  return count;
}

/**
 * Picks the corpus: files of 1-60 KB under node_modules, in the order of a hash of their path
 * (a fixed sample for a fixed lockfile), 80% of the bytes from files that have async functions,
 * keeping only files that both plugins compile (Flow or JSX without presets is left out).
 */
export async function prepareCorpus({ bytes }) {
  const files = walk(path.join(ROOT, "node_modules"), [])
    .map((file) => ({ file, rel: path.relative(ROOT, file) }))
    .sort((a, b) => fnv(a.rel) - fnv(b.rel) || (a.rel < b.rel ? -1 : 1));
  const pools = { async: { budget: bytes * 0.8, used: 0 }, plain: { budget: bytes * 0.2, used: 0 } };
  const corpus = [];
  let asyncFunctions = 0;
  for (const { file, rel } of files) {
    if (pools.async.used >= pools.async.budget && pools.plain.used >= pools.plain.budget) break;
    const size = statSync(file).size;
    if (size < 1024 || size > 60 * 1024) continue;
    const code = readFileSync(file, "utf8");
    const maybeAsync = /\basync\b/.test(code);
    if (!maybeAsync && pools.plain.used >= pools.plain.budget) continue;
    let count;
    try {
      count = countAsyncFunctions(parseSync(code, { filename: file, babelrc: false, configFile: false, sourceType: "unambiguous" }));
      const pool = count > 0 ? pools.async : pools.plain;
      if (pool.used >= pool.budget) continue;
      babel(BABEL_PLUGINS["corotask-eager"], code, file);
      babel(BABEL_PLUGINS["babel-a2g"], code, file);
      pool.used += size;
    } catch {
      continue; // syntax Babel does not parse without presets (Flow, JSX), or a plugin error
    }
    asyncFunctions += count;
    corpus.push(rel);
  }
  return { files: corpus, bytes: pools.async.used + pools.plain.used, asyncFunctions };
}

// ---- one variant's measurement (in its own process) ----

export async function measureVariant(variant, { corpusFile, iterations }) {
  const corpus = JSON.parse(readFileSync(corpusFile, "utf8"));
  const inputs = corpus.files.map((rel) => ({ filename: path.join(ROOT, rel), code: readFileSync(path.join(ROOT, rel), "utf8") }));
  const compile = compilerOf(variant);
  // Warm-up: one pass over the corpus, which also gives the output size.
  let outputBytes = 0;
  for (const { code, filename } of inputs) outputBytes += compile(code, filename).length;
  let baselineBytes = null;
  const baseline = BASELINE[variant];
  if (baseline === "tsc-esnext") {
    baselineBytes = 0;
    for (const { code, filename } of inputs) baselineBytes += tsc(code, filename, "ESNext").length;
  } else if (baseline !== undefined) {
    baselineBytes = 0;
    for (const { code, filename } of inputs) baselineBytes += babel(BABEL_PLUGINS[baseline], code, filename).length;
  }
  const times = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    for (const { code, filename } of inputs) compile(code, filename);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return {
    value: times[times.length >> 1],
    bytesPerAsyncFunction: baselineBytes === null ? null : (outputBytes - baselineBytes) / Math.max(1, corpus.asyncFunctions),
  };
}

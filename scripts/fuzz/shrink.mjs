// Shrinks a failing program to a small one that still fails: greedy delta debugging over its
// AST, removing statements, class members and object properties, unwrapping compound
// statements, then replacing expressions by their operands or by 0. Edits are made on the
// source text (node ranges), so the reproducer keeps the generator's formatting.
import { createRequire } from "node:module";
import * as path from "node:path";
import { ROOT } from "./pipelines.mjs";

const require = createRequire(path.join(ROOT, "package.json"));
const { parse } = require("@babel/parser");

function parseModule(text) {
  try {
    return parse(text, { sourceType: "module", ranges: false });
  } catch {
    return null;
  }
}

function children(node) {
  const out = [];
  for (const key of Object.keys(node)) {
    if (key === "loc" || key === "leadingComments" || key === "trailingComments" || key === "innerComments" || key === "extra") continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const v of value) if (v && typeof v.type === "string") out.push([key, v]);
    } else if (value && typeof value.type === "string") out.push([key, value]);
  }
  return out;
}

const LIST_PARENTS = new Set(["Program", "BlockStatement", "SwitchCase", "StaticBlock", "ClassBody"]);

function isExpression(node) {
  return /Expression$/.test(node.type) || node.type === "TemplateLiteral";
}

/**
 * Text the shrinker must keep: main's outer catch, which turns every error into a Boom whose
 * message names only the error's class (engine messages quote source text, which a transform
 * rewrites), and the line that hands main the log. Without them a shrunk program drifts to
 * differences in error messages, which are not what the fuzzer looks for.
 */
const PROTECTED = [/\n  \} catch \(e\) \{\n    throw new Boom\("main: " \+ show\(e\)\);\n  \}/, /\n  log = log_;/];

function protectedRanges(text) {
  const ranges = [];
  for (const pattern of PROTECTED) {
    const m = pattern.exec(text);
    if (m) ranges.push([m.index, m.index + m[0].length]);
  }
  return ranges;
}

/** Candidate edits of `text`, largest first: each is [start, end, replacement]. */
function edits(text) {
  const ast = parseModule(text);
  if (!ast) return [];
  const keep = protectedRanges(text);
  const touchesKept = ([start, end]) => keep.some(([a, b]) => start < b && a < end);
  const removals = [];
  const unwraps = [];
  const exprs = [];
  const visit = (node, parent, key) => {
    const span = [node.start, node.end];
    if (parent && (LIST_PARENTS.has(parent.type) && (key === "body" || key === "consequent"))) removals.push([...span, ""]);
    if (parent && parent.type === "ObjectExpression" && key === "properties") {
      const comma = text[node.end] === "," ? 1 : 0;
      removals.push([node.start, node.end + comma, ""]);
    }
    if (parent && parent.type === "SwitchStatement" && key === "cases") removals.push([...span, ""]);
    const src = (n) => text.slice(n.start, n.end);
    switch (node.type) {
      case "IfStatement":
        unwraps.push([...span, src(node.consequent)]);
        if (node.alternate) unwraps.push([...span, src(node.alternate)], [node.consequent.end, node.alternate.end, ""]);
        break;
      case "TryStatement":
        unwraps.push([...span, src(node.block)]);
        if (node.handler && node.finalizer) unwraps.push([node.handler.start, node.handler.end, ""], [node.block.end, node.finalizer.start, " catch {} finally "]);
        if (node.finalizer) unwraps.push([...span, `${src(node.block)}\n${src(node.finalizer)}`]);
        break;
      case "ForStatement":
      case "WhileStatement":
      case "DoWhileStatement":
      case "ForOfStatement":
      case "ForInStatement":
      case "LabeledStatement":
        unwraps.push([...span, src(node.body)]);
        break;
      default:
        break;
    }
    if (parent && isExpression(node) && key !== "callee" && key !== "tag" && key !== "left") {
      // An await is never dropped: a call left unawaited runs concurrently with its caller, and
      // what interleaves then depends on tick counts, which the transform may change.
      if (node.type !== "AwaitExpression") for (const [, child] of children(node)) {
        if (isExpression(child) || child.type === "Identifier" || /Literal$/.test(child.type)) exprs.push([...span, `(${src(child)})`]);
      }
      if (node.type !== "NumericLiteral") exprs.push([...span, "0"]);
    }
    for (const [k, child] of children(node)) visit(child, node, k);
  };
  visit(ast.program, null, null);
  const bySize = (a, b) => b[1] - b[0] - (a[1] - a[0]);
  return [...removals.sort(bySize), ...unwraps.sort(bySize), ...exprs.sort(bySize)].filter((e) => !touchesKept(e));
}

function apply(text, [start, end, replacement]) {
  return text.slice(0, start) + replacement + text.slice(end);
}

/** Collapses the blank lines that removals leave. */
function tidy(text) {
  return text.replace(/^[ \t]*\/\/(?! ---- generated program).*\n/gm, "").replace(/\n[ \t]*(?=\n)/g, "").replace(/\n{2,}/g, "\n");
}

/**
 * Smallest program found for which `fails(text)` (async) still holds; at most `budget` tries.
 * `onProgress` is called after each try (the worker's heartbeat).
 */
export async function shrink(source, fails, { budget = 1500, onProgress = () => {} } = {}) {
  let best = source;
  let tries = 0;
  let from = 0;
  for (;;) {
    const candidates = edits(best);
    let improved = false;
    for (let i = 0; i < candidates.length && tries < budget; i++) {
      const index = (from + i) % candidates.length;
      const candidate = tidy(apply(best, candidates[index]));
      if (candidate === best || candidate.length >= best.length || !parseModule(candidate)) continue;
      tries++;
      onProgress(tries);
      if (await fails(candidate)) {
        best = candidate;
        from = index;
        improved = true;
        break;
      }
    }
    if (!improved || tries >= budget) return { source: best, tries };
  }
}

/** The targets of issue 4, checked against the results: one PASS/MISS line per target and mode. */
import { kb, num, ratio } from "./table.mjs";

const COROTASK = ["corotask-eager", "corotask-lazy"];

export function checkTargets(results, runtimeSize) {
  const byWorkload = new Map(results.map((r) => [r.workload, r]));
  const lines = ["Targets (issue 4), for corotask in both modes:"];
  const items = [];
  const row = (w, v) => byWorkload.get(w)?.rows.find((r) => r.variant === v && r.skipped === null) ?? null;
  const verdict = (pass, text) => {
    items.push({ pass, text });
    lines.push(`${pass === null ? "n/a " : pass ? "PASS" : "MISS"}  ${text}`);
  };
  /** A target "at most `limit`": PASS or MISS, and by how much. */
  const atMost = (name, v, actual, limit, show) => {
    if (actual === null || actual === undefined) return verdict(null, `${name} ${v}: not measured`);
    const pass = actual <= limit;
    verdict(pass, `${name} ${v}: ${show(actual)} (target <= ${show(limit)}${pass ? "" : `; misses by ${(actual / limit).toFixed(2)}x`})`);
  };

  for (const v of COROTASK) {
    if (byWorkload.has("chain")) atMost("chain", v, row("chain", v)?.ratio, 0.5, (x) => `${ratio(x)} native`);
    if (byWorkload.has("fanout")) {
      atMost("fanout", v, row("fanout", v)?.ratio, 0.5, (x) => `${ratio(x)} native`);
      const py = row("fanout", "cpython");
      const own = row("fanout", v);
      if (py !== null && own !== null) atMost("fanout vs CPython", v, own.median / py.median, 0.1, (x) => `${ratio(x)} CPython's time`);
      else verdict(null, `fanout vs CPython ${v}: CPython not measured`);
    }
    if (byWorkload.has("promise-await")) atMost("promise-await", v, row("promise-await", v)?.ratio, 1.3, (x) => `${ratio(x)} native`);
    if (byWorkload.has("cancel")) {
      atMost("cancel", v, row("cancel", v)?.median, 2, (x) => `${num(x)} us/task`);
      const own = row("cancel", v);
      const bb = row("cancel", "bluebird");
      const py = row("cancel", "cpython");
      if (own !== null && bb !== null) atMost("cancel vs Bluebird", v, own.median / bb.median, 1, (x) => `${ratio(x)} Bluebird's time`);
      if (own !== null && py !== null) atMost("cancel vs CPython", v, own.median / py.median, 0.2, (x) => `${ratio(x)} CPython's time`);
    }
    if (byWorkload.has("memory")) atMost("memory", v, row("memory", v)?.ratio, 1, (x) => `${ratio(x)} native's bytes`);
    if (byWorkload.has("deep")) {
      const depth = row("deep", v)?.median ?? null;
      if (depth === null) verdict(null, `deep ${v}: not measured`);
      else verdict(depth >= 1_000_000, `deep ${v}: ${depth.toLocaleString("en-US")} levels (target >= 1,000,000)`);
    }
    if (byWorkload.has("transform")) atMost("transform", v, row("transform", v)?.ratio, 1.3, (x) => `${ratio(x)} babel-a2g's time`);
  }
  if (byWorkload.has("transform")) {
    const ts = row("transform", "corotask-tsc");
    const tsc = row("transform", "tsc-es2016");
    if (ts === null) verdict(null, "transform corotask-tsc: the TypeScript transformer does not exist yet (target <= 1.30x tsc's ES2016 downlevel)");
    else if (tsc !== null) atMost("transform", "corotask-tsc", ts.median / tsc.median, 1.3, (x) => `${ratio(x)} tsc's downlevel time`);
  }
  if (runtimeSize !== null) atMost("runtime size", "core", runtimeSize.core.gzipped, 8 * 1024, (x) => `${kb(x)} min+gz`);
  const counted = items.filter((i) => i.pass !== null);
  lines.push(`${counted.filter((i) => i.pass).length} of ${counted.length} targets met.`);
  return { lines, items };
}

/** The results table: one markdown table, a block of rows per workload. */

export function formatTable(results, { mode, runtimeSize }) {
  const lines = [];
  lines.push(`| workload | variant | median | min–max | ratio | ratio min–max | notes |`);
  lines.push(`|---|---|--:|--:|--:|--:|---|`);
  for (const result of results) {
    const head = `**${result.title}** (${result.unit})`;
    let first = true;
    for (const row of result.rows) {
      const cells = [first ? head : "", row.label];
      first = false;
      if (row.skipped !== null) {
        cells.push("—", "—", "—", "—", `skipped: ${row.skipped}`);
      } else {
        cells.push(num(row.median), range(row.min, row.max));
        const ref = row.variant === result.reference;
        cells.push(row.ratio === null ? "—" : `${ratio(row.ratio)}${ref ? " (ref)" : ""}`);
        cells.push(row.ratio === null || ref ? "—" : `${ratio(row.ratioMin)}–${ratio(row.ratioMax)}`);
        const notes = [...row.notes];
        if (row.values.length > 1) notes.unshift(`${row.values.length} runs`);
        if (typeof row.extra.bytesPerAsyncFunction === "number") notes.push(`+${num(row.extra.bytesPerAsyncFunction)} B per async function`);
        cells.push(notes.join("; "));
      }
      lines.push(`| ${cells.join(" | ")} |`);
    }
  }
  const footer = [];
  for (const result of results) {
    if (result.higherIsBetter) footer.push(`${result.title}: higher is better; ratio = levels / native's levels.`);
    if (result.corpus !== null) {
      footer.push(
        `${result.title}: corpus of ${result.corpus.files} files under node_modules, ${(result.corpus.bytes / 1024).toFixed(0)} KB, ` +
          `${result.corpus.asyncFunctions} async functions; ratios are to ${result.reference}.`,
      );
    }
  }
  if (runtimeSize !== null) {
    footer.push(
      `runtime size (esbuild --bundle --minify, gzip -9): core (loop, future, task, combinators, abi) ` +
        `${kb(runtimeSize.core.minified)} min, ${kb(runtimeSize.core.gzipped)} gz; whole index ` +
        `${kb(runtimeSize.full.minified)} min, ${kb(runtimeSize.full.gzipped)} gz.`,
    );
  }
  footer.push(`mode: ${mode}. Ratios are taken within each repetition (interleaved processes), then the median.`);
  return [...lines, "", ...footer].join("\n");
}

export function num(x) {
  if (x === null || x === undefined) return "—";
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString("en-US");
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function range(a, b) {
  return `${num(a)}–${num(b)}`;
}

export function ratio(x) {
  return `${x >= 10 ? x.toFixed(1) : x.toFixed(2)}x`;
}

export function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

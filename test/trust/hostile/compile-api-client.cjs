// Compiles a generated API client of N MB (many async functions with real work, among plain
// functions and data) with compileFile from dist/, parses the output again, and prints one JSON
// line with the figures: `node [--max-old-space-size=M] compile-api-client.cjs N`. A child
// process of test/trust/hostile.test.ts, so that its heap is its own.
"use strict";
const path = require("node:path");
const { getHeapStatistics } = require("node:v8");
const ROOT = path.resolve(__dirname, "../../..");
const { compileFile } = require(path.join(ROOT, "dist/cjs/plugin/compile-file.js"));
const { parse } = require("@babel/parser");

/** `bytes` of generated code; returns it with the number of async functions in it. */
function apiClient(bytes) {
  const parts = ['import { request, log } from "./http.js";\n'];
  let size = 0;
  let i = 0;
  for (; size < bytes; i++) {
    const part = `
/** GET /items/${i} and its related records. */
export async function fetchItem${i}(id, options = {}) {
  const url = \`/api/v1/items/${i}/\${encodeURIComponent(id)}?limit=\${options.limit ?? 20}\`;
  try {
    const response = await request("GET", url, { headers: { accept: "application/json" }, retries: 3 });
    if (response.status !== 200) throw new Error(\`item ${i}: HTTP \${response.status}\`);
    const body = await response.json();
    const related = [];
    for (const ref of body.related ?? []) related.push(await fetchRelated${i}(ref.id));
    return { ...body, related, fetchedAt: 0 };
  } catch (error) {
    log("fetchItem${i} failed", error);
    throw error;
  }
}
async function fetchRelated${i}(id) {
  return (await request("GET", "/api/v1/related/" + id)).json();
}
export const ITEM_${i}_FIELDS = ["id", "name", "createdAt", "updatedAt", "owner", "tags", "status", ${i}];
export function describeItem${i}(item) {
  return item.name + " (" + item.status + ", " + item.tags.join(", ") + ")";
}
`;
    parts.push(part);
    size += part.length;
  }
  return { code: parts.join(""), asyncFunctions: 2 * i };
}

const megabytes = Number(process.argv[2] ?? 10);
const { code, asyncFunctions } = apiClient(megabytes * 2 ** 20);
const heapLimit = getHeapStatistics().heap_size_limit;
const started = performance.now();
let result;
try {
  result = compileFile(code, path.join(ROOT, "api-client.js"));
} catch (error) {
  console.log(JSON.stringify({ ok: false, name: error.name, message: error.message, stack: error.stack, ms: performance.now() - started, bytes: code.length, asyncFunctions, heapLimit }));
  process.exit(0);
}
const ms = performance.now() - started;
const reparseStarted = performance.now();
parse(result.code, { sourceType: "module" });
const reparseMs = performance.now() - reparseStarted;
console.log(JSON.stringify({ ok: true, ms, reparseMs, bytes: code.length, outputBytes: result.code.length, asyncFunctions, heapLimit }));

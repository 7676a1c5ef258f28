/**
 * One measurement in its own process: `node bench/lib/child.mjs <workload> <variant> <size-json>`.
 * Imports the workload's driver and the variant's implementation, runs the driver's measure()
 * (which warms up first) and prints `{"value": ...}` as the last line of stdout.
 */
import { pathToFileURL } from "node:url";
import path from "node:path";
import { BENCH_DIR, implementationPath } from "./variants.mjs";

const [workload, variant, sizeJson] = process.argv.slice(2);
const driver = await import(pathToFileURL(path.join(BENCH_DIR, "workloads", workload, "driver.mjs")).href);
const size = JSON.parse(sizeJson);
let result;
if (typeof driver.measureVariant === "function") {
  // A workload that measures the variant itself (transform: compilers, not runtimes).
  result = await driver.measureVariant(variant, size);
} else {
  const impl = await import(pathToFileURL(implementationPath(workload, variant)).href);
  result = await driver.measure(impl, size, variant);
}
const record = typeof result === "number" ? { value: result } : result;
process.stdout.write(`\n${JSON.stringify(record)}\n`);
// Pending tasks (memory, cancel) would keep nothing alive, but timers of some libraries might.
process.exit(0);

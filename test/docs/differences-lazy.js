// Observations behind docs/differences.md about lazy mode (compiled with mode "lazy" only).
const seen = {};
const log = [];
async function work(x) { log.push(`work(${x}) started`); await null; return x * 2; }
const awaited = work(1);
work(3); // dropped: never runs
log.push("after calls");
await new Promise((resolve) => setTimeout(resolve, 5));
log.push(`awaited: ${await awaited}`);
seen.order = log.slice();
try { await awaited; } catch (error) { seen.secondAwait = `${error.name}: ${error.message}`; }
const once = work(4);
const first = once.then((v) => v);
try { once.then((v) => v); } catch (error) { seen.secondThen = `${error.name}: ${error.message}`; }
await first;
process.stdout.write(JSON.stringify(seen));

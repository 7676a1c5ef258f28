// Imports every file named on the command line, under `node --import corotask/register`: the
// real hooks compile each into the cache, where the loader pipeline reads what they produced.
// A fixture's top level only defines functions; a failure to import is reported, not fatal.
import { pathToFileURL } from "node:url";

for (const file of process.argv.slice(2)) {
  try {
    await import(pathToFileURL(file).href);
  } catch (error) {
    process.stderr.write(`${file}: ${error?.message ?? error}\n`);
    process.exitCode = 1;
  }
}

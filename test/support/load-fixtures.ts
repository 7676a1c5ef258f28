/**
 * Walks `fixtures/<topic>/<case>/`, inherits `options.json` from the topic folder, and checks
 * that each case's expected files make sense together.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { FIXTURES_DIR, loadFixtures, type Fixture, type FixtureOptions } from "./fixture-core.cjs";

// The walk itself lives in fixture-core.cjs, shared with scripts/babel8-check.mjs.
export { FIXTURES_DIR, loadFixtures };
export type { Fixture, FixtureOptions };

function readIfExists(file: string): string | null {
  return existsSync(file) ? readFileSync(file, "utf8") : null;
}

/** True when expected files should be rewritten (`UPDATE_FIXTURES=1`); CI never sets it. */
export const UPDATE_FIXTURES = process.env.UPDATE_FIXTURES === "1";

/** Compares `actual` with the expected file, or rewrites the file under UPDATE_FIXTURES. */
export function expectedFile(fixture: Fixture, name: "output.babel.js" | "trace.txt" | "error.txt", actual: string): string {
  const file = path.join(fixture.dir, name);
  if (UPDATE_FIXTURES) {
    writeFileSync(file, actual);
    return actual;
  }
  const expected = readIfExists(file);
  if (expected === null) throw new Error(`fixture ${fixture.id} has no ${name}; run with UPDATE_FIXTURES=1 to create it`);
  return expected;
}

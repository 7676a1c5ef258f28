/**
 * Walks `fixtures/<topic>/<case>/`, inherits `options.json` from the topic folder, and checks
 * that each case's expected files make sense together.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";

export const FIXTURES_DIR = path.resolve(__dirname, "../../fixtures");

/** options.json: the transform's options plus the runner's own keys. */
export interface FixtureOptions {
  /** Passed to the transform. */
  mode?: "eager" | "lazy";
  /** Runner: also run the input natively (plain JS without the runtime) and expect the same trace. Default true for input.js. */
  native?: boolean;
  /** Runner: prefix each trace line with the loop's virtual time (`t=0.000 `). */
  timed?: boolean;
  /** Runner: extra Babel presets for this case ("typescript", "react", "env-es5", "env-node"). */
  presets?: string[];
  /** Runner: the transformed trace is known to differ from trace.txt, for this reason (the test is `it.failing`). */
  knownFailure?: string;
}

export interface Fixture {
  /** `topic/case`. */
  readonly id: string;
  readonly dir: string;
  readonly inputFile: string;
  readonly input: string;
  readonly options: FixtureOptions;
  /** Expected Babel output, when the case has one. */
  readonly outputBabel: string | null;
  readonly trace: string | null;
  readonly error: string | null;
}

function readIfExists(file: string): string | null {
  return existsSync(file) ? readFileSync(file, "utf8") : null;
}

function readOptions(file: string): FixtureOptions {
  const text = readIfExists(file);
  return text === null ? {} : (JSON.parse(text) as FixtureOptions);
}

/** Every fixture case under `root`, sorted by id. */
export function loadFixtures(root: string = FIXTURES_DIR): Fixture[] {
  const fixtures: Fixture[] = [];
  if (!existsSync(root)) return fixtures;
  for (const topic of readdirSync(root).sort()) {
    const topicDir = path.join(root, topic);
    if (!statSync(topicDir).isDirectory()) continue;
    const topicOptions = readOptions(path.join(topicDir, "options.json"));
    for (const name of readdirSync(topicDir).sort()) {
      const dir = path.join(topicDir, name);
      if (!statSync(dir).isDirectory()) continue;
      const inputName = ["input.ts", "input.tsx", "input.js", "input.jsx"].find((n) => existsSync(path.join(dir, n)));
      if (!inputName) throw new Error(`fixture ${topic}/${name} has no input.ts or input.js`);
      const error = readIfExists(path.join(dir, "error.txt"));
      const outputBabel = readIfExists(path.join(dir, "output.babel.js"));
      if (error !== null && outputBabel !== null) {
        throw new Error(`fixture ${topic}/${name} has both error.txt and output.babel.js; an error case has no output`);
      }
      fixtures.push({
        id: `${topic}/${name}`,
        dir,
        inputFile: path.join(dir, inputName),
        input: readFileSync(path.join(dir, inputName), "utf8"),
        options: { ...topicOptions, ...readOptions(path.join(dir, "options.json")) },
        outputBabel,
        trace: readIfExists(path.join(dir, "trace.txt")),
        error,
      });
    }
  }
  return fixtures;
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

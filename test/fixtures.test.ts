/** Every fixture through every pipeline: expected Babel output, and the trace of running it (natively too, for plain JS). */
import { expectedFile, loadFixtures } from "./support/load-fixtures.js";
import { babelPipeline, nativePipeline, PIPELINES, transformOptions, transformWithPlugin } from "./support/pipelines.js";
import { runTrace } from "./support/run-fixture.js";

const fixtures = loadFixtures();

// A mutation run may keep only the pipelines that can see its mutants (stryker.config.mjs): the
// others compile with the built dist/, and would rebuild their bundles for every mutant.
const onlyPipelines = process.env.FIXTURE_PIPELINES?.split(",").filter(Boolean);
const unknownPipelines = onlyPipelines?.filter((name) => !PIPELINES.some((p) => p.name === name)) ?? [];
if (unknownPipelines.length > 0) {
  throw new Error(`FIXTURE_PIPELINES names no pipeline: ${unknownPipelines.join(", ")} (they are: ${PIPELINES.map((p) => p.name).join(", ")})`);
}
const pipelines = onlyPipelines === undefined ? PIPELINES : PIPELINES.filter((p) => onlyPipelines.includes(p.name));

describe("compile errors", () => {
  for (const fixture of fixtures.filter((f) => f.error !== null || f.id.startsWith("errors/"))) {
    it(fixture.id, () => {
      let message = "(no error)";
      try {
        transformWithPlugin(fixture.input, fixture.inputFile, transformOptions(fixture), fixture.options.presets);
      } catch (error) {
        // Paths differ between machines: keep them relative to the fixture folder.
        message = String((error as Error).message).split(fixture.dir + "/").join("");
      }
      const actual = message + "\n";
      expect(actual).toBe(expectedFile(fixture, "error.txt", actual));
    });
  }
});

describe("Babel output", () => {
  for (const fixture of fixtures.filter((f) => f.error === null && !f.id.startsWith("errors/") && (f.outputBabel !== null || f.id.startsWith("transform/")))) {
    it(fixture.id, () => {
      const actual = transformWithPlugin(fixture.input, fixture.inputFile, transformOptions(fixture), fixture.options.presets) + "\n";
      expect(actual).toBe(expectedFile(fixture, "output.babel.js", actual));
    });
  }
});

for (const pipeline of pipelines) {
  describe(`fixture traces via ${pipeline.name}`, () => {
    if (pipeline.prepare) beforeAll(() => pipeline.prepare!(), 180_000);
    for (const fixture of fixtures.filter((f) => f.error === null && !f.id.startsWith("errors/"))) {
      // A known failure's trace.txt holds the right (native) trace: UPDATE_FIXTURES leaves it alone.
      const knownFailure = fixture.options.knownFailure ?? pipeline.knownFailure?.(fixture);
      const known = knownFailure !== undefined;
      const skip = pipeline.skip?.(fixture) ?? null;
      if (skip !== null) {
        it.skip(`${fixture.id} (SKIPPED via ${pipeline.name}: ${skip})`, () => {});
        continue;
      }
      (known ? it.failing : it)(known ? `${fixture.id} (known failure: ${knownFailure})` : fixture.id, async () => {
        const actual = await runTrace(pipeline, fixture);
        expect(actual).toBe(known ? fixture.trace : expectedFile(fixture, "trace.txt", actual));
      });
    }
  });
}

describe("fixture traces natively (plain JavaScript cases)", () => {
  const plain = fixtures.filter((f) => f.error === null && !f.id.startsWith("errors/") && f.inputFile.endsWith(".js") && f.options.native !== false && !/from "corotask"/.test(f.input));
  for (const fixture of plain) {
    it(fixture.id, async () => {
      const actual = await runTrace(nativePipeline, fixture);
      expect(actual).toBe(fixture.trace ?? (await runTrace(babelPipeline, fixture)));
    });
  }
});

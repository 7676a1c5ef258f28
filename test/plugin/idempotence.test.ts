/** Running the plugin on its own output changes nothing (unplugin-auto-import's idempotence tests). */
import { loadFixtures } from "../support/load-fixtures.js";
import { transformOptions, transformWithPlugin } from "../support/pipelines.js";

describe("compiling compiled code again changes nothing", () => {
  for (const fixture of loadFixtures().filter((f) => f.error === null && !f.id.startsWith("errors/") && !f.options.presets?.length)) {
    test(fixture.id, () => {
      const once = transformWithPlugin(fixture.input, fixture.inputFile, transformOptions(fixture));
      const twice = transformWithPlugin(once, fixture.inputFile.replace(/\.tsx?$/, ".js"), transformOptions(fixture));
      expect(twice).toBe(once);
    });
  }
});

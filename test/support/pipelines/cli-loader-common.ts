/**
 * What the CLI and loader pipelines share: both compile every fixture in one child process (the
 * real `corotask build`, the real hooks of `corotask/register`), with the fixtures folder as the
 * working directory, and hand each output to the shared runner.
 */
import * as babel from "@babel/core";
import { mkdtempSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FIXTURES_DIR, isErrorFixture, loadFixtures, presetsFor, transformOptions, type Fixture } from "../fixture-core.cjs";

/** The worktree root, where bin/ and dist/ are. */
export const ROOT = path.resolve(__dirname, "../../..");

/** The fixtures that produce a trace, grouped by the transform mode they ask for: one child process per mode. */
export function traceFixturesByMode(): Map<"eager" | "lazy", Fixture[]> {
  const groups = new Map<"eager" | "lazy", Fixture[]>();
  for (const fixture of loadFixtures(FIXTURES_DIR)) {
    if (isErrorFixture(fixture)) continue;
    const { mode = "eager", ...rest } = transformOptions(fixture) as { mode?: "eager" | "lazy" };
    if (Object.keys(rest).length > 0) throw new Error(`fixture ${fixture.id} has transform options ${JSON.stringify(rest)} that the CLI and loader pipelines do not pass on`);
    const group = groups.get(mode) ?? [];
    group.push(fixture);
    groups.set(mode, group);
  }
  return groups;
}

export function temporaryDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * The compiled code as the runner takes it: file names in frame infos made relative to the
 * fixture's folder (the child's working directory was the fixtures folder, so they read
 * `topic/case/input.js`; the fixtures pin `input.js`, as the Babel pipeline names them), the
 * fixture's own presets applied (React, preset-env), then CommonJS.
 */
export function asRunnable(code: string, fixture: Fixture): string {
  const rebased = code.split(`${fixture.id}/`).join("");
  const filename = fixture.inputFile.replace(/\.tsx?$/, ".js");
  return babel.transformSync(rebased, {
    filename,
    babelrc: false,
    configFile: false,
    sourceType: "module",
    highlightCode: false,
    presets: presetsFor(fixture.options.presets ?? [], filename, require.resolve, 7),
    plugins: [require.resolve("@babel/plugin-transform-modules-commonjs")],
  })!.code!;
}

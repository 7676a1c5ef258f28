/** Types of fixture-core.cjs (shared by the Jest pipeline and scripts/babel8-check.mjs). */

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

/** The runtime members the runner uses (the module "corotask"). */
export interface FixtureRuntime {
  getRunningLoop(): { time(): number };
  run(main: () => never, options: { virtualTime: boolean }): Promise<unknown>;
}

/** A Babel preset entry: `[resolved path, options]`. */
export type PresetEntry = [string, Record<string, unknown>];

export declare const FIXTURES_DIR: string;
export declare function loadFixtures(root?: string): Fixture[];
export declare function isErrorFixture(fixture: Fixture): boolean;
export declare function transformOptions(fixture: Fixture): Record<string, unknown>;
export declare function presetsFor(names: readonly string[] | undefined, filename: string, resolve: (id: string) => string, major?: 7 | 8): PresetEntry[];
export declare function compileErrorMessage(fixture: Fixture, error: unknown): string;
/** In `executeProgram`'s `modules`: the specifier names the program's own file. */
export declare const SELF: unique symbol;
export declare function executeProgram(code: string, modules: Record<string, unknown>, filename?: string): Record<string, unknown>;
export declare function formatValue(value: unknown): string;
export declare function runCompiled(code: string, fixture: Fixture, runtime: FixtureRuntime, options?: { native?: boolean }): Promise<string>;

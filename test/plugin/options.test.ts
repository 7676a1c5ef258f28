import { validateOptions, COMPILE_FILE_OPTIONS, DEFAULT_OPTIONS, OptionsError } from "../../plugin/options.js";
import { compileFile } from "../../plugin/compile-file.js";
import { transformWithPlugin } from "../support/pipelines.js";

describe("validateOptions", () => {
  test("no options gives the defaults: eager mode, runtime corotask", () => {
    expect(validateOptions(undefined)).toEqual({ mode: "eager", runtime: "corotask" });
    expect(validateOptions({})).toEqual(DEFAULT_OPTIONS);
  });

  test("accepts lazy mode and a global runtime", () => {
    expect(validateOptions({ mode: "lazy", runtime: "global:__ct" })).toEqual({ mode: "lazy", runtime: "global:__ct" });
  });

  test("an unknown option names itself and the accepted options", () => {
    expect(() => validateOptions({ mdoe: "lazy" })).toThrow(
      'Unknown corotask option "mdoe"; accepted options are "mode", "runtime"',
    );
  });

  test("an integration's own options are accepted when it declares them", () => {
    expect(validateOptions({ include: ["src"] }, ["include", "exclude"])).toEqual(DEFAULT_OPTIONS);
  });

  test("an integration's typed options are checked here too: compileFile's", () => {
    expect(validateOptions({ stripTypes: false, moduleKind: "module", inputSourceMap: null, cwd: "/p", mode: undefined }, COMPILE_FILE_OPTIONS)).toEqual(DEFAULT_OPTIONS);
    expect(() => validateOptions({ stripTypes: "yes" }, COMPILE_FILE_OPTIONS)).toThrow('corotask option "stripTypes" must be true or false, received "yes"');
    expect(() => validateOptions({ moduleKind: "esm" }, COMPILE_FILE_OPTIONS)).toThrow('corotask option "moduleKind" must be "module", "commonjs" or "unknown", received "esm"');
  });

  test("compileFile refuses an unknown option and a wrongly typed one, naming it and what is accepted", () => {
    const code = "export async function f() { await 1; }\n";
    expect(() => compileFile(code, "/tmp/a.ts", { mood: "lazy" } as never)).toThrow(
      new OptionsError('Unknown corotask option "mood"; accepted options are "mode", "runtime", "stripTypes", "compileJsx", "moduleKind", "inputSourceMap", "cwd"'),
    );
    expect(() => compileFile(code, "/tmp/a.ts", { mode: 3 } as never)).toThrow(new OptionsError('corotask option "mode" must be "eager" or "lazy", received number 3'));
    expect(() => compileFile(code, "/tmp/a.ts", { stripTypes: "yes" } as never)).toThrow(OptionsError);
  });

  test("a wrong mode names the option and the accepted values", () => {
    expect(() => validateOptions({ mode: "fast" })).toThrow('corotask option "mode" must be "eager" or "lazy", received "fast"');
    expect(() => validateOptions({ mode: 1 })).toThrow(OptionsError);
  });

  test("a wrong runtime names the option and what it accepts", () => {
    expect(() => validateOptions({ runtime: 3 })).toThrow('corotask option "runtime" must be a module specifier such as "corotask", or "global:NAME", received number 3');
    expect(() => validateOptions({ runtime: "global:" })).toThrow(OptionsError);
  });

  test("options that are not an object are refused", () => {
    expect(() => validateOptions("lazy")).toThrow('corotask options must be an object, received "lazy"');
  });

  test("the Babel plugin reports a bad option when the file is transformed", () => {
    expect(() => transformWithPlugin("async function f() {}", "/tmp/x.js", { mode: "later" })).toThrow(/"mode" must be "eager" or "lazy"/);
  });
});

/** The names the plugin emits against exist in the runtime's abi. */
import * as runtime from "../../runtime/index.js";
import { ABI_EXPORT, ABI_MEMBERS } from "../../plugin/runtime-abi.js";

test("the runtime module exports the abi namespace the emitted code imports", () => {
  expect(typeof (runtime as Record<string, unknown>)[ABI_EXPORT]).toBe("object");
});

describe("every abi member the plugin uses is exported by runtime/abi.ts", () => {
  const abi = (runtime as unknown as Record<string, Record<string, unknown>>)[ABI_EXPORT]!;
  for (const member of Object.values(ABI_MEMBERS)) {
    test(member, () => {
      expect(abi[member]).toBeDefined();
    });
  }
});

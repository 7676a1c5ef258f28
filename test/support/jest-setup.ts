/**
 * Runs in every test file. A lazy coroutine a test creates and never runs is reported when it is
 * collected, which may be after the file's tests end, where Jest turns a console write into a
 * failed run with no test to blame. So each file ends by collecting what it left, and a coroutine
 * left never awaited fails the file that made it; tests that mean to drop one `close()` it.
 */
import { setNeverAwaitedReporter } from "../../runtime/coroutine.js";

const gc = (globalThis as { gc?: () => void }).gc;

afterAll(async () => {
  const leaked: string[] = [];
  setNeverAwaitedReporter((name) => leaked.push(name));
  if (gc !== undefined) {
    // Collection callbacks run as tasks after a collection: give them a turn each time.
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
  // Whatever is collected later still reaches stderr, without Jest's after-the-end failure.
  setNeverAwaitedReporter((name) => {
    process.stderr.write(`RuntimeWarning: coroutine '${name}' was never awaited (collected after its test file ended)\n`);
  });
  if (leaked.length > 0) {
    throw new Error(`coroutines created in this file and never awaited: ${leaked.map((n) => `'${n}'`).join(", ")}; close() the ones a test drops on purpose`);
  }
});

/** The README's first command runs this demo: it must keep cancelling a request and printing its stack. */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const root = path.resolve(__dirname, "../..");

test("the demo prints the request's await chain, cancels it, runs its finally, and times out a second call", () => {
  // Runs the built plugin and runtime (npm test builds first), as `npm run demo` does.
  const run = spawnSync(process.execPath, [path.join(root, "scripts/demo.mjs")], { cwd: root, encoding: "utf8", timeout: 60_000 });
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  expect(run.stdout).toContain(
    "Stack for <Task pending name='Task-2' coro=<handleRequest() running at examples/demo.ts:17> wait_for=<Future pending>> (most recent call last):\n" +
      '  File "examples/demo.ts", line 17, in handleRequest\n' +
      "    return await loadUser(id);\n" +
      '  File "examples/demo.ts", line 11, in loadUser\n',
  );
  expect(run.stdout).toContain("cancel() -> true\nhandleRequest(7): finally ran, connection released\nthe request ended with CancelledError: client went away\n");
  expect(run.stdout).toContain("<Task cancelled name='Task-2' coro=<handleRequest() done, defined at examples/demo.ts:15>>");
  expect(run.stdout).toContain("waitFor(loadUser(8), 2) -> TimeoutError");
});

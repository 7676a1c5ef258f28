// Tests that cancel corotask tasks and read where they wait. babel-jest compiles this file and
// report.ts with the corotask plugin (babel.config.cjs), so every async function here is a task.
import { CancelledError, TimeoutError, createTask, getRunningLoop, run, sleep, waitFor } from "corotask";
import { connections, loadReport } from "./report";

// An async test body is itself a task, on the process-wide default loop, in real time.
test("cancel() throws CancelledError where the task waits, and its finally runs", async () => {
  const task = createTask(loadReport(1));
  await sleep(0);
  expect(connections.open).toBe(1);

  expect(task.cancel("the test is done")).toBe(true);
  await expect(task).rejects.toThrow(new CancelledError("the test is done"));
  expect(task.cancelled()).toBe(true);
  expect(connections.open).toBe(0); // the finally ran
});

// For a loop of its own, and virtual time, return run(): a test body that is not async. (An
// async body is already a task on a running loop, and run() refuses to nest, as asyncio.run does.)
test("getStack() lists every frame of the await chain at its original line", () =>
  run(async () => {
    const task = createTask(loadReport(2));
    await sleep(0);
    const frames = task.getStack().map((f) => ({ functionName: f.functionName, lineNumber: f.lineNumber, source: f.source }));
    expect(frames).toEqual([
      { functionName: "loadReport", lineNumber: 15, source: "return await query(`select * from reports where id = ${id}`);" },
      { functionName: "query", lineNumber: 8, source: "await sleep(5); // a slow query" },
    ]);
    task.cancel();
    await task.catch(() => {});
  }));

test("waitFor() cancels what runs past its deadline: 1 s of virtual time, no real waiting", () =>
  run(
    async () => {
      const loop = getRunningLoop();
      const started = loop.time();
      await expect(waitFor(loadReport(3), 1)).rejects.toThrow(TimeoutError);
      expect(loop.time() - started).toBe(1);
      expect(connections.open).toBe(0);
      expect(await waitFor(loadReport(4), 10)).toBe("rows for select * from reports where id = 4");
    },
    { virtualTime: true },
  ));

// The app the bundler tests build: a task that is cancelled, its stack, and an error thrown in TS.
import { CancelledError, createTask, run, sleep, type Task } from "corotask";
import { explode, fetchUser, type User } from "./lib.js";

const out = { write: (text: string) => void process.stdout.write(text) };

async function main(): Promise<void> {
  const task: Task<User> = createTask(fetchUser(7), { name: "fetch-user" });
  await sleep(1);
  for (const frame of task.getStack()) console.log(`frame ${frame.functionName} ${frame.fileName}:${frame.lineNumber}`);
  task.printStack({ file: out });
  console.log(`cancel() -> ${task.cancel("client went away")}`);
  try {
    await task;
  } catch (error) {
    console.log(`cancelled: ${error instanceof CancelledError} ${(error as Error).message}`);
  }
  try {
    await explode("in TypeScript"); // main: awaits explode
  } catch (error) {
    console.log(`stack: ${(error as Error).stack}`);
  }
}

run(main, { virtualTime: true }).then(() => console.log("done"));

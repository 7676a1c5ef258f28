// corotask in a browser: a download is started as a task, its stack is printed on the page while
// it waits, then it is cancelled; its `finally` runs and the task ends with CancelledError.
import { CancelledError, createTask, run, sleep } from "corotask";

const logElement = document.querySelector<HTMLPreElement>("#log")!;
const page = { write: (text: string) => void logElement.append(text) };
const log = (line: string) => page.write(`${line}\n`);

async function download(url: string): Promise<string> {
  try {
    await sleep(30); // a slow response
    return `contents of ${url}`;
  } finally {
    log(`download(${url}): finally ran, connection closed`);
  }
}

async function loadReport(): Promise<string> {
  const body = await download("/reports/2026.csv");
  return body.toUpperCase();
}

async function main(): Promise<void> {
  const task = createTask(loadReport(), { name: "load-report" });
  await sleep(0.05);
  task.printStack({ file: page });
  log(`cancel() -> ${task.cancel("the user pressed stop")}`);
  try {
    await task;
  } catch (error) {
    if (!(error instanceof CancelledError)) throw error;
    log(`the task ended with CancelledError: ${error.message}`);
  }
  log(`cancelled() -> ${task.cancelled()}`);
}

run(main).then(
  () => (document.body.dataset.status = "done"),
  (error: unknown) => {
    log(`failed: ${String(error)}`);
    document.body.dataset.status = "failed";
  },
);

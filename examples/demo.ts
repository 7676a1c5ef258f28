// corotask demo: a server-like program whose request handler is cancelled mid-flight.
// Plain async/await TypeScript: the corotask transform makes every async function cancellable.
import { CancelledError, TimeoutError, run, sleep, waitFor, type Task } from "corotask";

async function queryDatabase(sql: string): Promise<string[]> {
  await sleep(5); // a slow query
  return [`row for ${sql}`];
}

async function loadUser(id: number): Promise<string> {
  const rows = await queryDatabase(`select * from users where id = ${id}`);
  return rows[0]!;
}

async function handleRequest(id: number): Promise<string> {
  try {
    return await loadUser(id);
  } finally {
    console.log(`handleRequest(${id}): finally ran, connection released`);
  }
}

async function main(): Promise<void> {
  const request = handleRequest(7) as unknown as Task<string>;
  await sleep(1);

  console.log("Where is the request waiting? Every frame of its await chain:");
  request.printStack({ file: process.stdout });

  console.log(`\ncancel() -> ${request.cancel("client went away")}`);
  try {
    await request;
  } catch (error) {
    if (!(error instanceof CancelledError)) throw error;
    console.log(`the request ended with CancelledError: ${error.message}`);
  }
  console.log(`request.cancelled() -> ${request.cancelled()}`);
  console.log(String(request));

  try {
    await waitFor(loadUser(8), 2);
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    console.log(`\nwaitFor(loadUser(8), 2) -> TimeoutError after ${2} s; loadUser was cancelled`);
  }
}

await run(main, { virtualTime: true });

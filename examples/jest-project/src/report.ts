// The code under test: plain async functions, made cancellable by the corotask Babel plugin.
import { sleep } from "corotask";

/** What the report holds while it runs; tests check that it is given back. */
export const connections = { open: 0 };

async function query(sql: string): Promise<string> {
  await sleep(5); // a slow query
  return `rows for ${sql}`;
}

export async function loadReport(id: number): Promise<string> {
  connections.open++;
  try {
    return await query(`select * from reports where id = ${id}`);
  } finally {
    connections.open--;
  }
}

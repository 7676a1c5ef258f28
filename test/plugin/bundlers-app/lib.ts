// A local module of the app the bundler tests build: a request that waits, and one that fails.
import { sleep } from "corotask";

export interface User {
  readonly id: number;
}

async function query(id: number): Promise<User> {
  await sleep(60); // query: waiting
  return { id };
}

export async function fetchUser(id: number): Promise<User> {
  try {
    return await query(id); // fetchUser: waiting
  } finally {
    console.log(`finally: fetchUser(${id}) released`);
  }
}

export async function explode(reason: string): Promise<never> {
  await sleep(0);
  throw new Error(`exploded: ${reason}`); // explode: throws
}

// cancel in Bluebird (cancellation enabled on a private copy): n coroutines blocked on a promise
// that never settles, cancel() each, and collect every outcome with reflect().
import Bluebird from "bluebird";

const B = Bluebird.getNewLibraryCopy();
B.config({ cancellation: true });

const blocked = B.coroutine(function* () {
  yield new B(() => {});
});

export async function startBlocked(n) {
  const handles = new Array(n);
  for (let i = 0; i < n; i++) handles[i] = blocked();
  await new Promise((resolve) => setImmediate(resolve));
  return handles;
}

export function cancelAll(handles) {
  for (let i = 0; i < handles.length; i++) handles[i].cancel();
  return B.all(handles.map((h) => h.reflect())).then((outcomes) => outcomes.length);
}

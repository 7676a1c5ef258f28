// cancel in Effection 4: n tasks run in one scope, each suspended; halt() them all and await
// every halt (Effection's cancellation and its collection).
import { all, createScope, sleep, suspend } from "effection";

const [scope] = createScope();

function* blocked() {
  yield* suspend();
}

export function startBlocked(n) {
  return scope.run(function* () {
    const handles = new Array(n);
    for (let i = 0; i < n; i++) handles[i] = scope.run(blocked);
    yield* sleep(0);
    return handles;
  });
}

export function cancelAll(handles) {
  return scope.run(function* () {
    const halts = new Array(handles.length);
    for (let i = 0; i < handles.length; i++) halts[i] = handles[i].halt();
    yield* all(halts);
    return handles.length;
  });
}

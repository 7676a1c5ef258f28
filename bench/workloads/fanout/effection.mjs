// fanout in Effection 4: n spawned operations that each sleep(0), then all().
import { all, run, sleep, spawn } from "effection";

function* worker(i) {
  yield* sleep(0);
  return i;
}

export function fanout(n) {
  return run(function* () {
    const tasks = new Array(n);
    for (let i = 0; i < n; i++) tasks[i] = yield* spawn(() => worker(i));
    const results = yield* all(tasks);
    return results.length;
  });
}

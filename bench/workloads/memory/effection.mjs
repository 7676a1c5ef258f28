// memory in Effection 4: n tasks in one scope, each waiting on withResolvers()' operation.
import { createScope, sleep, withResolvers } from "effection";

const [scope] = createScope();

export function startPending(futures, tasks) {
  return scope.run(function* () {
    for (let i = 0; i < futures.length; i++) {
      const future = withResolvers();
      futures[i] = future;
      tasks[i] = scope.run(() => future.operation);
    }
    yield* sleep(0);
    return futures.length;
  });
}

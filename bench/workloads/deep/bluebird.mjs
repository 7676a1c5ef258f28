// deep in Bluebird coroutines.
import Bluebird from "bluebird";

export const depth = Bluebird.coroutine(function* (n) {
  if (n === 0) return 0;
  return (yield depth(n - 1)) + 1;
});

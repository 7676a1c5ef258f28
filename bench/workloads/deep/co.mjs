// deep in co.
import co from "co";

export const depth = co.wrap(function* (n) {
  if (n === 0) return 0;
  return (yield depth(n - 1)) + 1;
});

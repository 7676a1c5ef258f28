// chain in co: co.wrap is co's async function; `yield promise` is its await.
import co from "co";

export const fib = co.wrap(function* (n) {
  if (n < 2) return n;
  return (yield fib(n - 1)) + (yield fib(n - 2));
});

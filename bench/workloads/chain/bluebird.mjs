// chain in Bluebird: Promise.coroutine is Bluebird's async function; `yield promise` is its await.
import Bluebird from "bluebird";

export const fib = Bluebird.coroutine(function* (n) {
  if (n < 2) return n;
  return (yield fib(n - 1)) + (yield fib(n - 2));
});

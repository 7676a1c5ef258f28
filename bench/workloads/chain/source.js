// chain: recursive fib where every call awaits two recursive async calls. Time per call.
export async function fib(n) {
  if (n < 2) return n;
  return (await fib(n - 1)) + (await fib(n - 2));
}

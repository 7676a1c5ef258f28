// deep: the deepest `await depth(n - 1)` recursion a variant survives.
export async function depth(n) {
  if (n === 0) return 0;
  return (await depth(n - 1)) + 1;
}

// promise-await: one task awaiting an already-resolved native Promise n times. Time per await.
export async function awaitResolved(n) {
  const resolved = Promise.resolve(1);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += await resolved;
  return sum;
}

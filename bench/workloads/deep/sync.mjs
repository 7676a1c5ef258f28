// deep, plain synchronous recursion: the JavaScript stack's own limit.
export function depth(n) {
  if (n === 0) return 0;
  return depth(n - 1) + 1;
}

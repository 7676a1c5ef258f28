/**
 * How a compiled coroutine function reflects itself (issue 7 part 4): the header text that its
 * `toString()` shows, `async function f(a, b = 1)`, built the same way by both front ends from
 * the function's own name and its parameters as written, types removed. Only the header is kept
 * (not the body), so the source is not carried twice; the runtime appends `{ [native code] }`.
 */

/** How the function was written: `async function`, an arrow, or a method of an object or class. */
export type FunctionForm = "function" | "arrow" | "method";

/**
 * The header text of a coroutine function. `name` is its own name as written (the declared
 * identifier, or a method's key text such as `[key]` or `#m`; "" for an anonymous function);
 * `params` are the parameters' texts without type annotations.
 */
export function functionHeader(form: FunctionForm, name: string, generator: boolean, params: readonly string[]): string {
  const list = params.join(", ");
  const star = generator ? "*" : "";
  if (form === "arrow") return `async (${list}) =>`;
  if (form === "method") return `async ${star}${name}(${list})`;
  return `async function${star}${name ? " " + name : ""}(${list})`;
}

/**
 * Exact-type assertions for the type probes (never run: `tsc --noEmit` only). `exact<E>()(v)`
 * compiles only when `v`'s type is exactly `E`, not merely assignable either way.
 */
export type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;

/** `exact<Expected>()(value)`: a compile error unless `typeof value` is exactly `Expected`. */
export declare function exact<Expected>(): <Actual>(
  value: Actual,
  ...mismatch: Equal<Actual, Expected> extends true ? [] : [error: "the type is not exactly the expected one", actual: Actual]
) => void;

// A small seeded PRNG (sfc32): the same (seed, index) always gives the same program, on any machine.

/** A generator of random choices from one 32-bit seed. */
export class Random {
  constructor(seed) {
    // Spread the seed over the four state words (splitmix32), then warm up.
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32() {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** An integer in [lo, hi]. */
  int(lo, hi) {
    return lo + (this.u32() % (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p) {
    return this.u32() / 4294967296 < p;
  }

  pick(items) {
    return items[this.u32() % items.length];
  }

  /** One of `choices` ([weight, value] pairs), by weight; weights of 0 are never picked. */
  weighted(choices) {
    const total = choices.reduce((sum, [w]) => sum + w, 0);
    let at = (this.u32() / 4294967296) * total;
    for (const [w, value] of choices) {
      if (w <= 0) continue;
      if (at < w) return value;
      at -= w;
    }
    return choices.filter(([w]) => w > 0).at(-1)[1];
  }
}

/** The seed of program `index` of a run with seed `seed` (each program reproducible alone). */
export function programSeed(seed, index) {
  return (Math.imul(seed >>> 0, 0x01000193) ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
}

// CPython's `random.Random` (Modules/_randommodule.c + Lib/random.py, 3.11), bit for bit, so that
// reference sets sampled here equal the ones the official few_shot_sampling.py wrote (spec §6).
import { RandomArgumentError } from './errors.ts';

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const TWO_32 = 4294967296;

export interface Mt19937State {
  /** The 624 state words. */
  mt: Uint32Array;
  /** Position of the next word to temper; 624 means "twist first". */
  index: number;
}

/** Number of bits of a non-negative safe integer (Python's int.bit_length). */
function bitLength(n: number): number {
  let k = 0;
  let m = n;
  while (m >= TWO_32) {
    m = Math.floor(m / TWO_32);
    k += 32;
  }
  return k + 32 - Math.clz32(m);
}

function bigBitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

function checkSafeInt(x: number, what: string): void {
  if (!Number.isSafeInteger(x)) throw new RandomArgumentError(`${what} must be a safe integer, got ${x}`);
}

/** `random.seed(int)`: the 32-bit little-endian words of |a| ([0] for 0). */
export function seedKeyWords(a: number | bigint): number[] {
  if (typeof a === 'number') checkSafeInt(a, 'seed');
  let n = BigInt(a);
  if (n < 0n) n = -n;
  const words: number[] = [];
  do {
    words.push(Number(n & 0xffffffffn));
    n >>= 32n;
  } while (n > 0n);
  return words;
}

export class Mt19937 {
  private readonly mt = new Uint32Array(N);
  private index = N;

  constructor(seed: number | bigint) {
    this.seed(seed);
  }

  /** `random.seed(a)` for an int `a` of any size and sign. */
  seed(a: number | bigint): void {
    this.initByArray(seedKeyWords(a));
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1];
      mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
    this.index = N;
  }

  private initByArray(key: readonly number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1];
      mt[i] = ((mt[i] ^ Math.imul(prev ^ (prev >>> 30), 1664525)) + key[j] + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1];
      mt[i] = ((mt[i] ^ Math.imul(prev ^ (prev >>> 30), 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
    }
    mt[0] = 0x80000000;
    this.index = N;
  }

  private twist(): void {
    const mt = this.mt;
    let kk = 0;
    let y: number;
    for (; kk < N - M; kk++) {
      y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
      mt[kk] = mt[kk + M] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; kk < N - 1; kk++) {
      y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
      mt[kk] = mt[kk + (M - N)] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
    mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.index = 0;
  }

  /** genrand_uint32: the next tempered 32-bit output. */
  nextUint32(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `random()`: 53-bit float in [0, 1) from two outputs. */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
  }

  /** `getrandbits(k)`: 32-bit words from least to most significant, the last one right-shifted. */
  getrandbits(k: number): bigint {
    checkSafeInt(k, 'getrandbits k');
    if (k < 0) throw new RandomArgumentError('number of bits must be non-negative');
    if (k <= 32) return BigInt(this.smallBits(k));
    let out = 0n;
    let shift = 0n;
    for (let left = k; left > 0; left -= 32, shift += 32n) {
      let r = this.nextUint32();
      if (left < 32) r >>>= 32 - left;
      out |= BigInt(r) << shift;
    }
    return out;
  }

  /** getrandbits(k) for k ≤ 32 as a number (k = 0 draws nothing, as in CPython ≥ 3.9). */
  private smallBits(k: number): number {
    return k === 0 ? 0 : this.nextUint32() >>> (32 - k);
  }

  /** getrandbits(k) for k ≤ 53 as a number. */
  private numberBits(k: number): number {
    if (k <= 32) return this.smallBits(k);
    const low = this.nextUint32();
    const high = this.nextUint32() >>> (64 - k);
    return high * TWO_32 + low;
  }

  /** `_randbelow(n)` (getrandbits variant): redraw bit_length(n) bits until below n; n ≥ 1. */
  randbelow(n: number): number;
  randbelow(n: bigint): bigint;
  randbelow(n: number | bigint): number | bigint {
    if (typeof n === 'bigint') {
      if (n <= 0n) throw new RandomArgumentError('randbelow needs n > 0');
      if (n <= BigInt(Number.MAX_SAFE_INTEGER)) return BigInt(this.randbelow(Number(n)));
      const k = bigBitLength(n);
      let r = this.getrandbits(k);
      while (r >= n) r = this.getrandbits(k);
      return r;
    }
    checkSafeInt(n, 'randbelow n');
    if (n <= 0) throw new RandomArgumentError('randbelow needs n > 0');
    const k = bitLength(n);
    let r = this.numberBits(k);
    while (r >= n) r = this.numberBits(k);
    return r;
  }

  /** `randrange(stop)` / `randrange(start, stop[, step])` for safe integers. */
  randrange(start: number, stop?: number, step = 1): number {
    checkSafeInt(start, 'randrange start');
    if (stop === undefined) {
      if (step !== 1) throw new RandomArgumentError('Missing a non-None stop argument');
      if (start > 0) return this.randbelow(start);
      throw new RandomArgumentError('empty range for randrange()');
    }
    checkSafeInt(stop, 'randrange stop');
    checkSafeInt(step, 'randrange step');
    const width = stop - start;
    if (step === 1) {
      if (width > 0) return start + this.randbelow(width);
      throw new RandomArgumentError(`empty range for randrange() (${start}, ${stop}, ${width})`);
    }
    let n: number;
    if (step > 0) n = Math.floor((width + step - 1) / step);
    else if (step < 0) n = Math.floor((width + step + 1) / step);
    else throw new RandomArgumentError('zero step for randrange()');
    if (n <= 0) throw new RandomArgumentError('empty range for randrange()');
    return start + step * this.randbelow(n);
  }

  /** `shuffle(x)` in place: i = n−1 … 1 swaps x[i] with x[randbelow(i+1)]. */
  shuffle<T>(x: T[]): void {
    for (let i = x.length - 1; i > 0; i--) {
      const j = this.randbelow(i + 1);
      const t = x[i];
      x[i] = x[j];
      x[j] = t;
    }
  }

  /** `choices(population, weights=None, *, cum_weights=None, k=1)` as in CPython 3.11. */
  choices<T>(
    population: readonly T[],
    options: { weights?: readonly number[]; cumWeights?: readonly number[]; k?: number } = {},
  ): T[] {
    const k = options.k ?? 1;
    checkSafeInt(k, 'choices k');
    const n = population.length;
    if (n === 0 && k > 0) throw new RandomArgumentError('Cannot choose from an empty population');
    const out: T[] = [];
    let cum = options.cumWeights;
    if (cum === undefined) {
      if (options.weights === undefined) {
        for (let i = 0; i < k; i++) out.push(population[Math.floor(this.random() * n)]);
        return out;
      }
      let acc = 0;
      cum = options.weights.map((w, i) => (acc = i === 0 ? w : acc + w));
    } else if (options.weights !== undefined) {
      throw new RandomArgumentError('Cannot specify both weights and cumulative weights');
    }
    if (cum.length !== n) throw new RandomArgumentError('The number of weights does not match the population');
    const total = cum[n - 1] + 0.0;
    if (total <= 0.0) throw new RandomArgumentError('Total of weights must be greater than zero');
    if (!Number.isFinite(total)) throw new RandomArgumentError('Total of weights must be finite');
    const hi = n - 1;
    for (let i = 0; i < k; i++) out.push(population[bisectRight(cum, this.random() * total, 0, hi)]);
    return out;
  }

  getState(): Mt19937State {
    return { mt: this.mt.slice(), index: this.index };
  }

  setState(state: Mt19937State): void {
    if (state.mt.length !== N || !Number.isInteger(state.index) || state.index < 0 || state.index > N) {
      throw new RandomArgumentError(`state needs ${N} words and an index in 0..${N}`);
    }
    this.mt.set(state.mt);
    this.index = state.index;
  }
}

/** Python's bisect.bisect_right(a, x, lo, hi). */
function bisectRight(a: readonly number[], x: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x < a[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

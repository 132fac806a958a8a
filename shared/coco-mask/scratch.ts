// Work buffers reused across calls, so that encoding or parsing one more mask allocates nothing
// but its result. JS runs one call at a time per realm, so sharing them is safe; a buffer that
// one huge input blew up is dropped afterwards instead of pinning its memory.

/** Elements a buffer may keep between calls (4 MiB of 32-bit values). */
const KEEP = 1 << 20;
const INITIAL = 1024;

type Typed = Uint8Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>;

export class Scratch<T extends Typed> {
  #buf: T;
  readonly #make: (n: number) => T;

  constructor(make: (n: number) => T) {
    this.#make = make;
    this.#buf = make(INITIAL);
  }

  /** A buffer of at least n elements; its contents are unspecified. */
  atLeast(n: number): T {
    if (this.#buf.length < n) this.#buf = this.#make(Math.max(n, this.#buf.length * 2));
    return this.#buf;
  }

  /** The buffer doubled, keeping its first `used` elements. */
  grow(used: number): T {
    const bigger = this.#make(this.#buf.length * 2);
    bigger.set(this.#buf.subarray(0, used));
    this.#buf = bigger;
    return bigger;
  }

  /** Call when done with the buffer's contents. */
  release(): void {
    if (this.#buf.length > KEEP) this.#buf = this.#make(INITIAL);
  }
}

export const u8 = (n: number): Uint8Array<ArrayBuffer> => new Uint8Array(n);
export const i32 = (n: number): Int32Array<ArrayBuffer> => new Int32Array(n);
export const u32 = (n: number): Uint32Array<ArrayBuffer> => new Uint32Array(n);

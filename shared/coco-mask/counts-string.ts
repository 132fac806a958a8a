// pycocotools' compressed counts string (maskApi.c rleToString / rleFrString). Each value is a
// signed number written 5 bits per char, least significant group first, as chars 48..111:
// bit 0x20 says another char follows, bit 0x10 of the last char is the sign. From the fourth
// count on, the value written is the difference to the count two places back (a run length is
// usually close to the previous run of the same colour), so values can be negative.
import { RleFormatError } from './errors.ts';
import { Scratch, u32, u8 } from './scratch.ts';

export const MAX_COUNT = 0xffffffff;
/** 7 chars carry 35 bits: enough for any uint32 count and any difference of two of them. */
export const MAX_CHARS_PER_VALUE = 7;
export const CHAR_BASE = 48;

const textBytes = new Scratch(u8);
const parsed = new Scratch(u32);
const ascii = new TextDecoder('latin1');

/** Runs (column-major, first run counts zeros) → pycocotools' compressed string. */
export function countsToString(counts: ArrayLike<number>): string {
  const m = counts.length;
  const bytes = textBytes.atLeast(m * MAX_CHARS_PER_VALUE);
  let p = 0;
  for (let i = 0; i < m; i++) {
    const c = counts[i];
    if (c >>> 0 !== c) throw new RleFormatError(`count ${i} is ${c}; counts are integers in 0..2^32-1`);
    let x = i > 2 ? c - counts[i - 2] : c;
    let more = true;
    while (more) {
      // ToInt32 keeps the low 5 bits of any integer below 2^53, negative ones in two's complement,
      // and (x - low) / 32 is then an exact floor division: C's arithmetic shift on a long.
      const low = x & 0x1f;
      x = (x - low) / 32;
      more = low & 0x10 ? x !== -1 : x !== 0;
      bytes[p++] = (more ? low | 0x20 : low) + CHAR_BASE;
    }
  }
  const text = ascii.decode(bytes.subarray(0, p));
  textBytes.release();
  return text;
}

/**
 * pycocotools' compressed string → runs. Unlike rleFrString (which reads past the end of an
 * unfinished value and wraps impossible counts modulo 2^32) any string that is not the encoding
 * of uint32 counts is refused; work and memory are linear in the string length.
 */
export function stringToCounts(s: string): Uint32Array {
  const n = s.length;
  const out = parsed.atLeast(n);
  let m = 0;
  let p = 0;
  while (p < n) {
    const start = p;
    let x = 0;
    let scale = 1;
    let c: number;
    do {
      if (p === n) throw new RleFormatError(`counts string ends inside value ${m} (at char ${start})`);
      if (p - start === MAX_CHARS_PER_VALUE) {
        throw new RleFormatError(`value ${m} of the counts string is longer than ${MAX_CHARS_PER_VALUE} chars (at char ${start})`);
      }
      c = s.charCodeAt(p) - CHAR_BASE;
      if (c < 0 || c > 63) throw new RleFormatError(`counts string has character ${JSON.stringify(s[p])} at ${p}; allowed are '0'..'o'`);
      x += (c & 0x1f) * scale;
      scale *= 32;
      p++;
    } while (c & 0x20);
    if (c & 0x10) x -= scale;
    if (m > 2) x += out[m - 2];
    if (x < 0 || x > MAX_COUNT) throw new RleFormatError(`count ${m} decodes to ${x} (at char ${start}); counts are 0..2^32-1`);
    out[m++] = x;
  }
  const counts = out.slice(0, m);
  parsed.release();
  return counts;
}

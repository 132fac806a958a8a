import { InternalError } from '../errors.ts';

/** A resampler was called with sizes or buffers that do not fit: a caller bug, not bad user input. */
export class ResampleArgumentError extends InternalError {}

export function checkSize(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 1) throw new ResampleArgumentError(`${name} must be a positive integer, got ${n}`);
}

export function checkBuffer(name: string, length: number, expected: number): void {
  if (length !== expected) throw new ResampleArgumentError(`${name} has ${length} elements, expected ${expected}`);
}

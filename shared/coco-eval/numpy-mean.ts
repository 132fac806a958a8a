// numpy 1.24's float64 `mean` of a 1-D contiguous array, bit for bit: pycocotools' summary
// numbers are np.mean(s[s > -1]), and the summation order decides the last bits.

/** numpy's buffered reduction hands the add loop at most this many elements at a time. */
const NUMPY_BUFSIZE = 8192;
/** Below this the pairwise sum adds in 8 interleaved accumulators (numpy PW_BLOCKSIZE). */
const PW_BLOCKSIZE = 128;

/** DOUBLE_pairwise_sum from numpy's loops_utils.h. */
function pairwiseSum(a: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i];
    return res;
  }
  if (n <= PW_BLOCKSIZE) {
    const r = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let j = 0; j < 8; j++) r[j] = a[start + j];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] += a[start + i + j];
    }
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/**
 * np.add.reduce as numpy 1.24 runs it: start from the identity 0, add the pairwise sum of each
 * 8192-element chunk in turn (numpy ≥ 2.3 no longer chunks; the fixtures come from 1.24).
 */
export function numpySum(a: ArrayLike<number>): number {
  let total = 0;
  for (let start = 0; start < a.length; start += NUMPY_BUFSIZE) {
    total += pairwiseSum(a, start, Math.min(NUMPY_BUFSIZE, a.length - start));
  }
  return total;
}

/** np.mean: the sum above divided by the count (NaN for an empty array). */
export function numpyMean(a: ArrayLike<number>): number {
  return numpySum(a) / a.length;
}

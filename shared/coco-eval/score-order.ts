/**
 * np.argsort(-scores, kind='mergesort'): indices by decreasing score, ties in input order, NaN
 * last (numpy sorts NaN to the end).
 */
export function orderByScoreDesc(scores: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((i, j) => {
    const a = -scores[i];
    const b = -scores[j];
    if (a < b) return -1;
    if (a > b) return 1;
    const an = a !== a;
    const bn = b !== b;
    if (an !== bn) return an ? 1 : -1;
    return i - j;
  });
}

// The reference reading of compact masks (shared/matching/compact-low-res.ts) for tests: every
// cell ±1 by its sign bit, the edge cells' true logits written over it. Extraction from this
// dense form must equal extraction from the compact form itself.
import type { CompactLowRes } from '../shared/matching/index.ts';

export function densePlanes(batches: CompactLowRes | readonly CompactLowRes[]): Float32Array {
  const list: readonly CompactLowRes[] = Array.isArray(batches) ? batches : [batches];
  const out = new Float32Array(list.reduce((n, b) => n + b.count, 0) * 65536);
  let base = 0;
  for (const { count, sign, edgeCell, edgeLogit } of list) {
    for (let c = 0; c < count * 65536; c++) out[base + c] = (sign[c >> 3] >> (c & 7)) & 1 ? 1 : -1;
    edgeCell.forEach((c, e) => (out[base + c] = edgeLogit[e]));
    base += count * 65536;
  }
  return out;
}

// A binary mask as a 1-bit greyscale PNG (white = mask), with Web-standard APIs only:
// CompressionStream('deflate') produces the zlib stream PNG's IDAT needs on every runtime.
import { decodeRle } from '../../shared/coco-mask/index.ts';
import type { Rle } from '../../shared/types.ts';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array, crc = 0xffffffff): number {
  let c = crc;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return c;
}

/** The PNG scanlines of an RLE mask: per row a filter byte 0, then the row packed 8 pixels a byte, MSB first. */
export function packedRows(rle: Rle): Uint8Array {
  const [h, w] = rle.size;
  const pixels = decodeRle(rle);
  const stride = 1 + Math.ceil(w / 8);
  const out = new Uint8Array(h * stride);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const line = y * stride + 1;
    for (let x = 0; x < w; x++) if (pixels[row + x]) out[line + (x >> 3)] |= 0x80 >> (x & 7);
  }
  return out;
}

async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  v.setUint32(8 + data.length, (crc32(out.subarray(4, 8 + data.length)) ^ 0xffffffff) >>> 0);
  return out;
}

export async function rleToPng(rle: Rle): Promise<Uint8Array> {
  const [h, w] = rle.size;
  const header = new Uint8Array(13);
  const v = new DataView(header.buffer);
  v.setUint32(0, w);
  v.setUint32(4, h);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale; compression, filter and interlace bytes stay 0
  const parts = [Uint8Array.from(SIGNATURE), chunk('IHDR', header), chunk('IDAT', await deflate(packedRows(rle))), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

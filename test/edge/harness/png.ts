// Reads the 1-bit greyscale PNGs of the edge's `maskFormat: "png"` (filter type 0 only, which is
// what it writes) with Web APIs, so the API suite can compare them with the RLE masks anywhere.
export async function readMaskPng(bytes: Uint8Array): Promise<{ width: number; height: number; pixels: Uint8Array }> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  while (pos < bytes.length) {
    const length = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    const data = bytes.subarray(pos + 8, pos + 8 + length);
    if (type === 'IHDR') {
      width = view.getUint32(pos + 8);
      height = view.getUint32(pos + 12);
      if (data[8] !== 1 || data[9] !== 0) throw new Error(`not a 1-bit greyscale PNG (depth ${data[8]}, colour type ${data[9]})`);
    }
    if (type === 'IDAT') idat.push(data);
    pos += 12 + length;
  }
  const packed = new Uint8Array(await new Response(new Blob(idat as BlobPart[]).stream().pipeThrough(new DecompressionStream('deflate'))).arrayBuffer());
  const stride = 1 + Math.ceil(width / 8);
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    if (packed[y * stride] !== 0) throw new Error(`row ${y} uses filter ${packed[y * stride]}`);
    for (let x = 0; x < width; x++) pixels[y * width + x] = (packed[y * stride + 1 + (x >> 3)] >> (7 - (x & 7))) & 1;
  }
  return { width, height, pixels };
}

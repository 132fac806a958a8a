// Reference annotations given as files on the command line: a mask image (PNG or any format sharp
// reads; non-zero pixels are the instance) or a JSON file holding a COCO RLE or polygons, and
// boxes written `x,y,w,h`.
import { readFile } from 'node:fs/promises';
import sharp, { type OutputInfo } from 'sharp';
import { annToRle, encodeMask } from '../../shared/coco-mask/index.ts';
import type { CocoSegmentation } from '../../shared/coco-mask/index.ts';
import { BadRequestError } from '../../shared/errors.ts';
import type { CocoBox, Rle } from '../../shared/types.ts';

/** The instance mask in `path` for an image of width × height. */
export async function readMaskFile(path: string, width: number, height: number): Promise<Rle> {
  const bytes = await readFile(path);
  if (path.toLowerCase().endsWith('.json')) {
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      throw new BadRequestError(`${path}: not valid JSON (${(err as Error).message}).`, { cause: err });
    }
    const segmentation = (json as { segmentation?: unknown }).segmentation ?? json;
    return annToRle(segmentation as CocoSegmentation, height, width);
  }
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(bytes).removeAlpha().greyscale().raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new BadRequestError(`${path}: not a mask image or a .json file (${(err as Error).message.split('\n')[0]}). Give a PNG whose non-zero pixels are the instance, or a .json COCO RLE or polygons.`, { cause: err });
  }
  const { data, info } = decoded;
  if (info.width !== width || info.height !== height) {
    throw new BadRequestError(`${path}: the mask is ${info.width}×${info.height}, its image is ${width}×${height}.`);
  }
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) mask[i] = data[i * info.channels] > 0 ? 1 : 0;
  return encodeMask(mask, height, width);
}

/** `x,y,w,h` → COCO box. */
export function parseBox(text: string): CocoBox {
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 4 || !parts.every((v) => Number.isFinite(v) && v >= 0) || parts[2] <= 0 || parts[3] <= 0) {
    throw new BadRequestError(`"${text}" is not a box x,y,w,h (four numbers, width and height above 0).`);
  }
  return parts as CocoBox;
}

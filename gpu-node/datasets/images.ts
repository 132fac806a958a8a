// Where a COCO image's file is: `file_name` relative to the images folder the user names.
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CocoImage } from '../../shared/coco-eval/index.ts';
import { DatasetError } from './errors.ts';

export function imagePath(imagesDir: string, image: CocoImage): string {
  if (typeof image.file_name !== 'string' || image.file_name === '') throw new DatasetError(`Image ${image.id} has no file_name.`);
  return join(imagesDir, image.file_name);
}

/** Fails before any model work when some image files are absent, listing the first few. */
export async function requireImages(imagesDir: string, images: readonly CocoImage[]): Promise<void> {
  const missing: string[] = [];
  await Promise.all(
    images.map(async (image) => {
      const path = imagePath(imagesDir, image);
      try {
        await access(path);
      } catch {
        missing.push(path);
      }
    }),
  );
  if (missing.length === 0) return;
  missing.sort();
  const more = missing.length > 5 ? `, and ${missing.length - 5} more` : '';
  throw new DatasetError(`${missing.length} of ${images.length} image files are missing: ${missing.slice(0, 5).join(', ')}${more}.`);
}

export async function readImage(imagesDir: string, image: CocoImage): Promise<Uint8Array> {
  const path = imagePath(imagesDir, image);
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    throw new DatasetError(`Cannot read image ${image.id} (${path}): ${(err as Error).message}`, { cause: err });
  }
}

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError } from './errors.ts';
import { requireImages } from './images.ts';
import { readCocoFile } from './json-file.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-json-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const good = {
  images: [{ id: 1, width: 10, height: 10, file_name: 'a.png' }],
  categories: [{ id: 2, name: 'cup' }],
  annotations: [{ id: 3, image_id: 1, category_id: 2, bbox: [1, 1, 2, 2], area: 4, extra: 'kept' }],
};

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe('readCocoFile', () => {
  it('reads a valid file, keeping unknown members', async () => {
    const d = await readCocoFile(await file('good.json', JSON.stringify(good)));
    expect(d.annotations[0].extra).toBe('kept');
  });

  it('names the file and the problem', async () => {
    const path = await file('bad.json', JSON.stringify({ ...good, images: [{ id: 1, width: -1, height: 10 }] }));
    await expect(readCocoFile(path)).rejects.toThrow(new RegExp(`${path}.*images\\[0\\]\\.width`));
    await expect(readCocoFile(await file('trunc.json', '{"images": ['))).rejects.toThrow(/is not JSON/);
    await expect(readCocoFile(join(dir, 'absent.json'))).rejects.toThrow(DatasetError);
  });

  it('refuses dangling and repeated ids', async () => {
    const path = await file(
      'dangling.json',
      JSON.stringify({ ...good, annotations: [...good.annotations, { id: 3, image_id: 9, category_id: 7, bbox: [0, 0, 1, 1], area: 1 }] }),
    );
    await expect(readCocoFile(path)).rejects.toThrow(/annotation id 3 appears twice; annotation 3 is on image 9, which is not listed; annotation 3 has category 7/);
  });
});

describe('requireImages', () => {
  it('lists the missing files before any work starts', async () => {
    await writeFile(join(dir, 'a.png'), 'x');
    await expect(requireImages(dir, good.images)).resolves.toBeUndefined();
    await expect(requireImages(dir, [...good.images, { id: 2, width: 1, height: 1, file_name: 'sub/b.png' }])).rejects.toThrow(
      `1 of 2 image files are missing: ${join(dir, 'sub/b.png')}.`,
    );
  });
});

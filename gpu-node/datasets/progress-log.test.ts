import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openProgressLog } from './progress-log.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-progress-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const result = (imageId: number) => ({ image_id: imageId, category_id: 3, score: 0.5, bbox: [1, 2, 3, 4] });

describe('progress log', () => {
  it('keeps finished images across opens, drops a torn last line and other fingerprints', async () => {
    const path = join(dir, 'r.json.progress.jsonl');
    const first = await openProgressLog(path, 'A');
    expect(first.done.size).toBe(0);
    await first.append({ fingerprint: 'A', image_id: 1, sha256: 'x1', results: [result(1)] });
    await first.append({ fingerprint: 'A', image_id: 2, sha256: 'x2', results: [] });
    await first.close();
    // Another run's line and a line cut short by a crash.
    await appendFile(path, `${JSON.stringify({ fingerprint: 'B', image_id: 3, sha256: 'x3', results: [] })}\n{"fingerprint":"A","image_id":4,"sha`);

    const again = await openProgressLog(path, 'A');
    expect([...again.done.keys()]).toEqual([1, 2]);
    expect(again.done.get(1)?.results).toEqual([result(1)]);
    await again.append({ fingerprint: 'A', image_id: 4, sha256: 'x4', results: [] });
    await again.close();
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l).image_id);
    expect(lines).toEqual([1, 2, 4]);

    const other = await openProgressLog(path, 'B');
    expect(other.done.size).toBe(0);
    await other.close();
  });

  it('a later line of the same image wins', async () => {
    const path = join(dir, 'p.jsonl');
    await writeFile(
      path,
      [
        { fingerprint: 'A', image_id: 1, sha256: 'old', results: [] },
        { fingerprint: 'A', image_id: 1, sha256: 'new', results: [] },
      ]
        .map((l) => `${JSON.stringify(l)}\n`)
        .join(''),
    );
    const log = await openProgressLog(path, 'A');
    expect(log.done.get(1)?.sha256).toBe('new');
    await log.close();
  });
});

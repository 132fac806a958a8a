// The resume file of `refseg eval`: one JSON line per finished image, written as soon as the image
// is done, keyed by image id, the image's SHA-256 and the run's fingerprint (bank, models,
// pipeline, options). An interrupted run leaves at most one torn last line, which is dropped; lines
// of another fingerprint (another bank or setting) or of changed image bytes are not reused.
import { open, readFile, rename, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import { CocoResultSchema } from '../../shared/coco-eval/index.ts';
import type { CocoResult } from '../../shared/coco-eval/index.ts';
import { errorCode } from '../model-store/fs-util.ts';

export const ProgressLineSchema = z.strictObject({
  fingerprint: z.string(),
  image_id: z.number().int(),
  sha256: z.string(),
  results: z.array(CocoResultSchema),
});
export type ProgressLine = z.infer<typeof ProgressLineSchema> & { results: CocoResult[] };

export interface ProgressLog {
  readonly path: string;
  /** Finished images of this fingerprint, by image id. */
  readonly done: ReadonlyMap<number, ProgressLine>;
  append(line: ProgressLine): Promise<void>;
  close(): Promise<void>;
}

function parseLine(text: string): ProgressLine | undefined {
  try {
    const parsed = ProgressLineSchema.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data as ProgressLine) : undefined;
  } catch {
    return undefined;
  }
}

/** Opens (creating if needed) the log, keeping only this fingerprint's complete lines. */
export async function openProgressLog(path: string, fingerprint: string): Promise<ProgressLog> {
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw err;
  }
  const done = new Map<number, ProgressLine>();
  const lines = text.split('\n').filter((l) => l !== '');
  for (const l of lines) {
    const line = parseLine(l);
    if (line !== undefined && line.fingerprint === fingerprint) done.set(line.image_id, line);
  }
  if (done.size !== lines.length || (text !== '' && !text.endsWith('\n'))) {
    // Rewritten (beside, then renamed) so appends start on a clean line with only usable lines.
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, [...done.values()].map((l) => `${JSON.stringify(l)}\n`).join(''));
    await rename(tmp, path);
  }
  const handle: FileHandle = await open(path, 'a');
  return {
    path,
    done,
    async append(line) {
      await handle.write(`${JSON.stringify(line)}\n`);
      await handle.datasync();
      done.set(line.image_id, line);
    },
    close: () => handle.close(),
  };
}

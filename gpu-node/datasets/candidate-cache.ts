// Candidate sets kept on disk between runs (`--candidates-cache <dir>`): they depend only on the
// image bytes, the models and the proposal settings, never on the bank (DESIGN.md, The split), so
// evaluating another bank on the same images needs no model work. One file per set, in the
// binary wire format with float32 embeddings (lossless), named by image hash and a hash of
// model id + pipeline id.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bytesToHex, sha256 } from '../../shared/encoding/index.ts';
import type { CandidateSet } from '../../shared/types.ts';
import { decodeCandidateSet, encodeCandidateSet } from '../../shared/wire/index.ts';
import { errorCode } from '../model-store/fs-util.ts';

export class CandidateCache {
  constructor(readonly dir: string) {}

  private async path(imageSha256: string, modelId: string, pipelineId: string): Promise<string> {
    const provenance = bytesToHex((await sha256(new TextEncoder().encode(`${modelId}\n${pipelineId}`))).subarray(0, 8));
    return join(this.dir, imageSha256.slice(0, 2), `${imageSha256}.${provenance}.rcs`);
  }

  /** The cached set, or undefined (also for an unreadable file, which is then rewritten). */
  async get(imageSha256: string, modelId: string, pipelineId: string): Promise<CandidateSet | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(await this.path(imageSha256, modelId, pipelineId)));
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return undefined;
      throw err;
    }
    try {
      const set = decodeCandidateSet(bytes);
      const same = set.imageSha256 === imageSha256 && set.modelId === modelId && set.pipelineId === pipelineId;
      return same ? set : undefined;
    } catch {
      return undefined;
    }
  }

  async put(set: CandidateSet): Promise<void> {
    const path = await this.path(set.imageSha256, set.modelId, set.pipelineId);
    await mkdir(join(this.dir, set.imageSha256.slice(0, 2)), { recursive: true });
    // Written beside and renamed, so a reader never sees half a file.
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, encodeCandidateSet(set, { dtype: 'float32' }));
    await rename(tmp, path);
  }
}

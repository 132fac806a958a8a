// The model presets on disk: every file of every preset that is at least partly there, its size
// and SHA-256, checked against what the preset table says where it says it.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { listModels } from '../../model-store/index.ts';
import type { FileState, Preset, PresetState } from '../../model-store/index.ts';
import { entries } from '../../model-store/presets.ts';

export type FileVerdict = 'ok' | 'unverified' | 'sha256-mismatch' | 'size-mismatch' | 'partial' | 'missing' | 'not-hashed';

export interface CheckedFile {
  name: string;
  path: string;
  optional: boolean;
  bytes: number | null;
  expectedSize: number | null;
  sha256?: string;
  expectedSha256?: string;
  verdict: FileVerdict;
}

export interface CheckedPreset {
  id: string;
  family: Preset['family'];
  dir: string;
  state: PresetState;
  files: CheckedFile[];
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function verdictOf(state: FileState, optional: boolean): FileVerdict | undefined {
  if (state === 'partial') return 'partial';
  if (state === 'missing') return optional ? undefined : 'missing';
  if (state === 'wrong-size') return 'size-mismatch';
  return undefined;
}

/** Presets with files on disk; hashes every complete file unless `hash` is false. */
export async function checkPresets(dir: string, presets: readonly Preset[], hash: boolean): Promise<CheckedPreset[]> {
  const present = (await listModels(dir, presets)).filter((s) => s.state !== 'absent');
  const out: CheckedPreset[] = [];
  for (const status of present) {
    const expected = new Map(entries(status.preset).map((e) => [e.name, e.source.extract ? undefined : e.source.sha256]));
    const files: CheckedFile[] = [];
    for (const f of status.files) {
      const path = join(status.dir, f.name);
      const early = verdictOf(f.state, f.optional);
      if (f.state === 'missing' && early === undefined) continue; // an optional file that does not exist
      const base = { name: f.name, path, optional: f.optional, bytes: f.bytes, expectedSize: f.size, expectedSha256: expected.get(f.name) };
      if (early !== undefined) {
        files.push({ ...base, verdict: early });
        continue;
      }
      if (!hash) {
        files.push({ ...base, verdict: 'not-hashed' });
        continue;
      }
      const sha256 = await sha256File(path);
      const want = base.expectedSha256;
      files.push({ ...base, sha256, verdict: want === undefined ? 'unverified' : want === sha256 ? 'ok' : 'sha256-mismatch' });
    }
    out.push({ id: status.preset.id, family: status.preset.family, dir: status.dir, state: status.state, files });
  }
  return out;
}

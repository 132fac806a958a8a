// What is in the cache folder: for every preset, which of its files are complete, partly
// downloaded (a `.part` is waiting to be resumed) or missing.
import { join } from 'node:path';
import { partPath } from './fetch-file.ts';
import { sizeOf } from './fs-util.ts';
import { presetDir } from './locations.ts';
import { PRESETS, entries, localName } from './presets.ts';
import type { FileRole, Preset } from './presets.ts';

export type FileState = 'complete' | 'partial' | 'missing' | 'wrong-size';

export interface FileStatus {
  name: string;
  role: FileRole;
  optional: boolean;
  state: FileState;
  /** Bytes on disk (of the file, or of its `.part` / archive `.part`), null when none. */
  bytes: number | null;
  /** Size the preset expects, null when unknown. */
  size: number | null;
}

export type PresetState = 'complete' | 'partial' | 'absent';

export interface PresetStatus {
  preset: Preset;
  dir: string;
  state: PresetState;
  files: FileStatus[];
}

async function fileStatus(folder: string, entry: ReturnType<typeof entries>[number]): Promise<FileStatus> {
  const base = { name: entry.name, role: entry.role, optional: entry.optional, size: entry.size };
  const onDisk = await sizeOf(join(folder, entry.name));
  if (onDisk !== null) return { ...base, state: entry.size === null || onDisk === entry.size ? 'complete' : 'wrong-size', bytes: onDisk };
  // An archive member is on its way while the archive's .part exists.
  const part = entry.source.extract ? partPath(join(folder, localName(entry.source))) : partPath(join(folder, entry.name));
  const partial = await sizeOf(part);
  return { ...base, state: partial === null ? 'missing' : 'partial', bytes: partial };
}

export async function presetStatus(preset: Preset, dir: string): Promise<PresetStatus> {
  const folder = presetDir(dir, preset);
  const files = await Promise.all(entries(preset).map((e) => fileStatus(folder, e)));
  const required = files.filter((f) => !f.optional);
  let state: PresetState;
  if (required.every((f) => f.state === 'complete')) state = 'complete';
  else if (files.some((f) => f.state !== 'missing')) state = 'partial';
  else state = 'absent';
  return { preset, dir: folder, state, files };
}

/** Status of every preset in `presets` (default: the built-in table) under the cache `dir`. */
export async function listModels(dir: string, presets: readonly Preset[] = PRESETS): Promise<PresetStatus[]> {
  return Promise.all(presets.map((p) => presetStatus(p, dir)));
}

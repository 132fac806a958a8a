// Small file-system helpers shared by the store's modules.
import { stat } from 'node:fs/promises';

/** The errno-style code of an error or of the innermost error in its cause chain. */
export function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  let code: string | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string') code = c;
    e = (e as { cause?: unknown }).cause;
  }
  return code;
}

/** Size of the file at `path`, or null when there is none. */
export async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

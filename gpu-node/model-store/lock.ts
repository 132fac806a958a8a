// One writer per preset folder: two processes appending to the same `.part` would interleave
// bytes. The lock file holds the owner's pid, so a lock left by a crashed process is retaken.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelStoreLockedError } from './errors.ts';
import { errorCode } from './fs-util.ts';

export const LOCK_NAME = '.refseg-pull.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return errorCode(err) === 'EPERM';
  }
}

/** Takes the folder's lock; resolves to the function that releases it. */
export async function lockFolder(folder: string): Promise<() => Promise<void>> {
  const path = join(folder, LOCK_NAME);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, String(process.pid), { flag: 'wx' });
      return () => rm(path, { force: true });
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw err;
      const pid = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) throw new ModelStoreLockedError(path, pid);
      await rm(path, { force: true });
    }
  }
  throw new ModelStoreLockedError(path, Number.NaN);
}

// Extracts named members of a zip archive (the samexporter SAM2 exports ship as zips).
// Reads the central directory, so only the wanted members are inflated; each is written to
// `<name>.part`, checked against its recorded size and CRC-32, then renamed into place.
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInflateRaw, crc32 } from 'node:zlib';
import { ModelArchiveError } from './errors.ts';

interface CentralEntry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const U32_MAX = 0xffffffff;

async function readAt(fd: Awaited<ReturnType<typeof open>>, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fd.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/** Central directory of the zip at `path`. */
export async function readZipDirectory(path: string): Promise<CentralEntry[]> {
  const fd = await open(path, 'r');
  try {
    const fileSize = (await fd.stat()).size;
    const tailLength = Math.min(fileSize, 22 + 0xffff);
    const tail = await readAt(fd, fileSize - tailLength, tailLength);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD_SIG) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new ModelArchiveError(basename(path), 'not a zip archive (no end-of-directory record)');
    let count = tail.readUInt16LE(eocd + 10);
    let dirSize = tail.readUInt32LE(eocd + 12);
    let dirOffset = tail.readUInt32LE(eocd + 16);
    if (dirOffset === U32_MAX || dirSize === U32_MAX || count === 0xffff) {
      const locator = eocd - 20;
      if (locator < 0 || tail.readUInt32LE(locator) !== ZIP64_LOCATOR_SIG) {
        throw new ModelArchiveError(basename(path), 'zip64 archive without a zip64 locator');
      }
      const record = await readAt(fd, Number(tail.readBigUInt64LE(locator + 8)), 56);
      if (record.readUInt32LE(0) !== ZIP64_EOCD_SIG) throw new ModelArchiveError(basename(path), 'bad zip64 end-of-directory record');
      count = Number(record.readBigUInt64LE(32));
      dirSize = Number(record.readBigUInt64LE(40));
      dirOffset = Number(record.readBigUInt64LE(48));
    }
    const dir = await readAt(fd, dirOffset, dirSize);
    const out: CentralEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > dir.length || dir.readUInt32LE(p) !== CENTRAL_SIG) throw new ModelArchiveError(basename(path), 'corrupt central directory');
      const nameLength = dir.readUInt16LE(p + 28);
      const extraLength = dir.readUInt16LE(p + 30);
      const commentLength = dir.readUInt16LE(p + 32);
      const entry: CentralEntry = {
        name: dir.toString('utf8', p + 46, p + 46 + nameLength),
        flags: dir.readUInt16LE(p + 8),
        method: dir.readUInt16LE(p + 10),
        crc: dir.readUInt32LE(p + 16),
        compressedSize: dir.readUInt32LE(p + 20),
        size: dir.readUInt32LE(p + 24),
        localHeaderOffset: dir.readUInt32LE(p + 42),
      };
      applyZip64Extra(entry, dir.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength));
      out.push(entry);
      p += 46 + nameLength + extraLength + commentLength;
    }
    return out;
  } finally {
    await fd.close();
  }
}

/** Values saturated at 0xFFFFFFFF are given in the zip64 extra field, in this order. */
function applyZip64Extra(entry: CentralEntry, extra: Buffer): void {
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(p);
    const length = extra.readUInt16LE(p + 2);
    if (id === 0x0001) {
      let q = p + 4;
      for (const key of ['size', 'compressedSize', 'localHeaderOffset'] as const) {
        if (entry[key] === U32_MAX && q + 8 <= p + 4 + length) {
          entry[key] = Number(extra.readBigUInt64LE(q));
          q += 8;
        }
      }
    }
    p += 4 + length;
  }
}

/**
 * Extracts the members whose base names are `names` (wherever they sit in the archive) into
 * `outDir` under those base names.
 */
export async function extractZipMembers(zipPath: string, names: readonly string[], outDir: string): Promise<void> {
  const archive = basename(zipPath);
  const directory = await readZipDirectory(zipPath);
  for (const name of names) {
    const matches = directory.filter((e) => !e.name.endsWith('/') && basename(e.name) === name);
    if (matches.length === 0) throw new ModelArchiveError(archive, `has no member named ${name}`);
    if (matches.length > 1) throw new ModelArchiveError(archive, `has ${matches.length} members named ${name}`);
    await extractEntry(zipPath, matches[0], join(outDir, name));
  }
}

async function extractEntry(zipPath: string, entry: CentralEntry, target: string): Promise<void> {
  const archive = basename(zipPath);
  if (entry.flags & 1) throw new ModelArchiveError(archive, `${entry.name} is encrypted`);
  if (entry.method !== 0 && entry.method !== 8) throw new ModelArchiveError(archive, `${entry.name} uses compression method ${entry.method}`);
  const fd = await open(zipPath, 'r');
  let dataStart: number;
  try {
    const header = await readAt(fd, entry.localHeaderOffset, 30);
    if (header.length < 30 || header.readUInt32LE(0) !== LOCAL_SIG) throw new ModelArchiveError(archive, `bad local header for ${entry.name}`);
    dataStart = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  } finally {
    await fd.close();
  }

  let crc = 0;
  let size = 0;
  const check = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      crc = crc32(chunk, crc);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  const part = `${target}.part`;
  try {
    if (entry.compressedSize === 0) {
      await writeFile(part, new Uint8Array(0));
    } else {
      const source = createReadStream(zipPath, { start: dataStart, end: dataStart + entry.compressedSize - 1 });
      if (entry.method === 8) await pipeline(source, createInflateRaw(), check, createWriteStream(part));
      else await pipeline(source, check, createWriteStream(part));
    }
  } catch (err) {
    await rm(part, { force: true });
    throw new ModelArchiveError(archive, `cannot extract ${entry.name}: ${(err as Error).message}`, { cause: err });
  }
  if (size !== entry.size || crc >>> 0 !== entry.crc) {
    await rm(part, { force: true });
    throw new ModelArchiveError(archive, `${entry.name} is damaged (size or CRC-32 differs from the directory)`);
  }
  await rename(part, target);
}

// producer_name from the first bytes of an ONNX file: the stand-ins say so, a real PyTorch export
// (the weightless SAM2.1-tiny fixture) does not.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStandins, type StandinPaths } from '../standin/generate.ts';
import { anyStandin, producerName, producerNameOf, STANDIN_PRODUCER } from './producer.ts';

const REAL = resolve(import.meta.dirname, '../../test/fixtures/models/sam2.1-hiera-tiny-samexporter-weightless');
let dir: string;
let paths: StandinPaths;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-producer-'));
  paths = await generateStandins(join(dir, 'm'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('producerName', () => {
  it('reads the stand-ins\' producer and the real export\'s', async () => {
    expect(await producerName(paths.sam2A.decoder)).toBe(STANDIN_PRODUCER);
    expect(await producerName(paths.dino)).toBe(STANDIN_PRODUCER);
    expect(await producerName(join(REAL, 'decoder.onnx'))).toBe('pytorch');
    expect(await producerName(join(REAL, 'encoder.onnx'))).toBe('pytorch');
  });

  it('anyStandin: one stand-in file is enough; real files and unreadable paths are not', async () => {
    expect(await anyStandin([join(REAL, 'encoder.onnx'), join(REAL, 'decoder.onnx')])).toBe(false);
    expect(await anyStandin([join(REAL, 'encoder.onnx'), join(REAL, 'decoder.onnx'), paths.dino])).toBe(true);
    expect(await anyStandin([join(dir, 'missing.onnx')])).toBe(false);
  });

  it('gives null for headers without the field, truncated or not protobuf', async () => {
    expect(producerNameOf(Uint8Array.of(0x08, 0x08, 0x3a, 0x02, 0x0a, 0x00))).toBeNull(); // graph before any name
    expect(producerNameOf(Uint8Array.of(0x08, 0x08, 0x12, 0x0e, 0x72))).toBeNull(); // name cut short
    expect(producerNameOf(Uint8Array.of(0x0d, 0, 0, 0, 0))).toBeNull(); // fixed32: not a ModelProto header
    expect(producerNameOf(new Uint8Array(0))).toBeNull();
    const text = join(dir, 'text.onnx');
    await writeFile(text, 'not a model at all');
    expect(await producerName(text)).toBeNull();
  });
});

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelFormatError } from './errors.ts';
import { findSam2Files, pairVariant, variantOf } from './files.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-files-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A folder holding empty files of these names (only names matter to findSam2Files). */
async function folder(name: string, files: string[]): Promise<string> {
  const root = join(dir, name);
  for (const f of files) {
    await mkdir(join(root, f, '..'), { recursive: true });
    await writeFile(join(root, f), '');
  }
  return root;
}

/** The onnx/ folder of onnx-community/sam2.1-hiera-tiny-ONNX as published (spec/models.md §1.1). */
const HUB_VARIANTS = ['', '_fp16', '_int8', '_uint8', '_quantized', '_q4', '_q4f16', '_bnb4'];
const HUB_FILES = [
  'config.json',
  ...HUB_VARIANTS.flatMap((s) => [`onnx/vision_encoder${s}.onnx`, `onnx/vision_encoder${s}.onnx_data`, `onnx/prompt_encoder_mask_decoder${s}.onnx`]),
];

describe('findSam2Files', () => {
  it('finds both layouts, also under onnx/, and says which variant it took', async () => {
    const a = await folder('a', ['vision_encoder.onnx', 'vision_encoder.onnx_data', 'prompt_encoder_mask_decoder.onnx']);
    expect(await findSam2Files(a)).toEqual({ encoder: join(a, 'vision_encoder.onnx'), decoder: join(a, 'prompt_encoder_mask_decoder.onnx'), variant: 'fp32' });
    const b = await folder('b', ['sam2.1_hiera_tiny.encoder.onnx', 'sam2.1_hiera_tiny.decoder.onnx']);
    expect(await findSam2Files(b)).toEqual({
      encoder: join(b, 'sam2.1_hiera_tiny.encoder.onnx'),
      decoder: join(b, 'sam2.1_hiera_tiny.decoder.onnx'),
      variant: 'fp32',
    });
    const q = await folder('q', ['onnx/vision_encoder_quantized.onnx', 'onnx/prompt_encoder_mask_decoder_quantized.onnx']);
    expect(await findSam2Files(q)).toMatchObject({ encoder: join(q, 'onnx', 'vision_encoder_quantized.onnx'), variant: 'quantized' });
    await expect(findSam2Files(join(dir, 'nowhere'))).rejects.toThrow(/no SAM2 encoder\/decoder pair/);
  });

  it('picks the asked variant from a hub onnx/ folder holding all of them, fp32 by default', async () => {
    const hub = await folder('hub', HUB_FILES);
    const onnx = join(hub, 'onnx');
    expect(await findSam2Files(hub)).toEqual({
      encoder: join(onnx, 'vision_encoder.onnx'),
      decoder: join(onnx, 'prompt_encoder_mask_decoder.onnx'),
      variant: 'fp32',
    });
    for (const variant of ['fp16', 'int8', 'uint8', 'quantized', 'q4', 'q4f16', 'bnb4']) {
      expect(await findSam2Files(hub, variant)).toEqual({
        encoder: join(onnx, `vision_encoder_${variant}.onnx`),
        decoder: join(onnx, `prompt_encoder_mask_decoder_${variant}.onnx`),
        variant,
      });
    }
    expect(await findSam2Files(hub, 'fp32')).toMatchObject({ variant: 'fp32' });
  });

  it('names the variants a folder has when the asked one is missing or none is the default', async () => {
    const hub = await folder('hub2', HUB_FILES);
    const missing = findSam2Files(hub, 'int4');
    await expect(missing).rejects.toBeInstanceOf(ModelFormatError);
    await expect(missing).rejects.toThrow(/onnx has no SAM2 "int4" variant .* it holds bnb4, fp16, fp32, int8, q4, q4f16, quantized, uint8\.$/);
    const noFp32 = await folder('nofp32', ['onnx/vision_encoder_fp16.onnx', 'onnx/prompt_encoder_mask_decoder_fp16.onnx', 'onnx/vision_encoder_q4.onnx', 'onnx/prompt_encoder_mask_decoder_q4.onnx']);
    await expect(findSam2Files(noFp32)).rejects.toThrow(/holds the SAM2 variants fp16, q4 and no fp32 pair; choose one with --sam2-dtype <variant>/);
    const samexporter = await folder('samexporter', ['encoder.onnx', 'decoder.onnx']);
    await expect(findSam2Files(samexporter, 'fp16')).rejects.toThrow(/holds one SAM2 export \(encoder\.onnx \+ decoder\.onnx, fp32\); it has no "fp16" variant/);
  });

  it('still refuses folders of unrelated graphs it cannot pair', async () => {
    const mixed = await folder('mixed', ['a.encoder.onnx', 'b.encoder.onnx', 'a.decoder.onnx']);
    await expect(findSam2Files(mixed)).rejects.toThrow(/several SAM2 graphs.*sam2Paths/);
  });
});

describe('variantOf', () => {
  it('reads the transformers.js suffix, fp32 without one, and joins differing halves', () => {
    expect(variantOf('/m/onnx/vision_encoder_q4f16.onnx')).toBe('q4f16');
    expect(variantOf('/m/prompt_encoder_mask_decoder.onnx')).toBe('fp32');
    expect(variantOf('/m/sam2.1_hiera_tiny.encoder.onnx')).toBe('fp32');
    expect(pairVariant({ encoder: '/m/vision_encoder_fp16.onnx', decoder: '/m/prompt_encoder_mask_decoder.onnx' })).toBe('fp16-fp32');
  });
});

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPreset, presetDir } from '../model-store/index.ts';
import { locateModels, ModelsNotInstalledError, requireModels } from './model-paths.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-paths-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('locateModels', () => {
  it('takes folders and files as given, and lists default presets that are not downloaded', async () => {
    const sam2 = join(dir, 'my-sam2');
    await mkdir(join(dir, 'dino', 'onnx'), { recursive: true });
    await mkdir(sam2, { recursive: true });
    await writeFile(join(dir, 'dino', 'onnx', 'model.onnx'), 'x');
    const given = await locateModels({ dir: join(dir, 'models'), sam2, dinov2: join(dir, 'dino') }, {});
    expect(given).toEqual({ sam2Dir: sam2, dinoPath: join(dir, 'dino', 'onnx', 'model.onnx'), missing: [] });

    const defaults = await locateModels({ dir: join(dir, 'models') }, {});
    expect(defaults.missing.map((p) => p.id)).toEqual(['sam2.1-hiera-tiny', 'dinov2-small']);
    expect(defaults.sam2Dir).toBe(presetDir(join(dir, 'models'), getPreset('sam2.1-hiera-tiny')));
    expect(defaults.dinoPath).toBe(join(dir, 'models', 'dinov2-small', 'model.onnx'));
    // A preset names its SAM2 weights variant; a folder given directly leaves the choice open.
    expect(defaults.sam2Variant).toBe('fp32');
    expect((await locateModels({ dir: join(dir, 'models'), sam2: 'sam2.1-hiera-tiny-fp16' }, {})).sam2Variant).toBe('fp16');
    expect(given.sam2Variant).toBeUndefined();
    await expect(requireModels({ dir: join(dir, 'models') }, {})).rejects.toThrow('`refseg models pull sam2.1-hiera-tiny dinov2-small`');
    await expect(requireModels({ dir: join(dir, 'models') }, {})).rejects.toBeInstanceOf(ModelsNotInstalledError);
  });

  it('refuses an unknown preset id and a folder without a DINOv2 graph', async () => {
    await expect(locateModels({ dir, sam2: 'sam3-giant' }, {})).rejects.toThrow(/Unknown model preset "sam3-giant"/);
    await mkdir(join(dir, 'empty'), { recursive: true });
    await expect(locateModels({ dir, dinov2: join(dir, 'empty') }, {})).rejects.toBeInstanceOf(ModelsNotInstalledError);
  });

  it('calls a path that is not there a path, not an unknown preset', async () => {
    await expect(locateModels({ dir, sam2: './sam2-nowhere' }, {})).rejects.toThrow('SAM2 model "./sam2-nowhere": no such file or folder. Give a folder holding its encoder and decoder .onnx, or a preset id');
    await expect(locateModels({ dir, dinov2: join(dir, 'gone', 'model.onnx') }, {})).rejects.toThrow(/^DINOv2 model ".*model\.onnx": no such file or folder\. Give its \.onnx file/);
    await expect(locateModels({ dir, dinov2: 'dino.onnx' }, {})).rejects.toMatchObject({ status: 400 });
    await writeFile(join(dir, 'a-file'), 'x');
    await expect(locateModels({ dir, sam2: join(dir, 'a-file') }, {})).rejects.toThrow(/a file, not a folder/);
  });
});

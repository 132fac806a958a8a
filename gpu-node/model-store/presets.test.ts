import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BadRequestError, ValidationError } from '../../shared/errors.ts';
import { UnknownPresetError } from './errors.ts';
import { fileUrl, hubUrl, modelsDir, presetPaths } from './locations.ts';
import { loadPresets } from './presets-file.ts';
import { DEFAULT_PRESETS, PRESETS, downloadSize, entries, getPreset, parsePresets } from './presets.ts';
import type { PresetInput } from './presets.ts';

const minimal: PresetInput = {
  id: 'my-dino',
  family: 'dinov2',
  title: 'mine',
  repo: 'me/dino',
  revision: 'main',
  format: 'onnx-community',
  dtype: 'fp32',
  files: [{ path: 'onnx/model.onnx', role: 'model', size: null }],
};

describe('built-in presets', () => {
  it('parse, with unique ids', () => {
    expect(PRESETS.length).toBeGreaterThan(0);
    expect(new Set(PRESETS.map((p) => p.id)).size).toBe(PRESETS.length);
  });

  it('give each SAM2 preset an encoder and a decoder, each DINOv2 preset one model with its D and R', () => {
    const dims = { small: 384, base: 768, large: 1024, giant: 1536 };
    for (const p of PRESETS) {
      const roles = entries(p).map((e) => e.role);
      if (p.family === 'sam2') {
        expect(roles.filter((r) => r === 'encoder'), p.id).toHaveLength(1);
        expect(roles.filter((r) => r === 'decoder'), p.id).toHaveLength(1);
      } else {
        expect(roles.filter((r) => r === 'model'), p.id).toHaveLength(1);
        const size = /dinov2-(?:with-registers-)?(small|base|large|giant)/.exec(p.id)![1] as keyof typeof dims;
        expect(p.dim, p.id).toBe(dims[size]);
        expect(p.registers, p.id).toBe(p.id.includes('with-registers') ? 4 : 0);
      }
    }
  });

  it('state sizes only for pinned commits (a size read at a commit can drift on a branch)', () => {
    for (const p of PRESETS) {
      const pinned = /^[0-9a-f]{40}$/.test(p.revision);
      if (!pinned) expect(p.files.every((f) => f.size === null && f.sha256 === undefined), p.id).toBe(true);
    }
  });

  it('name the file suffix after the dtype, as transformers.js exports do', () => {
    for (const p of PRESETS.filter((q) => q.format === 'onnx-community')) {
      const suffix = p.dtype === 'fp32' ? '' : `_${p.dtype}`;
      for (const e of entries(p).filter((x) => x.role !== 'external-data')) expect(e.name.endsWith(`${suffix}.onnx`), `${p.id} ${e.name}`).toBe(true);
    }
  });

  it('default to the smallest fully-sized SAM 2.1 export and DINOv2 small', () => {
    const sam = getPreset(DEFAULT_PRESETS.sam2);
    const sized = PRESETS.filter((p) => p.id.startsWith('sam2.1-') && p.dtype === 'fp32' && downloadSize(p).exact);
    expect(sized.length).toBeGreaterThan(1);
    const smallest = Math.min(...sized.map((p) => downloadSize(p).bytes));
    expect(downloadSize(sam)).toEqual({ bytes: smallest, exact: true });
    const dino = getPreset(DEFAULT_PRESETS.dinov2);
    expect([dino.family, dino.dim, dino.registers, dino.dtype]).toEqual(['dinov2', 384, 0, 'fp32']);
  });

  it('throw UnknownPresetError for an unknown id, suggesting ids of the same family', () => {
    const err = (() => {
      try {
        getPreset('dinov2-smol');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UnknownPresetError);
    expect((err as Error).message).toContain('"dinov2-smol"');
    expect((err as Error).message).toContain('dinov2-small');
    expect((err as Error).message).not.toContain('sam2.1-hiera-tiny');
  });
});

describe('parsePresets', () => {
  it('accepts a minimal preset and fills defaults', () => {
    const [p] = parsePresets([minimal]);
    expect(p.files[0].optional).toBe(false);
    expect(p.mirrors).toEqual([]);
  });

  const broken: [string, PresetInput[]][] = [
    ['a duplicate id', [minimal, minimal]],
    ['a path leaving the repository', [{ ...minimal, files: [{ path: '../x/model.onnx', role: 'model', size: null }] }]],
    ['a bad SHA-256', [{ ...minimal, files: [{ path: 'm.onnx', role: 'model', size: 1, sha256: 'ABC' }] }]],
    ['a file with both role and extract', [{ ...minimal, files: [{ path: 'm.zip', role: 'model', size: null, extract: [{ name: 'm.onnx', role: 'model' }] }] }]],
    ['two files with one name', [{ ...minimal, files: [{ path: 'a/model.onnx', role: 'model', size: null }, { path: 'b/model.onnx', role: 'external-data', size: null }] }]],
    ['a SAM2 preset without decoder', [{ ...minimal, family: 'sam2', files: [{ path: 'enc.onnx', role: 'encoder', size: null }] }]],
    ['a zero size', [{ ...minimal, files: [{ path: 'm.onnx', role: 'model', size: 0 }] }]],
  ];
  for (const [what, input] of broken) {
    it(`rejects ${what}`, () => {
      expect(() => parsePresets(input)).toThrow(ValidationError);
    });
  }
});

describe('locations', () => {
  const tiny = getPreset('sam2.1-hiera-tiny');

  it('build hub URLs as <hub>/<repo>/resolve/<revision>/<path>', () => {
    expect(fileUrl('http://127.0.0.1:8080/', tiny, tiny.files[0])).toBe(
      `http://127.0.0.1:8080/onnx-community/sam2.1-hiera-tiny-ONNX/resolve/${tiny.revision}/onnx/vision_encoder.onnx`,
    );
  });

  it('take the hub from REFSEG_HUB_URL and the folder from REFSEG_MODELS_DIR, then XDG_CACHE_HOME', () => {
    expect(hubUrl({})).toBe('https://huggingface.co');
    expect(hubUrl({ REFSEG_HUB_URL: 'http://mirror.local/hf/' })).toBe('http://mirror.local/hf');
    expect(modelsDir({ REFSEG_MODELS_DIR: '/m', XDG_CACHE_HOME: '/c' })).toBe('/m');
    expect(modelsDir({ XDG_CACHE_HOME: '/c' })).toBe(join('/c', 'refseg', 'models'));
    expect(modelsDir({}).endsWith(join('.cache', 'refseg', 'models'))).toBe(true);
  });

  it('give the loaders the graph paths by role', () => {
    expect(presetPaths(tiny, '/m')).toEqual({
      encoder: join('/m', 'sam2.1-hiera-tiny', 'vision_encoder.onnx'),
      decoder: join('/m', 'sam2.1-hiera-tiny', 'prompt_encoder_mask_decoder.onnx'),
    });
    const zip = getPreset('sam2.1-hiera-large-samexporter');
    expect(presetPaths(zip, '/m')).toEqual({
      encoder: join('/m', zip.id, 'sam2.1_hiera_large.encoder.onnx'),
      decoder: join('/m', zip.id, 'sam2.1_hiera_large.decoder.onnx'),
    });
  });
});

describe('loadPresets', () => {
  it('adds the presets of REFSEG_PRESETS_FILE to the built-in ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'refseg-presets-'));
    try {
      const file = join(dir, 'presets.json');
      await writeFile(file, JSON.stringify([minimal]));
      const all = await loadPresets({ REFSEG_PRESETS_FILE: file });
      expect(all).toHaveLength(PRESETS.length + 1);
      expect(getPreset('my-dino', all).repo).toBe('me/dino');

      await writeFile(file, JSON.stringify([{ ...minimal, id: 'dinov2-small' }]));
      await expect(loadPresets({ REFSEG_PRESETS_FILE: file })).rejects.toThrow(/already a built-in preset/);

      await writeFile(file, '[{');
      await expect(loadPresets({ REFSEG_PRESETS_FILE: file })).rejects.toBeInstanceOf(BadRequestError);

      await writeFile(file, JSON.stringify([{ ...minimal, family: 'sam3' }]));
      await expect(loadPresets({ REFSEG_PRESETS_FILE: file })).rejects.toThrow(ValidationError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is the built-in table when the variable is unset', async () => {
    expect(await loadPresets({})).toEqual(PRESETS);
  });
});

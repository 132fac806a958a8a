import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStandins, type StandinPaths } from '../standin/generate.ts';
import { FLOAT, GraphBuilder } from '../standin/onnx-graph.ts';
import { noMemEmbed } from '../standin/sam2.ts';
import { ModelFormatError, NoMemEmbedNotFoundError } from './errors.ts';
import { openModels } from './index.ts';
import { locateNoMemEmbed, patchedEncoderSource, stripNoMemEmbed } from './no-mem-embed.ts';

const { onnx } = onnxProto;

let dir: string;
let paths: StandinPaths;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-nomem-'));
  paths = await generateStandins(dir);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** x [1,256,8,8] → flatten/transpose → Add(vector) → back, like the exporters; `how` varies the vector. */
function tinyEncoder(how: 'initializer' | 'constant-node' | 'wrong-size' | 'behind-conv'): Uint8Array {
  const b = new GraphBuilder('tiny');
  const x = b.input('x', FLOAT, [1, 256, 8, 8]);
  const vec = new Float32Array(256).fill(1);
  let feat = x;
  if (how === 'behind-conv') feat = b.op('Relu', [x]);
  const seq = b.op('Transpose', [b.reshape(feat, [0, 256, 64])], { perm: [2, 0, 1] });
  let constant: string;
  if (how === 'constant-node') {
    constant = b.op('Constant', [], { value: { dataType: FLOAT, dims: [1, 1, 256], floatData: Array.from(vec) } });
  } else if (how === 'wrong-size') {
    constant = b.floats(new Float32Array(128).fill(1), [1, 1, 128]);
  } else {
    constant = b.floats(vec, [1, 1, 256]);
  }
  let added = how === 'wrong-size' ? b.op('Add', [seq, b.op('Concat', [constant, constant], { axis: 2 })]) : b.op('Add', [constant, seq]);
  if (how === 'behind-conv') added = b.op('Relu', [added]);
  b.output('y', b.reshape(b.op('Transpose', [added], { perm: [1, 2, 0] }), [-1, 256, 8, 8]), FLOAT, [1, 256, 8, 8]);
  return b.encode().model;
}

describe('locateNoMemEmbed', () => {
  it('finds the Add in both stand-in encoder layouts (initializer operand)', async () => {
    for (const [path, output] of [
      [paths.sam2A.encoder, 'image_embeddings.2'],
      [paths.sam2B.encoder, 'image_embed'],
    ]) {
      const graph = onnx.ModelProto.decode(await readFile(path)).graph!;
      const site = locateNoMemEmbed(graph, output);
      expect(site?.constant).toBe('no_mem_embed');
      expect(graph.node!.find((n) => n.name === site!.node)?.opType).toBe('Add');
    }
  });

  it('finds a Constant-node operand on either side of the Add', () => {
    const graph = onnx.ModelProto.decode(tinyEncoder('constant-node')).graph!;
    expect(locateNoMemEmbed(graph, 'y')).toBeDefined();
    expect(locateNoMemEmbed(onnx.ModelProto.decode(tinyEncoder('initializer')).graph!, 'y')).toBeDefined();
  });

  it('finds nothing when the vector has another size or a non-layout op sits in between', () => {
    for (const how of ['wrong-size', 'behind-conv'] as const) {
      expect(locateNoMemEmbed(onnx.ModelProto.decode(tinyEncoder(how)).graph!, 'y')).toBeUndefined();
      expect(() => stripNoMemEmbed(tinyEncoder(how), () => 'y', 'tiny.onnx')).toThrow(NoMemEmbedNotFoundError);
      expect(() => stripNoMemEmbed(tinyEncoder(how), () => 'y', 'tiny.onnx')).toThrow(/^tiny\.onnx: .*--keep-no-mem-embed \(API: removeNoMemEmbed: false\)/);
    }
  });
});

describe('unreadable encoder files', () => {
  it('reach the caller of openModels from the model worker, naming the file (default removal on)', async () => {
    const folder = join(dir, 'corrupt-b');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'encoder.onnx'), 'Entry not found');
    await writeFile(join(folder, 'decoder.onnx'), await readFile(paths.sam2B.decoder));
    const opened = openModels({ sam2Dir: folder, dinoPath: paths.dino, threads: { intraOp: 1 } });
    await expect(opened).rejects.toBeInstanceOf(ModelFormatError);
    await expect(opened).rejects.toThrow(`${join(folder, 'encoder.onnx')}: not a readable ONNX model (invalid wire type 4 at offset 3)`);
  });

  it('name the file instead of giving the protobuf decoder\'s bare message', async () => {
    const bad = join(dir, 'bad');
    await mkdir(bad, { recursive: true });
    const cases: [string, string | Uint8Array, RegExp][] = [
      ['html.onnx', '<!DOCTYPE html><title>Entry not found</title>', /html\.onnx: not a readable ONNX model \(invalid wire type 4 at offset 3\).*Download it again/],
      ['truncated.onnx', (await readFile(paths.sam2B.encoder)).subarray(0, 999), /truncated\.onnx: not a readable ONNX model \(index out of range.*Download it again/],
      ['empty.onnx', '', /empty\.onnx: not an ONNX model with a graph/],
      ['pointer.onnx', 'version https://git-lfs.github.com/spec/v1\noid sha256:4f30\nsize 354238\n', /pointer\.onnx: a Git LFS pointer, not the model itself; fetch the file/],
    ];
    for (const [name, bytes, message] of cases) {
      const path = join(bad, name);
      await writeFile(path, bytes);
      const opened = patchedEncoderSource(path, () => 'image_embed');
      await expect(opened).rejects.toBeInstanceOf(ModelFormatError);
      await expect(opened).rejects.toThrow(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/${message.source}`));
    }
  });
});

describe('stripNoMemEmbed', () => {
  it('replaces the Add by an Identity, drops the vector and lists external data files', async () => {
    const a = stripNoMemEmbed(await readFile(paths.sam2A.encoder), (names) => {
      expect(names).toEqual(['pixel_values']);
      return 'image_embeddings.2';
    }, 'A');
    expect(a.externalFiles).toEqual(['vision_encoder.onnx_data']);
    const graph = onnx.ModelProto.decode(a.model).graph!;
    expect(graph.node!.find((n) => n.name === a.site.node)?.opType).toBe('Identity');
    expect(graph.initializer!.some((t) => t.name === 'no_mem_embed')).toBe(false);
    const b = stripNoMemEmbed(await readFile(paths.sam2B.encoder), () => 'image_embed', 'B');
    expect(b.externalFiles).toEqual([]);
  });

  it('the patched encoders give level 2 without the vector, exactly', async () => {
    const px = Float32Array.from({ length: 3 * 1024 * 1024 }, (_, i) => ((i * 7919) % 1000) / 500 - 1);
    const mem = noMemEmbed();
    for (const [path, input, output] of [
      [paths.sam2A.encoder, 'pixel_values', 'image_embeddings.2'],
      [paths.sam2B.encoder, 'image', 'image_embed'],
    ]) {
      const feeds = { [input]: new ort.Tensor('float32', px, [1, 3, 1024, 1024]) };
      const original = (await (await ort.InferenceSession.create(path)).run(feeds))[output].data as Float32Array;
      const loadable = await patchedEncoderSource(path, () => output);
      const model = loadable.source.model;
      const session = typeof model === 'string' ? await ort.InferenceSession.create(model) : await ort.InferenceSession.create(model);
      await loadable.cleanup();
      const stripped = (await session.run(feeds))[output].data as Float32Array;
      for (let c = 0; c < 256; c += 17) {
        for (const p of [0, 1000, 4095]) {
          const i = c * 4096 + p;
          expect(original[i]).toBe(Math.fround(stripped[i] + mem[c]));
        }
      }
    }
  });

  it('writes the patched external-data graph beside the original only until the session exists', async () => {
    const loadable = await patchedEncoderSource(paths.sam2A.encoder, () => 'image_embeddings.2');
    expect(typeof loadable.source.model).toBe('string');
    expect(existsSync(loadable.source.model as string)).toBe(true);
    await ort.InferenceSession.create(loadable.source.model as string);
    await loadable.cleanup();
    expect((await readdir(paths.sam2A.dir)).sort()).toEqual(['prompt_encoder_mask_decoder.onnx', 'vision_encoder.onnx', 'vision_encoder.onnx_data']);
  });
});

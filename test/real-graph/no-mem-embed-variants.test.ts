// The no_mem_embed removal on the shapes the encoder is really published in (issue 9 §2): each
// variant of the real samexporter graph and of the layout-A stand-in is patched by the product
// code on the whole graph, then the 64×64 level's tail of the original and of the patched graph
// run on the same map; the patched level must equal the original minus the vector.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { NoMemEmbedNotFoundError } from '../../gpu-node/models/errors.ts';
import { stripNoMemEmbed } from '../../gpu-node/models/no-mem-embed.ts';
import { sam2EncoderA } from '../../gpu-node/standin/sam2.ts';
import { WEIGHTLESS_DIR } from './fill.ts';
import { decode, encode, encoderVariant, FLOAT16, foldIntoConvBias, fromHalf, levelSource, tail, toHalf, VARIANTS } from './surgery.ts';

const DIMS = [1, 256, 64, 64] as const;
const CELLS = 64 * 64;

const GRAPHS = [
  { label: 'real samexporter graph (layout B)', bytes: readFileSync(join(WEIGHTLESS_DIR, 'encoder.onnx')), output: 'image_embed' },
  { label: 'onnx-community stand-in (layout A)', bytes: sam2EncoderA().model, output: 'image_embeddings.2' },
];

function vectorOf(bytes: Uint8Array): Float32Array {
  const t = decode(bytes).graph!.initializer!.find((i) => i.name === 'no_mem_embed')!;
  const raw = t.rawData!;
  return raw.length > 0 ? new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)) : Float32Array.from(t.floatData!);
}

/** A deterministic map of plausible neck values. */
function levelMap(): Float32Array {
  return Float32Array.from({ length: 256 * CELLS }, (_, i) => Math.sin(i * 0.7311) * 2 + ((i * 7919) % 101) / 500);
}

async function runTail(model: Uint8Array, input: string, x: Float32Array, half: boolean, output: string): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model);
  const feed = half ? new ort.Tensor('float16', Uint16Array.from(x, toHalf), DIMS) : new ort.Tensor('float32', x, DIMS);
  const out = (await session.run({ [input]: feed }))[output];
  await session.release();
  expect(out.dims).toEqual(DIMS);
  return out.data as Float32Array;
}

describe.each(GRAPHS)('no_mem_embed removal on variants of the $label', ({ bytes, output }) => {
  const vector = vectorOf(bytes);

  it.each(VARIANTS)('%s: found, removed, and the level equals the original minus the vector', async (variant) => {
    const source = levelSource(decode(bytes).graph!);
    const model = encoderVariant(bytes, variant, output);
    const half = variant.startsWith('fp16');
    const patched = stripNoMemEmbed(encode(model), (inputs) => {
      expect(inputs).toHaveLength(1);
      return output;
    }, `${variant}.onnx`);
    const graph = decode(patched.model).graph!;
    // Neither the vector nor anything that only fed it is left.
    expect(graph.initializer!.some((t) => /no_mem_embed/.test(t.name ?? ''))).toBe(false);
    expect(graph.node!.some((n) => (n.output ?? []).some((o) => /no_mem_embed/.test(o)))).toBe(false);
    expect(graph.node!.filter((n) => n.opType === 'Add').length).toBe(model.graph!.node!.filter((n) => n.opType === 'Add').length - 1);

    const x = levelMap();
    const elem = half ? FLOAT16 : undefined;
    const original = await runTail(tail(model, source, output, DIMS, elem), source, x, half, output);
    const stripped = await runTail(tail(decode(patched.model), source, output, DIMS, elem), source, x, half, output);
    // Element-wise checks in plain loops: a million expect() calls would take seconds.
    let worst = 0;
    let mismatches = 0;
    for (let i = 0; i < original.length; i++) {
      const c = vector[Math.floor(i / CELLS)];
      if (half) {
        // fp16 arithmetic: x and c are halves, their sum is rounded to half precision once.
        const expected = stripped[i] + fromHalf(toHalf(c));
        worst = Math.max(worst, Math.abs(original[i] - expected) / (Math.abs(expected) * 2 ** -11 + 2 ** -24));
        if (stripped[i] !== fromHalf(toHalf(x[i]))) mismatches++;
      } else if (stripped[i] !== x[i] || original[i] !== Math.fround(x[i] + c)) {
        mismatches++;
      }
    }
    expect(mismatches).toBe(0);
    expect(worst).toBeLessThanOrEqual(1);
  });
});

describe('an export whose vector cannot be found', () => {
  it('fails naming the file and the --keep-no-mem-embed flag (vector folded into the neck conv bias)', () => {
    const model = decode(GRAPHS[0].bytes);
    foldIntoConvBias(model);
    const run = () => stripNoMemEmbed(encode(model), () => 'image_embed', '/models/sam2/encoder.onnx');
    expect(run).toThrow(NoMemEmbedNotFoundError);
    expect(run).toThrow(/^\/models\/sam2\/encoder\.onnx: could not find where the encoder adds no_mem_embed to "image_embed".*--keep-no-mem-embed/);
  });
});

// Writes the stand-in models into a folder laid out like the real downloads:
//   <out>/sam2-onnx-community/vision_encoder.onnx (+ .onnx_data), prompt_encoder_mask_decoder.onnx
//   <out>/sam2-samexporter/encoder.onnx, decoder.onnx
//   <out>/dinov2/model.onnx, <out>/dinov2-with-registers/model.onnx
// Usage: npx tsx gpu-node/standin/generate.ts <outDir> [--dino-dim 384] [--mask-tokens 4] [--point-batch 1]
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { dinov2 } from './dinov2.ts';
import type { EncodedModel } from './onnx-graph.ts';
import { sam2DecoderA, sam2DecoderB, sam2EncoderA, sam2EncoderB, type Sam2StandinOptions } from './sam2.ts';

export interface StandinOptions extends Sam2StandinOptions {
  /** DINOv2 hidden size (default 32; 384 mirrors ViT-S). */
  dinoDim?: number;
  /** Write a fixed-size DINOv2 (`dinov2-fixed<size>/model.onnx`) as well. */
  dinoFixedSize?: number;
  /** Format A encoder weights in a sibling `.onnx_data` file like the real fp32 export (default true). */
  externalData?: boolean;
}

export interface StandinPaths {
  sam2A: { dir: string; encoder: string; decoder: string };
  sam2B: { dir: string; encoder: string; decoder: string };
  dino: string;
  dinoRegisters: string;
  dinoFixed?: string;
}

async function write(dir: string, file: string, m: EncodedModel, dataFile?: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, file);
  await writeFile(path, m.model);
  if (m.externalData && dataFile) await writeFile(join(dir, dataFile), m.externalData);
  return path;
}

export async function generateStandins(outDir: string, opts: StandinOptions = {}): Promise<StandinPaths> {
  const out = resolve(outDir);
  const dirA = join(out, 'sam2-onnx-community');
  const dirB = join(out, 'sam2-samexporter');
  const dataFile = opts.externalData === false ? undefined : 'vision_encoder.onnx_data';
  const paths: StandinPaths = {
    sam2A: {
      dir: dirA,
      encoder: await write(dirA, 'vision_encoder.onnx', sam2EncoderA(dataFile), dataFile),
      decoder: await write(dirA, 'prompt_encoder_mask_decoder.onnx', sam2DecoderA(opts)),
    },
    sam2B: {
      dir: dirB,
      encoder: await write(dirB, 'encoder.onnx', sam2EncoderB()),
      decoder: await write(dirB, 'decoder.onnx', sam2DecoderB(opts)),
    },
    dino: await write(join(out, 'dinov2'), 'model.onnx', dinov2({ dim: opts.dinoDim })),
    dinoRegisters: await write(
      join(out, 'dinov2-with-registers'),
      'model.onnx',
      dinov2({ dim: opts.dinoDim, registers: 4 }),
    ),
  };
  if (opts.dinoFixedSize) {
    const size = opts.dinoFixedSize;
    paths.dinoFixed = await write(
      join(out, `dinov2-fixed${size}`),
      'model.onnx',
      dinov2({ dim: opts.dinoDim, fixedSize: size }),
    );
  }
  return paths;
}

function parseArgs(argv: string[]): { outDir: string; opts: StandinOptions } {
  const [outDir, ...rest] = argv;
  if (!outDir || outDir.startsWith('--')) {
    throw new Error('usage: generate.ts <outDir> [--dino-dim N] [--dino-fixed N] [--mask-tokens 3|4] [--point-batch 1] [--no-external-data]');
  }
  const opts: StandinOptions = {};
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = () => Number(rest[++i]);
    if (flag === '--dino-dim') opts.dinoDim = value();
    else if (flag === '--dino-fixed') opts.dinoFixedSize = value();
    else if (flag === '--mask-tokens') opts.maskTokens = value() === 4 ? 4 : 3;
    else if (flag === '--point-batch') opts.pointBatch = value() === 1 ? 1 : 'dynamic';
    else if (flag === '--no-external-data') opts.externalData = false;
    else throw new Error(`unknown option ${flag}`);
  }
  return { outDir, opts };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { outDir, opts } = parseArgs(process.argv.slice(2));
  const paths = await generateStandins(outDir, opts);
  console.log(JSON.stringify(paths, null, 2));
}

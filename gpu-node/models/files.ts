// Finding the two SAM2 graph files in a model folder. The layout itself is decided later from
// the graphs' input names; here only file names matter: onnx-community folders hold
// `vision_encoder*.onnx` + `prompt_encoder_mask_decoder*.onnx` (possibly under `onnx/`, as on the
// hub), samexporter folders `*encoder.onnx` + `*decoder.onnx`.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelFormatError } from './errors.ts';
import type { Sam2Files } from './sam2-runner.ts';

async function onnxFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => n.endsWith('.onnx')).sort();
  } catch {
    return [];
  }
}

export async function findSam2Files(dir: string): Promise<Sam2Files> {
  for (const folder of [dir, join(dir, 'onnx')]) {
    const names = await onnxFiles(folder);
    const decoders = names.filter((n) => n.includes('decoder'));
    const encoders = names.filter((n) => n.includes('encoder') && !n.includes('decoder'));
    if (encoders.length === 1 && decoders.length === 1) {
      return { encoder: join(folder, encoders[0]), decoder: join(folder, decoders[0]) };
    }
    if (encoders.length > 1 || decoders.length > 1) {
      throw new ModelFormatError(
        `${folder} holds several SAM2 graphs (${names.join(', ')}); pass the encoder and decoder paths explicitly (sam2Paths).`,
      );
    }
  }
  throw new ModelFormatError(
    `${dir}: no SAM2 encoder/decoder pair found (looked for vision_encoder.onnx + prompt_encoder_mask_decoder.onnx ` +
      'or *encoder.onnx + *decoder.onnx, also under onnx/).',
  );
}

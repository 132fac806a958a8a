// Finding the two SAM2 graph files in a model folder. The layout itself is decided later from
// the graphs' input names; here only file names matter: onnx-community folders hold
// `vision_encoder*.onnx` + `prompt_encoder_mask_decoder*.onnx` (possibly under `onnx/`, as on the
// hub), samexporter folders `*encoder.onnx` + `*decoder.onnx`.
//
// A hub `onnx/` folder holds every published variant side by side, told apart by the
// transformers.js suffix: `vision_encoder.onnx` (fp32), `vision_encoder_fp16.onnx`,
// `_int8`, `_uint8`, `_quantized`, `_q4`, `_q4f16`, `_bnb4` (spec/models.md §1.1). The caller names
// the variant (a preset's dtype, or `--sam2-dtype`); without one, the folder's only variant is
// used, or fp32 (the reference precision) when there are several.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelFormatError } from './errors.ts';
import { COMMUNITY_DECODER, COMMUNITY_ENCODER, DEFAULT_VARIANT, pairVariant } from './variant.ts';
import type { Sam2Files } from './sam2-runner.ts';

export { DEFAULT_VARIANT, pairVariant, variantOf } from './variant.ts';

async function onnxFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => n.endsWith('.onnx')).sort();
  } catch {
    return [];
  }
}

/** Encoder/decoder pairs by variant, in onnx-community naming. */
function communityPairs(names: readonly string[]): Map<string, { encoder: string; decoder: string }> {
  const encoders = new Map<string, string>();
  const decoders = new Map<string, string>();
  for (const n of names) {
    const e = COMMUNITY_ENCODER.exec(n);
    if (e) encoders.set(e[1] ?? DEFAULT_VARIANT, n);
    const d = COMMUNITY_DECODER.exec(n);
    if (d) decoders.set(d[1] ?? DEFAULT_VARIANT, n);
  }
  const pairs = new Map<string, { encoder: string; decoder: string }>();
  for (const [variant, encoder] of encoders) {
    const decoder = decoders.get(variant);
    if (decoder) pairs.set(variant, { encoder, decoder });
  }
  return pairs;
}

function pick(folder: string, pairs: Map<string, { encoder: string; decoder: string }>, variant: string | undefined): Sam2Files {
  const available = [...pairs.keys()].sort();
  const chosen = variant ?? (pairs.size === 1 ? available[0] : pairs.has(DEFAULT_VARIANT) ? DEFAULT_VARIANT : undefined);
  const pair = chosen === undefined ? undefined : pairs.get(chosen);
  if (!pair || chosen === undefined) {
    throw new ModelFormatError(
      variant === undefined
        ? `${folder} holds the SAM2 variants ${available.join(', ')} and no fp32 pair; choose one with --sam2-dtype <variant> (API: sam2Variant).`
        : `${folder} has no SAM2 "${variant}" variant (vision_encoder_${variant}.onnx + prompt_encoder_mask_decoder_${variant}.onnx); ` +
            `it holds ${available.join(', ')}.`,
    );
  }
  return { encoder: join(folder, pair.encoder), decoder: join(folder, pair.decoder), variant: chosen };
}

/** The encoder and decoder of `variant` (default: see above) in `dir` or `dir/onnx`. */
export async function findSam2Files(dir: string, variant?: string): Promise<Sam2Files> {
  for (const folder of [dir, join(dir, 'onnx')]) {
    const names = await onnxFiles(folder);
    const pairs = communityPairs(names);
    if (pairs.size > 0) return pick(folder, pairs, variant);
    const decoders = names.filter((n) => n.includes('decoder'));
    const encoders = names.filter((n) => n.includes('encoder') && !n.includes('decoder'));
    if (encoders.length === 1 && decoders.length === 1) {
      const pair = { encoder: join(folder, encoders[0]), decoder: join(folder, decoders[0]) };
      const found = pairVariant(pair);
      if (variant !== undefined && variant !== found) {
        throw new ModelFormatError(`${folder} holds one SAM2 export (${encoders[0]} + ${decoders[0]}, ${found}); it has no "${variant}" variant.`);
      }
      return { ...pair, variant: found };
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

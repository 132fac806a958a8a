// A SAM2 graph's weights variant from its file name (files.ts finds the files; the model code in
// a browser names them too, so this part reads no disk).
import type { Sam2Files } from './sam2-runner.ts';

export const DEFAULT_VARIANT = 'fp32';

export const COMMUNITY_ENCODER = /^vision_encoder(?:_([a-z0-9]+))?\.onnx$/;
export const COMMUNITY_DECODER = /^prompt_encoder_mask_decoder(?:_([a-z0-9]+))?\.onnx$/;

/**
 * The variant a SAM2 graph file is, from its name: the onnx-community suffix (none = fp32). Other
 * exports (samexporter) publish fp32 only and carry no suffix.
 */
export function variantOf(path: string): string {
  const name = path.split('/').pop() ?? path;
  const m = COMMUNITY_ENCODER.exec(name) ?? COMMUNITY_DECODER.exec(name);
  return m?.[1] ?? DEFAULT_VARIANT;
}

/** The variant of a pair: one name, or `<encoder>-<decoder>` when they differ. */
export function pairVariant(files: Pick<Sam2Files, 'encoder' | 'decoder'>): string {
  const [e, d] = [variantOf(files.encoder), variantOf(files.decoder)];
  return e === d ? e : `${e}-${d}`;
}

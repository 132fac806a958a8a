// The proposal presets and the pipeline id that names a candidate set's provenance. The id
// spells out every setting that changes candidates (and nothing that does not, such as batch
// sizes), so the edge never matches a bank against candidates made another way.
import { z } from 'zod';
import { ValidationError } from '../../shared/errors.ts';
import type { ProposalPreset } from '../../shared/schemas.ts';

/** Version of the proposal + extraction code: bump when candidates change for the same settings. */
const PIPELINE_VERSION = 1;

export const OfficialConfigSchema = z.strictObject({
  preset: z.literal('official'),
  /** Grid side; the official config's points_per_side. */
  pointsPerSide: z.number().int().min(1).max(128).default(32),
  /** Keep a proposal when its predicted IoU is strictly above this (official iou_thr). */
  iouThreshold: z.number().min(0).max(1).default(0.4),
  /** Prompts per decoder call (official testing_point_bs); does not change candidates. */
  pointsPerBatch: z.number().int().min(1).default(256),
});

export const AmgConfigSchema = z.strictObject({
  preset: z.literal('sam2-amg'),
  pointsPerSide: z.number().int().min(1).max(128).default(32),
  /** pred_iou_thresh: keep when predicted IoU > this. */
  predIouThreshold: z.number().min(0).max(1).default(0.8),
  /** stability_score_thresh: keep when stability ≥ this. */
  stabilityThreshold: z.number().min(0).max(1).default(0.95),
  stabilityOffset: z.number().min(0).default(1),
  /** box_nms_thresh: class-agnostic box NMS within the (single, full-image) crop. */
  boxNmsThreshold: z.number().min(0).max(1).default(0.7),
  pointsPerBatch: z.number().int().min(1).default(64),
});

export const ProposalConfigSchema = z.discriminatedUnion('preset', [OfficialConfigSchema, AmgConfigSchema]);
export type OfficialConfig = z.output<typeof OfficialConfigSchema>;
export type AmgConfig = z.output<typeof AmgConfigSchema>;
export type ProposalConfig = z.output<typeof ProposalConfigSchema>;
export type ProposalConfigInput = z.input<typeof ProposalConfigSchema>;
type OfficialConfigInput = z.input<typeof OfficialConfigSchema>;

/**
 * Fewer-prompt presets for on-device use: the official pipeline on a coarser grid, so a browser or
 * phone runs 256 or 64 decoder prompts instead of 1024 (docs/on-device.md, "Presets"). They depart
 * from the paper's 32×32 grid: an object that no grid point falls on is not proposed. Their
 * candidates are those of `{ preset: 'official', pointsPerSide }`, so they share its pipeline id.
 */
export const DEVICE_PRESETS: Readonly<Partial<Record<ProposalPreset, OfficialConfigInput>>> = {
  'device-16': { preset: 'official', pointsPerSide: 16 },
  'device-8': { preset: 'official', pointsPerSide: 8 },
};

/** A preset name or a full configuration → the configuration with defaults filled in. */
export function resolveProposalConfig(config: ProposalPreset | ProposalConfigInput = 'official'): ProposalConfig {
  const named = typeof config === 'string' ? (Object.hasOwn(DEVICE_PRESETS, config) ? DEVICE_PRESETS[config] : { preset: config }) : config;
  const parsed = ProposalConfigSchema.safeParse(named);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error, 'proposals');
  return parsed.data;
}

/** Settings of the node that change candidates whatever the preset. */
export interface NodeSettings {
  /** Whether SAM2's no_mem_embed was taken out of the encoder (the official pipeline never adds it). */
  noMemEmbed: 'kept' | 'removed';
  /** What became of the decoder's clamp of the mask logits (the official pipeline has none). */
  maskClip: 'removed' | 'kept' | 'none';
}

/**
 * e.g. `official/v1;grid=32;iou>0.4;nme=removed;clip=removed` or
 * `sam2-amg/v1;grid=32;iou>0.8;stab>=0.95@1;nms=0.7;nme=removed;clip=none`.
 */
export function pipelineIdOf(config: ProposalConfig, node: NodeSettings): string {
  const parts =
    config.preset === 'official'
      ? [`grid=${config.pointsPerSide}`, `iou>${config.iouThreshold}`]
      : [
          `grid=${config.pointsPerSide}`,
          `iou>${config.predIouThreshold}`,
          `stab>=${config.stabilityThreshold}@${config.stabilityOffset}`,
          `nms=${config.boxNmsThreshold}`,
        ];
  return [`${config.preset}/v${PIPELINE_VERSION}`, ...parts, `nme=${node.noMemEmbed}`, `clip=${node.maskClip}`].join(';');
}

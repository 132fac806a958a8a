import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/errors.ts';
import { PipelineIdSchema, ProposalPresetSchema } from '../../shared/schemas.ts';
import { pipelineIdOf, resolveProposalConfig } from './presets.ts';

describe('proposal presets', () => {
  it('fill in the official and SAM2 AMG defaults', () => {
    expect(resolveProposalConfig()).toEqual({ preset: 'official', pointsPerSide: 32, iouThreshold: 0.4, pointsPerBatch: 256 });
    expect(resolveProposalConfig('sam2-amg')).toEqual({
      preset: 'sam2-amg',
      pointsPerSide: 32,
      predIouThreshold: 0.8,
      stabilityThreshold: 0.95,
      stabilityOffset: 1,
      boxNmsThreshold: 0.7,
      pointsPerBatch: 64,
    });
  });

  it('name every setting that changes candidates in the pipeline id, and no batch size', () => {
    const node = { noMemEmbed: 'removed' as const, maskClip: 'removed' as const };
    expect(pipelineIdOf(resolveProposalConfig('official'), node)).toBe('official/v1;grid=32;iou>0.4;nme=removed;clip=removed');
    expect(pipelineIdOf(resolveProposalConfig({ preset: 'official', pointsPerBatch: 64 }), node)).toBe('official/v1;grid=32;iou>0.4;nme=removed;clip=removed');
    expect(pipelineIdOf(resolveProposalConfig({ preset: 'official', pointsPerSide: 16 }), { noMemEmbed: 'kept', maskClip: 'kept' })).toBe(
      'official/v1;grid=16;iou>0.4;nme=kept;clip=kept',
    );
    expect(pipelineIdOf(resolveProposalConfig('official'), { noMemEmbed: 'removed', maskClip: 'none' })).toBe('official/v1;grid=32;iou>0.4;nme=removed;clip=none');
    const amg = pipelineIdOf(resolveProposalConfig({ preset: 'sam2-amg', stabilityOffset: 0.7 }), node);
    expect(amg).toBe('sam2-amg/v1;grid=32;iou>0.8;stab>=0.95@0.7;nms=0.7;nme=removed;clip=removed');
    expect(PipelineIdSchema.safeParse(amg).success).toBe(true);
  });

  it('device-16 and device-8 are the official pipeline on a 16×16 and 8×8 grid, with ids apart from the paper grid', () => {
    const node = { noMemEmbed: 'removed' as const, maskClip: 'removed' as const };
    expect(resolveProposalConfig('device-16')).toEqual({ preset: 'official', pointsPerSide: 16, iouThreshold: 0.4, pointsPerBatch: 256 });
    expect(resolveProposalConfig('device-8')).toEqual({ preset: 'official', pointsPerSide: 8, iouThreshold: 0.4, pointsPerBatch: 256 });
    const ids = ProposalPresetSchema.options.map((p) => pipelineIdOf(resolveProposalConfig(p), node));
    expect(ids).toEqual([
      'official/v1;grid=32;iou>0.4;nme=removed;clip=removed',
      'sam2-amg/v1;grid=32;iou>0.8;stab>=0.95@1;nms=0.7;nme=removed;clip=removed',
      'official/v1;grid=16;iou>0.4;nme=removed;clip=removed',
      'official/v1;grid=8;iou>0.4;nme=removed;clip=removed',
    ]);
    // Same candidates as the custom config they stand for, so one cache entry serves both.
    expect(pipelineIdOf(resolveProposalConfig({ preset: 'official', pointsPerSide: 16 }), node)).toBe(ids[2]);
    // A user-given name that is an Object.prototype key is not a preset.
    expect(() => resolveProposalConfig('constructor' as never)).toThrow(ValidationError);
  });

  it('refuse unknown presets and options with a ValidationError', () => {
    expect(() => resolveProposalConfig({ preset: 'official', stabilityOffset: 1 } as never)).toThrow(ValidationError);
    expect(() => resolveProposalConfig('fast' as never)).toThrow(ValidationError);
  });
});

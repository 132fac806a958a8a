// The whole method on one machine without a server (command-line tool, demo): reference vectors,
// one prototype per class, then the target's candidates matched against them.
import type { GpuReferenceAnnotation } from '../../shared/api/gpu-node.ts';
import { prototypes } from '../../shared/bank/index.ts';
import type { PipelineOptionsInput } from '../../shared/matching/index.ts';
import type { CandidateSet, Detection } from '../../shared/types.ts';
import type { GpuPipeline, Orientation, ProposalConfigInput, ReferenceVector, Stage } from '../pipeline/index.ts';
import { resolveProposalConfig } from '../pipeline/index.ts';
import type { ProposalPreset } from '../../shared/schemas.ts';

export interface LocalReference {
  /** Encoded image bytes. */
  image: Uint8Array;
  annotation: GpuReferenceAnnotation;
}

export interface LocalProgress {
  /** Steps done and in all: one per reference, one per SAM2 decoder batch of the target, two more. */
  done: number;
  total: number;
  label: string;
}

export interface LocalRunOptions {
  proposals?: ProposalPreset | ProposalConfigInput;
  exif?: 'apply' | 'ignore';
  options?: PipelineOptionsInput;
  onProgress?: (p: LocalProgress) => void;
}

export interface LocalRun {
  /** Class names in label order (order of first appearance among the references). */
  classes: string[];
  references: ReferenceVector[];
  set: CandidateSet;
  detections: Detection[];
  orientation: Orientation;
}

function decoderBatches(config: ReturnType<typeof resolveProposalConfig>): number {
  return Math.ceil((config.pointsPerSide * config.pointsPerSide) / config.pointsPerBatch);
}

export async function segmentLocally(pipeline: GpuPipeline, refs: readonly LocalReference[], target: Uint8Array, run: LocalRunOptions = {}): Promise<LocalRun> {
  const config = resolveProposalConfig(run.proposals);
  const total = refs.length + decoderBatches(config) + 2;
  let done = 0;
  const step = (label: string) => run.onProgress?.({ done: ++done, total, label });
  run.onProgress?.({ done, total, label: 'references' });

  const references: ReferenceVector[] = [];
  for (const [i, ref] of refs.entries()) {
    const { references: got } = await pipeline.referenceVectors(ref.image, [ref.annotation], { exif: run.exif });
    references.push(...got);
    step(`reference ${i + 1}/${refs.length}`);
  }
  const classes = [...new Set(references.map((r) => r.class))];
  const perClass = classes.map((c) => references.filter((r) => r.class === c).map((r) => r.vector));
  const { normalized } = prototypes(perClass);

  const observe = (stage: Stage) => {
    if (stage === 'sam2-encoder') step('target: SAM2 encoder');
    else if (stage === 'sam2-decoder') step('target: SAM2 decoder');
    else if (stage === 'extract') step('target: candidates');
  };
  const result = await pipeline.segment(target, normalized, { proposals: config, exif: run.exif, options: run.options, observe });
  return { classes, references, ...result };
}

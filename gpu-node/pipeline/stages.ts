// Named pipeline stages and their timing hook: the HTTP metrics (per-model run time) and the
// benchmark (per-stage figures) both listen on the same observer.
export type Stage =
  | 'decode'
  | 'sha256'
  | 'resize1024'
  | 'resize518'
  | 'sam2-encoder'
  | 'sam2-decoder'
  | 'dinov2'
  | 'proposal-filter'
  | 'extract'
  | 'reference-crop'
  | 'match';

/** Stages that are a model run (the others are CPU work on the main thread). */
export const MODEL_STAGES: ReadonlySet<Stage> = new Set(['sam2-encoder', 'sam2-decoder', 'dinov2']);

export type StageObserver = (stage: Stage, ms: number) => void;

/** Runs `fn`, reporting its wall time under `stage`, also when it throws. */
export async function timed<T>(observe: StageObserver | undefined, stage: Stage, fn: () => T | Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    observe?.(stage, performance.now() - t0);
  }
}

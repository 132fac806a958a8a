// Where a mask prompt (a box or clicks, shared/api/gpu-node.ts MaskPromptSchema) may lie: inside
// the image it is drawn on. The gpu-node checks it on the decoded, oriented image; the edge checks
// it before any gpu-node work against the stored grid's bounds.
import type { MaskPrompt } from './api/gpu-node.ts';
import { MalformedBoxError, ValidationError } from './errors.ts';

/** A prompt must lie inside the (oriented) image; `field` names the prompt in the problem. */
export function checkPromptInside(prompt: MaskPrompt, width: number, height: number, field: string): void {
  if ('box' in prompt) {
    const [x, y, w, h] = prompt.box;
    if (x + w > width || y + h > height) {
      throw new MalformedBoxError(`${field}.box ${JSON.stringify(prompt.box)} reaches outside the ${width}×${height} image.`, { field: `${field}.box` });
    }
    return;
  }
  const outside = prompt.points.findIndex(([x, y]) => x > width || y > height);
  if (outside >= 0) {
    throw new ValidationError(
      [{ path: `${field}.points[${outside}]`, message: `point ${JSON.stringify(prompt.points[outside])} lies outside the ${width}×${height} image`, code: 'too_big' }],
      { status: 422 },
    );
  }
}


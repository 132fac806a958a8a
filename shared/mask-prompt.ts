// Where a mask prompt (a box or clicks, shared/api/gpu-node.ts MaskPromptSchema) may lie: inside
// the image it is drawn on. The gpu-node checks it on the decoded, oriented image; the edge checks
// it before any gpu-node work on the stored grid from the header, which an EXIF rotation may turn.
import type { MaskPrompt } from './api/gpu-node.ts';
import { MalformedBoxError, ValidationError } from './errors.ts';

/** The first point outside width × height (-1: none), or for a box whether it reaches outside. */
function outside(prompt: MaskPrompt, width: number, height: number): number | boolean {
  if ('box' in prompt) {
    const [x, y, w, h] = prompt.box;
    return x + w > width || y + h > height;
  }
  return prompt.points.findIndex(([x, y]) => x > width || y > height);
}

const isInside = (found: number | boolean) => found === false || found === -1;

/**
 * A prompt must lie inside the width × height image; with `turnable`, inside it either way round
 * (the edge cannot know yet whether EXIF turns it). `field` names the prompt in the problem.
 */
export function checkPromptInside(prompt: MaskPrompt, width: number, height: number, field: string, { turnable = false } = {}): void {
  const found = outside(prompt, width, height);
  if (isInside(found) || (turnable && isInside(outside(prompt, height, width)))) return;
  const image = `the ${width}×${height} image${turnable && width !== height ? ', whichever way it is turned' : ''}`;
  if ('box' in prompt) {
    throw new MalformedBoxError(`${field}.box ${JSON.stringify(prompt.box)} reaches outside ${image}.`, { field: `${field}.box` });
  }
  const i = found as number;
  throw new ValidationError([{ path: `${field}.points[${i}]`, message: `point ${JSON.stringify(prompt.points[i])} lies outside ${image}`, code: 'too_big' }], { status: 422 });
}

import { describe, expect, it } from 'vitest';
import { MalformedBoxError, ValidationError } from './errors.ts';
import { checkPromptInside } from './mask-prompt.ts';

describe('checkPromptInside', () => {
  it('takes boxes and points inside the image, edges included', () => {
    expect(() => checkPromptInside({ box: [0, 0, 40, 30] }, 40, 30, 'prompt')).not.toThrow();
    expect(() => checkPromptInside({ points: [[40, 30, 1], [0, 0, 0]] }, 40, 30, 'prompt')).not.toThrow();
  });

  it('names the box or the first point outside', () => {
    expect(() => checkPromptInside({ box: [10, 10, 31, 5] }, 40, 30, 'prompt')).toThrow(MalformedBoxError);
    try {
      checkPromptInside({ points: [[1, 1, 1], [5, 31, 0], [50, 1, 1]] }, 40, 30, 'prompt');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).status).toBe(422);
      expect((err as ValidationError).field).toBe('prompt.points[1]');
      expect((err as ValidationError).detail).toBe('prompt.points[1]: point [5,31,0] lies outside the 40×30 image');
    }
  });

  it('turnable: inside one way round or the other is enough, not inside the bounding square', () => {
    expect(() => checkPromptInside({ points: [[5, 38, 1]] }, 40, 30, 'prompt', { turnable: true })).not.toThrow();
    expect(() => checkPromptInside({ box: [0, 0, 30, 40] }, 40, 30, 'prompt', { turnable: true })).not.toThrow();
    expect(() => checkPromptInside({ points: [[5, 38, 1], [38, 5, 1]] }, 40, 30, 'prompt', { turnable: true })).toThrow(
      'prompt.points[0]: point [5,38,1] lies outside the 40×30 image, whichever way it is turned',
    );
    expect(() => checkPromptInside({ box: [35, 35, 3, 3] }, 40, 30, 'prompt', { turnable: true })).toThrow(/whichever way it is turned/);
  });
});

import { describe, expect, it } from 'vitest';
import { UsageError } from '../command.ts';
import { evalCommand } from './eval.ts';
import { MATCHING_FLAGS, zeroScoreLabelOption } from './matching-flags.ts';
import { segment } from './segment.ts';

describe('matching flags', () => {
  it('are offered by every command that writes COCO results', () => {
    for (const command of [segment, evalCommand]) {
      for (const flag of Object.keys(MATCHING_FLAGS)) expect(command.options, `${command.name} --${flag}`).toHaveProperty(flag);
    }
  });

  it('take the four zero-score label rules and refuse others, naming them', () => {
    expect(['first', 'torch-cpu', 'raw-cosine', 'exclude'].map(zeroScoreLabelOption)).toEqual(['first', 'torch-cpu', 'raw-cosine', 'exclude']);
    expect(() => zeroScoreLabelOption('last')).toThrow(UsageError);
    expect(() => zeroScoreLabelOption('last')).toThrow('--zero-score-label must be one of first, torch-cpu, raw-cosine, exclude, not "last".');
  });
});

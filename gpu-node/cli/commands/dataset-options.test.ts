import { describe, expect, it } from 'vitest';
import { UsageError } from '../command.ts';
import { presetOption, proposalsOption } from './dataset-options.ts';

describe('--preset and --points-per-side', () => {
  it('take every proposal preset, the on-device ones included, and refuse others naming them all', () => {
    expect(presetOption(undefined)).toBe('official');
    expect(presetOption('device-16')).toBe('device-16');
    expect(presetOption('device-8')).toBe('device-8');
    expect(() => presetOption('device-4')).toThrow(UsageError);
    expect(() => presetOption('device-4')).toThrow('--preset must be one of official, sam2-amg, device-16, device-8, not "device-4".');
  });

  it('change the grid of official and sam2-amg only: an on-device preset names its own', () => {
    expect(proposalsOption('device-8', undefined)).toBe('device-8');
    expect(proposalsOption('official', '12')).toEqual({ preset: 'official', pointsPerSide: 12 });
    expect(() => proposalsOption('device-16', '12')).toThrow('--points-per-side cannot go with --preset device-16, which names its own grid.');
  });
});

import { describe, expect, it } from 'vitest';
import { UsageError } from '../command.ts';
import { runtimeOf, sam2VariantOf } from './model-options.ts';

describe('sam2VariantOf', () => {
  it('takes --sam2-dtype for a folder, the preset’s own variant otherwise, and refuses a contradiction', () => {
    expect(sam2VariantOf('fp16', undefined, '/models/hub')).toBe('fp16');
    expect(sam2VariantOf(undefined, 'quantized', 'sam2.1-hiera-tiny-quantized')).toBe('quantized');
    expect(sam2VariantOf('fp32', 'fp32', undefined)).toBe('fp32');
    expect(sam2VariantOf(undefined, undefined, '/models/hub')).toBeUndefined();
    const run = () => sam2VariantOf('fp16', 'fp32', undefined);
    expect(run).toThrow(UsageError);
    expect(run).toThrow('--sam2-dtype fp16 does not match the preset (default), which is fp32; choose the preset of that variant (refseg models list) or give the model folder with --sam2.');
  });
});

describe('runtimeOf', () => {
  it('pairs each backend with its own providers and refuses the other runtime’s GPU provider', () => {
    expect(runtimeOf({})).toEqual({ backend: 'node', provider: 'cpu' });
    expect(runtimeOf({ backend: 'node', provider: 'cuda' })).toEqual({ backend: 'node', provider: 'cuda' });
    expect(runtimeOf({ backend: 'web', provider: 'cpu' })).toEqual({ backend: 'web', provider: 'cpu' });
    expect(runtimeOf({ backend: 'web', provider: 'webgpu' })).toEqual({ backend: 'web', provider: 'webgpu' });
    expect(() => runtimeOf({ backend: 'web', provider: 'cuda' })).toThrow('--provider must be cpu or webgpu with --backend web, not "cuda".');
    expect(() => runtimeOf({ backend: 'node', provider: 'webgpu' })).toThrow('--provider must be cpu or cuda with --backend node, not "webgpu".');
    expect(() => runtimeOf({ backend: 'deno' })).toThrow(UsageError);
  });
});

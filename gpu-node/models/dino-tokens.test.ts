// DINOv2 exports are checked by their token count at 518×518: 1 + R + 37² with R ∈ {0, 4}.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dinov2 } from '../standin/dinov2.ts';
import { DinoRunner } from './dino-runner.ts';
import { ModelFormatError } from './errors.ts';

let dir: string;
const settings = { provider: 'cpu' as const, intraOpThreads: 1, interOpThreads: 0 };

async function standin(registers: number): Promise<string> {
  const path = join(dir, `dino-r${registers}.onnx`);
  await writeFile(path, dinov2({ dim: 16, registers }).model);
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-dino-tokens-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('DinoRunner token count', () => {
  it.each([0, 4])('accepts R = %i', async (registers) => {
    const runner = await DinoRunner.open(await standin(registers), settings);
    expect(runner.info).toMatchObject({ registers, dim: 16 });
  });

  it('refuses 1 + 2 + 37² tokens, naming the expected and found counts', async () => {
    const open = DinoRunner.open(await standin(2), settings);
    await expect(open).rejects.toBeInstanceOf(ModelFormatError);
    await expect(DinoRunner.open(await standin(2), settings)).rejects.toThrow(/has 1372 tokens; expected 1 \+ R \+ 37² = 1370 \(R = 0\) or 1374 \(R = 4\)/);
  });

  it('refuses the token count of a patch-12 model (1 + 43² = 1850), which the old check took for 480 registers', async () => {
    await expect(DinoRunner.open(await standin(1850 - 1 - 37 * 37), settings)).rejects.toThrow(/has 1850 tokens; expected/);
  });
});

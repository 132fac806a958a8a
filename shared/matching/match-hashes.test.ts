// Matching output must not change by a bit when its stages are optimised: every case of
// test/match-hash-cases.ts against the digests taken before (test/fixtures/match-hashes/).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HASH_SCENES, matchHashes } from '../../test/match-hash-cases.ts';

const expected: Record<string, string> = JSON.parse(readFileSync(new URL('../../test/fixtures/match-hashes/digests.json', import.meta.url), 'utf8'));

describe('matching output is bit-identical to the recorded digests', () => {
  for (const scene of HASH_SCENES) {
    it(`on the ${scene.name} scene`, () => {
      const actual = matchHashes(scene);
      const mine = Object.fromEntries(Object.entries(expected).filter(([k]) => k.startsWith(`${scene.name}/`)));
      expect(Object.keys(actual).length).toBeGreaterThanOrEqual(36);
      expect(actual).toEqual(mine);
    });
  }
});

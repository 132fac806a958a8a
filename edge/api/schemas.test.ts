// The documented response schemas against what the services really return: at compile time
// (where a service declares its own interface, it and the schema's output type are assignable
// both ways) and at run time (real values parse).
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { encodeMask } from '../../shared/coco-mask/index.ts';
import { createApiKeyStore } from '../auth/index.ts';
import type { ApiKeyInfo } from '../auth/index.ts';
import { createBankService } from '../banks/index.ts';
import type { ClassQuality, ReferenceQuality } from '../banks/index.ts';
import { createMemoryStorage } from '../storage/memory.ts';
import { AddReferencesResponseSchema, BankListSchema, BankViewSchema, ClassQualitySchema, CreatedApiKeySchema, ReferenceQualitySchema, ReferenceViewSchema } from './schemas.ts';

/** Compiles only when A and B are assignable to each other. */
function sameShape<A, B>(_proof: [A] extends [B] ? ([B] extends [A] ? true : false) : false): void {}
sameShape<z.output<typeof ClassQualitySchema>, ClassQuality>(true);
sameShape<z.output<typeof ReferenceQualitySchema>, ReferenceQuality>(true);
sameShape<z.output<typeof CreatedApiKeySchema>['key'], ApiKeyInfo>(true);

describe('response schemas', () => {
  it('accept what the bank and key services return', async () => {
    const storage = createMemoryStorage();
    const keys = createApiKeyStore(storage.kv);
    const { info, secret } = await keys.create({ tenant: 't', label: 'x' });
    expect(CreatedApiKeySchema.parse({ key: info, secret })).toEqual({ key: info, secret });

    const banks = createBankService({ kv: storage.kv, modelId: 'm', pipelineId: 'p', dim: 3 });
    const bank = await banks.createBank('t', { name: 'b', classes: ['a', 'b'] });
    expect(BankViewSchema.parse(bank)).toEqual(bank);
    const mask = encodeMask(Uint8Array.of(0, 1, 1, 1), 2, 2);
    const vectors = [Float32Array.of(1, 0, 0), Float32Array.of(0.9, 0.1, 0), Float32Array.of(0, 1, 0), Float32Array.of(0.5, 0.5, 0)];
    const added = await banks.addReferences(
      't',
      bank.id,
      [
        { className: 'a', source: { annotation: 'mask' } },
        { className: 'a', source: { annotation: 'box', imageSha256: 'f'.repeat(64) } },
        { className: 'b', source: { annotation: 'polygons' } },
        { className: 'b', negative: true, source: { annotation: 'mask' } },
      ],
      async () => ({ modelId: 'm', references: vectors.map((vector) => ({ vector, mask })) }),
    );
    expect(AddReferencesResponseSchema.parse(added)).toEqual(added);
    expect(added.references[0].quality.basis).toBe('leave-one-out');
    expect(added.references[3].quality.basis).toBe('class-prototype');
    const list = { banks: await banks.listBanks('t') };
    expect(BankListSchema.parse(list)).toEqual(list);
  });

  it('refuse what a client must never be shown as a bank', () => {
    expect(BankViewSchema.safeParse({ id: 'x' }).success).toBe(false);
    expect(ReferenceViewSchema.safeParse({ id: 'r', className: 'a', negative: false, createdAt: 'yesterday', source: { annotation: 'mask' }, quality: {} }).success).toBe(false);
  });
});

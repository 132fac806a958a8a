import { afterAll, describe, expect, it, vi } from 'vitest';
import { frBbox } from '../../shared/coco-mask/index.ts';
import { EmptyReferenceError, ModelMismatchError, NotFoundError, UpstreamError, ValidationError } from '../../shared/errors.ts';
import { BankFileSchema } from '../../shared/schemas.ts';
import type { BankFile } from '../../shared/schemas.ts';
import type { StorageHarness } from '../storage/conformance.ts';
import { StorageError } from '../storage/contract.ts';
import type { KvStore, Storage } from '../storage/contract.ts';
import { memoryHarness, sqliteHarness } from '../storage/harnesses.node.ts';
import { BankBusyError, BankExistsError, ClassExistsError, UnknownClassError } from './errors.ts';
import { bankQuality } from './quality.ts';
import { createBankService } from './service.ts';
import type { BankService, BankServiceOptions, EmbedResult, ReferenceDraft } from './service.ts';

const MODEL = 'sam2-hiera-l+dinov2-vitl14';
const PIPELINE = 'official';
const MASK = frBbox([1, 1, 2, 3], 6, 5);
const SHA = 'ab'.repeat(32);

interface Draft extends ReferenceDraft {
  vector: number[];
}

const draft = (className: string, vector: number[], negative = false): Draft => ({
  className,
  vector,
  ...(negative ? { negative } : {}),
  source: { annotation: 'mask', imageSha256: SHA },
});

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection<E extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(type);
  return err as E;
}

const pause = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

/** A gpu-node stand-in: the vector each draft carries, computed after a pause. */
function embedder(overrides: Partial<EmbedResult> = {}, delayMs = 0) {
  return vi.fn(async (drafts: readonly Draft[]): Promise<EmbedResult> => {
    await pause(delayMs);
    return { modelId: MODEL, references: drafts.map((d) => ({ vector: Float32Array.from(d.vector), mask: MASK })), ...overrides };
  });
}

/** Every key and version in the store: equal dumps mean nothing was written or deleted. */
async function dump(kv: KvStore): Promise<string[]> {
  return (await kv.list('')).map((e) => `${e.key}@${e.version}`);
}

/** The store, failing (throwing) the commits `fail` selects. */
function failing(kv: KvStore, fail: (mutationKeys: string[]) => boolean): KvStore {
  return {
    ...kv,
    async commit(checks, mutations) {
      if (fail(mutations.map((m) => m.key))) throw new StorageError('disk full');
      return kv.commit(checks, mutations);
    },
  };
}

/**
 * The store with a network-like pause after every read, so that concurrent writers really read
 * the same version before committing, and a count of the compare-and-set conflicts that follow.
 */
function contended(kv: KvStore): KvStore & { conflicts: number } {
  const wrapped = {
    ...kv,
    conflicts: 0,
    async get(key: string) {
      const entry = await kv.get(key);
      await pause();
      return entry;
    },
    async commit(checks: Parameters<KvStore['commit']>[0], mutations: Parameters<KvStore['commit']>[1]) {
      const version = await kv.commit(checks, mutations);
      if (version === null) wrapped.conflicts++;
      return version;
    },
  };
  return wrapped;
}

const sqlite = sqliteHarness();
afterAll(() => sqlite.dispose());

for (const harness of [memoryHarness(), sqlite] as StorageHarness[]) {
  describe(`bank service on ${harness.name}`, () => {
    let clock = Date.UTC(2025, 5, 1);
    const setup = (body: (ctx: { storage: Storage; banks: BankService; make: (kv: KvStore, extra?: Partial<BankServiceOptions>) => BankService }) => Promise<Storage | void>) => async () => {
      let storage = await harness.create();
      const make = (kv: KvStore, extra: Partial<BankServiceOptions> = {}) =>
        createBankService({ kv, modelId: MODEL, pipelineId: PIPELINE, now: () => new Date((clock += 1000)), ...extra });
      try {
        storage = (await body({ storage, banks: make(storage.kv), make })) ?? storage;
      } finally {
        await storage.close();
      }
    };

    it(
      'creates, lists, gets and deletes a tenant’s banks',
      setup(async ({ storage, banks }) => {
        const a = await banks.createBank('acme', { id: 'shelf', name: 'Shelf', classes: ['cola', 'chips'] });
        expect(a).toMatchObject({ id: 'shelf', name: 'Shelf', modelId: MODEL, pipelineId: PIPELINE, dim: null, referenceCount: 0 });
        expect(a.classes.map((c) => [c.name, c.label, c.positives, c.negatives])).toEqual([
          ['cola', 0, 0, 0],
          ['chips', 1, 0, 0],
        ]);
        const b = await banks.createBank('acme', { name: 'Other', classes: [] });
        expect(b.id).toMatch(/^bank_[0-9a-f]{16}$/);
        expect((await banks.listBanks('acme')).map((s) => [s.id, s.classes, s.referenceCount])).toEqual([
          ['shelf', ['cola', 'chips'], 0],
          [b.id, [], 0],
        ]);
        expect(await banks.getBank('acme', 'shelf')).toEqual(a);
        await banks.deleteBank('acme', 'shelf');
        await expect(banks.getBank('acme', 'shelf')).rejects.toBeInstanceOf(NotFoundError);
        await expect(banks.deleteBank('acme', 'shelf')).rejects.toBeInstanceOf(NotFoundError);
        expect((await banks.listBanks('acme')).map((s) => s.id)).toEqual([b.id]);
        await banks.deleteBank('acme', b.id);
        expect(await storage.kv.list('')).toEqual([]);
      }),
    );

    it(
      'refuses a taken bank id and invalid bank input',
      setup(async ({ banks }) => {
        await banks.createBank('acme', { id: 'x', name: 'X', classes: ['a'] });
        await expect(banks.createBank('acme', { id: 'x', name: 'Y', classes: [] })).rejects.toBeInstanceOf(BankExistsError);
        await expect(banks.createBank('acme', { name: 'Z', classes: ['a', 'a'] })).rejects.toBeInstanceOf(ValidationError);
        await expect(banks.createBank('acme', { name: '', classes: [] })).rejects.toBeInstanceOf(ValidationError);
        await expect(banks.createBank('acme', { id: 'has/slash', name: 'Z', classes: [] })).rejects.toBeInstanceOf(ValidationError);
        expect((await banks.getBank('acme', 'x')).name).toBe('X');
      }),
    );

    it(
      'never lets a tenant see, list or change another tenant’s bank',
      setup(async ({ storage, banks }) => {
        await banks.createBank('a', { id: 'b1', name: 'A', classes: ['cat'] });
        await banks.addReferences('a', 'b1', [draft('cat', [1, 0])], embedder());
        await banks.createBank('ab', { id: 'b2', name: 'AB', classes: [] });
        const before = await dump(storage.kv);
        const refId = (await banks.listReferences('a', 'b1'))[0].id;
        const embed = embedder();
        const attempts: [string, () => Promise<unknown>][] = [
          ['getBank', () => banks.getBank('b', 'b1')],
          ['deleteBank', () => banks.deleteBank('b', 'b1')],
          ['addClasses', () => banks.addClasses('b', 'b1', ['dog'])],
          ['removeClass', () => banks.removeClass('b', 'b1', 'cat')],
          ['addReferences', () => banks.addReferences('b', 'b1', [draft('cat', [0, 1])], embed)],
          ['listReferences', () => banks.listReferences('b', 'b1')],
          ['deleteReference', () => banks.deleteReference('b', 'b1', refId)],
          ['matchingBank', () => banks.matchingBank('b', 'b1')],
          ['exportBank', () => banks.exportBank('b', 'b1')],
        ];
        for (const [what, attempt] of attempts) {
          const err = await rejection(attempt(), NotFoundError);
          expect(err.detail, what).toBe('No bank with id "b1".');
        }
        expect(embed).not.toHaveBeenCalled();
        expect(await banks.listBanks('b')).toEqual([]);
        // 'a' is a prefix of 'ab': listing must stop at the tenant boundary.
        expect((await banks.listBanks('a')).map((s) => s.id)).toEqual(['b1']);
        expect(await dump(storage.kv)).toEqual(before);
        // The same bank id is free in another tenant.
        await banks.createBank('b', { id: 'b1', name: 'B', classes: [] });
        expect((await banks.getBank('a', 'b1')).name).toBe('A');
      }),
    );

    it(
      'adds references, derives prototypes and negatives, and reports quality',
      setup(async ({ banks }) => {
        await banks.createBank('t', { id: 'k', name: 'K', classes: ['cat', 'dog'] });
        const first = await banks.addReferences('t', 'k', [draft('cat', [2, 0, 0]), draft('cat', [0, 2, 0]), draft('dog', [0, 0, 1])], embedder());
        expect(first.references.map((r) => r.id)).toHaveLength(3);
        for (const r of first.references) expect(r.id).toMatch(/^ref_[0-9a-f]{16}$/);
        // Two cat shots: each one's leave-one-out cosine is its cosine with the other, 0.
        expect(first.references.map((r) => [r.className, r.quality.basis, r.quality.classCosine])).toEqual([
          ['cat', 'leave-one-out', 0],
          ['cat', 'leave-one-out', 0],
          ['dog', 'single-shot', null],
        ]);
        const second = await banks.addReferences('t', 'k', [draft('cat', [2, 2, 0]), draft('cat', [0, 1, 1], true)], embedder());
        expect(second.bank.dim).toBe(3);
        expect(second.bank.referenceCount).toBe(5);
        expect(second.bank.classes.map((c) => [c.name, c.positives, c.negatives])).toEqual([
          ['cat', 3, 1],
          ['dog', 1, 0],
        ]);
        expect(second.references[0].quality.classCosine).toBeCloseTo(1, 12);
        expect(second.references[1].quality).toMatchObject({ basis: 'class-prototype', outlier: false, confusable: false });
        expect(second.references[1].quality.classCosine).toBeCloseTo(0.5, 12);

        const listed = await banks.listReferences('t', 'k');
        expect(listed.map((r) => r.id)).toEqual([...first.references, ...second.references].map((r) => r.id));
        expect(listed[0]).toMatchObject({ className: 'cat', negative: false, mask: MASK, source: { annotation: 'mask', imageSha256: SHA } });
        // The bank view carries the same quality as a direct computation over the vectors.
        const expected = bankQuality(
          ['cat', 'dog'],
          [
            { id: 'a', className: 'cat', negative: false, vector: [2, 0, 0] },
            { id: 'b', className: 'cat', negative: false, vector: [0, 2, 0] },
            { id: 'c', className: 'dog', negative: false, vector: [0, 0, 1] },
            { id: 'd', className: 'cat', negative: false, vector: [2, 2, 0] },
            { id: 'e', className: 'cat', negative: true, vector: [0, 1, 1] },
          ],
        );
        expect(listed.map((r) => r.quality)).toEqual(expected.references);
        const bank = await banks.getBank('t', 'k');
        expect(bank.classes[0].quality.outliers).toEqual([listed[0].id, listed[1].id]);

        const m = await banks.matchingBank('t', 'k');
        expect(m).toMatchObject({ bankId: 'k', modelId: MODEL, dim: 3, classes: ['cat', 'dog'], matchable: [0, 1], revision: bank.revision });
        // cat: mean of (2,0,0), (0,2,0), (2,2,0) = (4/3, 4/3, 0) → (1/√2, 1/√2, 0).
        expect(Array.from(m.prototypes[0])).toEqual([Math.SQRT1_2, Math.SQRT1_2, 0].map((x) => expect.closeTo(x, 15)));
        expect(Array.from(m.prototypes[1])).toEqual([0, 0, 1]);
        expect(m.negatives.map((n) => n.map((x) => Array.from(x)))).toEqual([[[0, 1, 1]], []]);
      }),
    );

    it(
      'refuses unknown classes before any GPU work',
      setup(async ({ storage, banks }) => {
        await banks.createBank('t', { id: 'k', name: 'K', classes: ['cat'] });
        const before = await dump(storage.kv);
        const embed = embedder();
        const err = await rejection(banks.addReferences('t', 'k', [draft('cat', [1]), draft('dog', [1])], embed), UnknownClassError);
        expect(err.field).toBe('references[1].className');
        expect(err.status).toBe(422);
        expect(embed).not.toHaveBeenCalled();
        await expect(banks.addReferences('t', 'k', [], embed)).rejects.toBeInstanceOf(ValidationError);
        await expect(banks.addReferences('t', 'nope', [draft('cat', [1])], embed)).rejects.toBeInstanceOf(NotFoundError);
        expect(embed).not.toHaveBeenCalled();
        expect(await dump(storage.kv)).toEqual(before);
      }),
    );

    it(
      'stores nothing when the gpu-node fails or returns something unusable',
      setup(async ({ storage, banks }) => {
        await banks.createBank('t', { id: 'k', name: 'K', classes: ['cat'] });
        await banks.addReferences('t', 'k', [draft('cat', [1, 0])], embedder());
        const before = await dump(storage.kv);
        const two = [draft('cat', [0, 1]), draft('cat', [1, 1])];
        const failures: [string, () => Promise<EmbedResult>, new (...a: never[]) => Error][] = [
          ['gpu-node down', () => Promise.reject(new UpstreamError('gpu-node unreachable')), UpstreamError],
          ['NaN vector', async () => ({ modelId: MODEL, references: [{ vector: Float32Array.of(0, 1), mask: MASK }, { vector: Float32Array.of(NaN, 1), mask: MASK }] }), EmptyReferenceError],
          ['zero vector', async () => ({ modelId: MODEL, references: [{ vector: Float32Array.of(0, 1), mask: MASK }, { vector: Float32Array.of(0, 0), mask: MASK }] }), EmptyReferenceError],
          ['wrong dimension', async () => ({ modelId: MODEL, references: [{ vector: Float32Array.of(0, 1), mask: MASK }, { vector: Float32Array.of(1, 1, 1), mask: MASK }] }), UpstreamError],
          ['one vector missing', async () => ({ modelId: MODEL, references: [{ vector: Float32Array.of(0, 1), mask: MASK }] }), UpstreamError],
          ['other model', async () => ({ modelId: 'dinov2-vits14', references: two.map((d) => ({ vector: Float32Array.from(d.vector), mask: MASK })) }), ModelMismatchError],
          ['bad mask', async () => ({ modelId: MODEL, references: two.map((d) => ({ vector: Float32Array.from(d.vector), mask: { size: [2, 2], counts: '9' } as typeof MASK })) }), UpstreamError],
        ];
        for (const [what, embed, type] of failures) {
          await rejection(banks.addReferences('t', 'k', two, embed), type);
          expect(await dump(storage.kv), what).toEqual(before);
        }
        const nan = await rejection(banks.addReferences('t', 'k', two, failures[1][1]), EmptyReferenceError);
        expect(nan.field).toBe('references[1]');
        expect(nan.status).toBe(422);
      }),
    );

    it(
      'stores nothing when storage fails while writing bodies or committing the bank',
      setup(async ({ storage, banks, make }) => {
        await banks.createBank('t', { id: 'k', name: 'K', classes: ['cat'] });
        const before = await dump(storage.kv);
        const batch = [draft('cat', [1, 0]), draft('cat', [0, 1]), draft('cat', [1, 1])];
        let bodyWrites = 0;
        const onSecondBody = make(failing(storage.kv, (keys) => keys[0].startsWith('refs/') && ++bodyWrites === 2));
        await expect(onSecondBody.addReferences('t', 'k', batch, embedder())).rejects.toBeInstanceOf(StorageError);
        expect(await dump(storage.kv)).toEqual(before);
        const onCommit = make(failing(storage.kv, (keys) => keys.some((k) => k.startsWith('banks/'))));
        await expect(onCommit.addReferences('t', 'k', batch, embedder())).rejects.toBeInstanceOf(StorageError);
        expect(await dump(storage.kv)).toEqual(before);
        expect((await banks.getBank('t', 'k')).referenceCount).toBe(0);
      }),
    );

    it(
      'lands every one of several concurrent additions',
      setup(async ({ storage, make }) => {
        const kv = contended(storage.kv);
        const banks = make(kv);
        await banks.createBank('t', { id: 'k', name: 'K', classes: ['cat', 'dog'] });
        const additions = Array.from({ length: 8 }, (_, i) =>
          banks.addReferences('t', 'k', [draft(i % 2 ? 'dog' : 'cat', [1, i]), draft('cat', [i, 1], i === 3)], embedder({}, i % 3)),
        );
        const results = await Promise.all(additions);
        expect(kv.conflicts).toBeGreaterThan(0);
        const listed = await banks.listReferences('t', 'k');
        expect(listed).toHaveLength(16);
        expect(new Set(listed.map((r) => r.id))).toEqual(new Set(results.flatMap((r) => r.references.map((x) => x.id))));
        const m = await banks.matchingBank('t', 'k');
        expect(m.negatives[0].map((v) => Array.from(v))).toEqual([[3, 1]]);
      }),
    );

    it(
      'gives up with 503 after too many conflicts, storing nothing of the losing write',
      setup(async ({ storage, make }) => {
        const kv = contended(storage.kv);
        const banks = make(kv, { maxAttempts: 1 });
        await banks.createBank('t', { id: 'k', name: 'K', classes: ['cat'] });
        const settled = await Promise.allSettled([
          banks.addReferences('t', 'k', [draft('cat', [1, 0])], embedder()),
          banks.addReferences('t', 'k', [draft('cat', [0, 1])], embedder()),
        ]);
        const won = settled.filter((s) => s.status === 'fulfilled');
        const lost = settled.filter((s) => s.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(BankBusyError);
        expect((lost[0] as PromiseRejectedResult).reason.status).toBe(503);
        expect(kv.conflicts).toBe(1);
        expect((await storage.kv.list('refs/')).length).toBe(1);
        expect((await banks.listReferences('t', 'k')).length).toBe(1);
      }),
    );

    it(
      'deletes references and classes with their stored bodies',
      setup(async ({ storage, banks }) => {
        await banks.createBank('t', { id: 'k', name: 'K', classes: ['cat', 'dog', 'owl'] });
        const { references } = await banks.addReferences('t', 'k', [draft('cat', [1, 0]), draft('dog', [0, 1]), draft('owl', [1, 1]), draft('owl', [1, 2])], embedder());
        await banks.deleteReference('t', 'k', references[0].id);
        await expect(banks.deleteReference('t', 'k', references[0].id)).rejects.toThrow('No reference with id');
        expect((await banks.listReferences('t', 'k')).map((r) => r.id)).toEqual(references.slice(1).map((r) => r.id));
        const view = await banks.removeClass('t', 'k', 'dog');
        expect(view.classes.map((c) => [c.name, c.label, c.positives])).toEqual([
          ['cat', 0, 0],
          ['owl', 1, 2],
        ]);
        await expect(banks.removeClass('t', 'k', 'dog')).rejects.toThrow('No class with id "dog"');
        expect((await storage.kv.list('refs/')).length).toBe(2);
        await expect(banks.addClasses('t', 'k', ['owl'])).rejects.toBeInstanceOf(ClassExistsError);
        const grown = await banks.addClasses('t', 'k', ['bat', 'eel']);
        expect(grown.classes.map((c) => c.name)).toEqual(['cat', 'owl', 'bat', 'eel']);
        const m = await banks.matchingBank('t', 'k');
        expect(m.matchable).toEqual([1]);
        expect(Array.from(m.prototypes[0])).toEqual([0, 0]);
      }),
    );

    it(
      'exports a bank file and imports it elsewhere with identical vectors and prototypes',
      setup(async ({ storage, banks }) => {
        await banks.createBank('a', { id: 'src', name: 'Source', classes: ['cat', 'dog', 'empty'] });
        const vectors = [
          [0.1, -2.5, 3.25],
          [1 / 3, 1e-7, -0],
          [7, 8, 9],
        ];
        await banks.addReferences('a', 'src', [draft('cat', vectors[0]), draft('dog', vectors[1]), draft('cat', vectors[2], true)], embedder());
        const file = await banks.exportBank('a', 'src');
        expect(BankFileSchema.parse(file)).toEqual(file);
        expect(file).toMatchObject({ format: 'refseg.bank', version: 1, name: 'Source', modelId: MODEL, pipelineId: PIPELINE, dim: 3 });
        expect(file.classes.map((c) => [c.name, c.instances.length, c.negatives.length])).toEqual([
          ['cat', 1, 1],
          ['dog', 1, 0],
          ['empty', 0, 0],
        ]);
        const travelled: unknown = JSON.parse(JSON.stringify(file));
        const imported = await banks.importBank('b', travelled, { id: 'copy' });
        expect(imported).toMatchObject({ id: 'copy', name: 'Source', dim: 3, referenceCount: 3 });
        expect(imported.classes.map((c) => [c.name, c.positives, c.negatives])).toEqual([
          ['cat', 1, 1],
          ['dog', 1, 0],
          ['empty', 0, 0],
        ]);
        expect(await banks.exportBank('b', 'copy')).toEqual(file);
        const [src, copy] = await Promise.all([banks.matchingBank('a', 'src'), banks.matchingBank('b', 'copy')]);
        expect(copy.prototypes).toEqual(src.prototypes);
        expect(copy.negatives).toEqual(src.negatives);
        expect(Array.from(copy.negatives[0][0])).toEqual(Array.from(Float32Array.from(vectors[2])));
        const refs = await banks.listReferences('b', 'copy');
        expect(refs.map((r) => r.source)).toEqual([{ annotation: 'imported' }, { annotation: 'imported' }, { annotation: 'imported' }]);
        expect(refs.map((r) => r.id).sort()).toEqual((await banks.listReferences('a', 'src')).map((r) => r.id).sort());
        // The same tenant can import under a new id; an empty bank round-trips too.
        const again = await banks.importBank('a', file);
        expect(again.id).not.toBe('src');
        await banks.createBank('a', { id: 'blank', name: 'Blank', classes: ['x'] });
        const blank = await banks.importBank('a', await banks.exportBank('a', 'blank'), { id: 'blank2' });
        expect(blank).toMatchObject({ dim: null, referenceCount: 0 });
        expect(blank.classes.map((c) => c.name)).toEqual(['x']);
        expect((await storage.kv.list('banks/b/')).length).toBe(1);
      }),
    );

    it(
      'refuses a bank file of another model with a clear 409, and stores nothing for a bad file',
      setup(async ({ storage, banks, make }) => {
        await banks.createBank('a', { id: 'src', name: 'Source', classes: ['cat'] });
        await banks.addReferences('a', 'src', [draft('cat', [1, 2])], embedder());
        const file = await banks.exportBank('a', 'src');
        const before = await dump(storage.kv);
        const other: BankFile = { ...file, modelId: 'sam2.1-hiera-b+dinov2-vitb14' };
        const err = await rejection(banks.importBank('a', other, { id: 'x' }), ModelMismatchError);
        expect(err.status).toBe(409);
        expect(err.detail).toBe(`Model id "sam2.1-hiera-b+dinov2-vitb14" does not match "${MODEL}"; embeddings from different models cannot be compared.`);
        expect(err.field).toBe('modelId');
        await expect(banks.importBank('a', { ...file, format: 'something' })).rejects.toBeInstanceOf(ValidationError);
        const zero = structuredClone(file);
        zero.classes[0].instances[0].vector = 'AAAAAAAAAAA=';
        const zeroErr = await rejection(banks.importBank('a', zero), ValidationError);
        expect(zeroErr.field).toBe('classes[0].instances[0].vector');
        await expect(banks.importBank('a', file, { id: 'src' })).rejects.toBeInstanceOf(BankExistsError);
        const dim4 = make(storage.kv, { dim: 4 });
        await expect(dim4.importBank('a', file, { id: 'y' })).rejects.toThrow("this edge's model has dimension 4, the file 2");
        expect(await dump(storage.kv)).toEqual(before);
      }),
    );

    if (harness.reopen) {
      const reopen = harness.reopen.bind(harness);
      it(
        'keeps every acknowledged bank change across a restart',
        setup(async ({ storage, banks, make }) => {
          await banks.createBank('t', { id: 'k', name: 'K', classes: ['cat', 'dog'] });
          const { references } = await banks.addReferences('t', 'k', [draft('cat', [1, 0, 0]), draft('cat', [0, 1, 0]), draft('dog', [0, 0, 1], true)], embedder());
          await banks.deleteReference('t', 'k', references[1].id);
          const view = await banks.getBank('t', 'k');
          const listed = await banks.listReferences('t', 'k');
          const matching = await banks.matchingBank('t', 'k');
          const reopened = await reopen(storage);
          const after = make(reopened.kv);
          expect(await after.getBank('t', 'k')).toEqual(view);
          expect(await after.listReferences('t', 'k')).toEqual(listed);
          expect(await after.matchingBank('t', 'k')).toEqual(matching);
          await after.addReferences('t', 'k', [draft('dog', [0, 1, 1])], embedder());
          expect((await after.getBank('t', 'k')).referenceCount).toBe(3);
          return reopened;
        }),
      );
    }
  });
}

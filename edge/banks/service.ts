// The memory-bank domain over the storage contract: banks per tenant, their classes, references
// (instance vectors from a gpu-node), quality feedback, bank files. Every operation takes the
// tenant the caller authenticated as; a bank of another tenant is simply not found (404), since
// the tenant is the first segment of every storage key (records.ts).
//
// Atomicity (records.ts explains the layout): reference bodies are written first under fresh
// keys, then one compare-and-set of the bank record makes them part of the bank. If embedding,
// validation, writing or the commit fails, the bodies written are deleted again and the bank is
// unchanged; concurrent writers retry the compare-and-set (update.ts) so all of them land.
import { CreateBankSchema, ReferenceSourceSchema } from '../../shared/api/edge.ts';
import { parseBankFile } from '../../shared/bank/bank-file.ts';
import { unusableVector, vectorToBase64 } from '../../shared/bank/vectors.ts';
import type { BankSummary, BankView, CreateBankInput, ReferenceSource, ReferenceView } from '../../shared/api/edge.ts';
import { EmptyReferenceError, InternalError, ModelMismatchError, NotFoundError, UpstreamError, ValidationError } from '../../shared/errors.ts';
import { bytesToHex } from '../../shared/encoding/hex.ts';
import { BankIdSchema, BankSchema, RleSchema } from '../../shared/schemas.ts';
import type { BankFile } from '../../shared/schemas.ts';
import type { Rle } from '../../shared/types.ts';
import { TenantIdSchema } from '../auth/tenant.ts';
import type { KvMutation, KvStore } from '../storage/contract.ts';
import { decodeJson, encodeJson } from '../storage/json.ts';
import { toBankFile } from './bank-file.ts';
import { BankExistsError, ClassExistsError, ReferenceLimitError, UnknownClassError } from './errors.ts';
import { matchingBank } from './matching-bank.ts';
import type { MatchingBank } from './matching-bank.ts';
import { DEFAULT_QUALITY_THRESHOLDS } from './quality.ts';
import type { QualityThresholds } from './quality.ts';
import { bankKey, bankPrefix, BankRecordSchema, bodyKey } from './records.ts';
import type { BankRecord, ManifestEntry, ReferenceBody } from './records.ts';
import { readBankRecord, readBankSnapshot } from './snapshot.ts';
import type { BankSnapshot } from './snapshot.ts';
import { DEFAULT_MAX_ATTEMPTS, updateBank } from './update.ts';
import { bankSummary, bankViews } from './views.ts';

export const MAX_REFERENCES_PER_BANK = 10_000;
export const MAX_REFERENCES_PER_ADD = 1_000;

/** One reference to add, as the client described it (the route may pass richer objects). */
export interface ReferenceDraft {
  className: string;
  negative?: boolean;
  source: ReferenceSource;
}

/** What the gpu-node returns for one draft. */
export interface EmbeddedReference {
  /** Un-normalised instance mean (spec/method.md §2 step 1). */
  vector: Float32Array;
  /** The mask the vector was computed from (a box becomes a mask through SAM2). */
  mask: Rle;
}

export interface EmbedResult {
  /** Model id of the gpu-node that computed the vectors. */
  modelId: string;
  /** Same order and length as the drafts. */
  references: EmbeddedReference[];
}

export type Embedder<T extends ReferenceDraft> = (drafts: readonly T[]) => Promise<EmbedResult>;

export interface AddReferencesResult {
  bank: BankView;
  /** The references just added, with their quality in the updated bank. */
  references: ReferenceView[];
}

export interface BankServiceOptions {
  kv: KvStore;
  /** Model id of this edge's gpu-nodes: new banks get it, bank files must carry it. */
  modelId: string;
  /** Pipeline id new banks get. */
  pipelineId: string;
  /** Embedding dimension of the model, when known (else fixed by a bank's first reference). */
  dim?: number;
  quality?: Partial<QualityThresholds>;
  now?: () => Date;
  /** Compare-and-set attempts before a write gives up with BankBusyError (503). */
  maxAttempts?: number;
}

export interface BankService {
  createBank(tenant: string, input: CreateBankInput): Promise<BankView>;
  getBank(tenant: string, bankId: string): Promise<BankView>;
  listBanks(tenant: string): Promise<BankSummary[]>;
  deleteBank(tenant: string, bankId: string): Promise<void>;
  addClasses(tenant: string, bankId: string, names: readonly string[]): Promise<BankView>;
  /** Removes the class and all its references; later classes move down one label. */
  removeClass(tenant: string, bankId: string, name: string): Promise<BankView>;
  /**
   * Adds references all or nothing. The drafts are checked against the bank first (unknown
   * class, limits) so a bad request costs no GPU work; then `embed` runs (if it throws, nothing
   * is stored); then the vectors are validated and stored atomically.
   */
  addReferences<T extends ReferenceDraft>(tenant: string, bankId: string, drafts: readonly T[], embed: Embedder<T>): Promise<AddReferencesResult>;
  listReferences(tenant: string, bankId: string): Promise<ReferenceView[]>;
  deleteReference(tenant: string, bankId: string, referenceId: string): Promise<void>;
  /** Prototypes and negatives for matching. */
  matchingBank(tenant: string, bankId: string): Promise<MatchingBank>;
  exportBank(tenant: string, bankId: string): Promise<BankFile>;
  /** Creates a bank from a bank file; refuses a file made with another model id. */
  importBank(tenant: string, file: unknown, options?: { id?: string; name?: string }): Promise<BankView>;
}

const randomHex = (bytes: number) => bytesToHex(crypto.getRandomValues(new Uint8Array(bytes)));
const newBankId = () => `bank_${randomHex(8)}`;
const newReferenceId = () => `ref_${randomHex(8)}`;
const newUid = () => randomHex(16);
/** Deno KV takes at most 1000 mutations per commit. */
const DELETE_BATCH = 500;

export function createBankService(options: BankServiceOptions): BankService {
  const { kv, modelId, pipelineId } = options;
  const now = options.now ?? (() => new Date());
  const thresholds: QualityThresholds = { ...DEFAULT_QUALITY_THRESHOLDS, ...options.quality };
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;

  const snapshotOf = async (tenant: string, bankId: string): Promise<BankSnapshot> => {
    assertTenant(tenant);
    const snapshot = await readBankSnapshot(kv, tenant, bankId);
    if (snapshot === null) throw new NotFoundError('bank', bankId);
    return snapshot;
  };

  const viewOf = async (tenant: string, bankId: string) => bankViews(await snapshotOf(tenant, bankId), thresholds).bank;

  /** Best effort: a body no manifest lists is invisible, so a failed delete only wastes space. */
  const dropBodies = async (keys: readonly string[]) => {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const mutations: KvMutation[] = keys.slice(i, i + DELETE_BATCH).map((key) => ({ type: 'delete', key }));
      await kv.commit([], mutations).catch(() => undefined);
    }
  };

  /** Writes fresh bodies; on failure deletes those written and rethrows. */
  const writeBodies = async (keys: readonly string[], bodies: readonly ReferenceBody[]) => {
    const results = await Promise.allSettled(bodies.map((body, i) => kv.commit([{ key: keys[i], version: null }], [{ type: 'set', key: keys[i], value: encodeJson(body) }])));
    const failed = results.find((r) => r.status === 'rejected' || r.value === null);
    if (failed === undefined) return;
    await dropBodies(keys);
    throw failed.status === 'rejected' ? failed.reason : new InternalError('A new reference id was already taken: the random source is broken.');
  };

  /**
   * After a commit that threw: whether it landed anyway (a remote backend can fail after
   * applying). When that cannot be told, the bodies are kept: orphans are harmless, a manifest
   * pointing at deleted bodies is not.
   */
  const maybeLanded = async (tenant: string, bankId: string, uid: string, ids: readonly string[]) => {
    try {
      const current = await readBankRecord(kv, tenant, bankId);
      if (current === null || current.record.uid !== uid) return false;
      const listed = new Set(current.record.references.map((r) => r.id));
      return ids.every((id) => listed.has(id));
    } catch {
      return true;
    }
  };

  /** Runs a bank write that references freshly written bodies, cleaning them up if it fails. */
  const commitWithBodies = async <R>(tenant: string, bankId: string, uid: string, ids: readonly string[], write: () => Promise<R>): Promise<R> => {
    try {
      return await write();
    } catch (err) {
      if (!(await maybeLanded(tenant, bankId, uid, ids))) await dropBodies(ids.map((id) => bodyKey(tenant, bankId, uid, id)));
      throw err;
    }
  };

  return {
    async createBank(tenant, input) {
      assertTenant(tenant);
      const parsed = CreateBankSchema.safeParse(input);
      if (!parsed.success) throw ValidationError.fromZod(parsed.error);
      const id = parsed.data.id ?? newBankId();
      const at = now().toISOString();
      const record: BankRecord = {
        id,
        name: parsed.data.name,
        classes: parsed.data.classes,
        modelId,
        pipelineId,
        dim: options.dim ?? null,
        uid: newUid(),
        createdAt: at,
        updatedAt: at,
        references: [],
      };
      const version = await kv.commit([{ key: bankKey(tenant, id), version: null }], [{ type: 'set', key: bankKey(tenant, id), value: encodeJson(record) }]);
      if (version === null) throw new BankExistsError(id, { field: 'id' });
      return bankViews({ tenant, record, version, references: [] }, thresholds).bank;
    },

    getBank: viewOf,

    async listBanks(tenant) {
      assertTenant(tenant);
      const entries = await kv.list(bankPrefix(tenant));
      return entries
        .map((e) => bankSummary(decodeJson(e.value, BankRecordSchema, `bank ${e.key}`), e.version))
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    },

    async deleteBank(tenant, bankId) {
      assertTenant(tenant);
      const { uid, ids } = await updateBank(kv, tenant, bankId, ({ record }) => ({ next: null, result: { uid: record.uid, ids: record.references.map((r) => r.id) } }), maxAttempts);
      await dropBodies(ids.map((id) => bodyKey(tenant, bankId, uid, id)));
    },

    async addClasses(tenant, bankId, names) {
      assertTenant(tenant);
      await updateBank(
        kv,
        tenant,
        bankId,
        ({ record }) => {
          const existing = names.find((n) => record.classes.includes(n));
          if (existing !== undefined) throw new ClassExistsError(existing, bankId);
          const classes = BankSchema.shape.classes.safeParse([...record.classes, ...names]);
          if (!classes.success) throw ValidationError.fromZod(classes.error, 'classes');
          return { next: { ...record, classes: classes.data, updatedAt: now().toISOString() }, result: {} };
        },
        maxAttempts,
      );
      return viewOf(tenant, bankId);
    },

    async removeClass(tenant, bankId, name) {
      assertTenant(tenant);
      const { uid, ids } = await updateBank(
        kv,
        tenant,
        bankId,
        ({ record }) => {
          if (!record.classes.includes(name)) throw new NotFoundError('class', name);
          const removed = record.references.filter((r) => r.className === name).map((r) => r.id);
          const next: BankRecord = {
            ...record,
            classes: record.classes.filter((c) => c !== name),
            references: record.references.filter((r) => r.className !== name),
            updatedAt: now().toISOString(),
          };
          return { next, result: { uid: record.uid, ids: removed } };
        },
        maxAttempts,
      );
      await dropBodies(ids.map((id) => bodyKey(tenant, bankId, uid, id)));
      return viewOf(tenant, bankId);
    },

    async addReferences<T extends ReferenceDraft>(tenant: string, bankId: string, drafts: readonly T[], embed: Embedder<T>) {
      assertTenant(tenant);
      const before = await readBankRecord(kv, tenant, bankId);
      if (before === null) throw new NotFoundError('bank', bankId);
      checkDrafts(before.record, drafts);

      const embedded = await embed(drafts);
      const dim = checkEmbedded(before.record, options.dim, drafts.length, embedded);

      const { uid } = before.record;
      const at = now().toISOString();
      const entries: ManifestEntry[] = drafts.map((d) => ({ id: newReferenceId(), className: d.className, negative: d.negative ?? false }));
      const ids = entries.map((e) => e.id);
      const keys = ids.map((id) => bodyKey(tenant, bankId, uid, id));
      const bodies: ReferenceBody[] = entries.map((e, i) => ({
        id: e.id,
        createdAt: at,
        source: drafts[i].source,
        vector: vectorToBase64(embedded.references[i].vector),
        mask: embedded.references[i].mask,
      }));
      await writeBodies(keys, bodies);

      await commitWithBodies(tenant, bankId, uid, ids, () =>
        updateBank(
          kv,
          tenant,
          bankId,
          ({ record }) => {
            // Deleted (and maybe re-created) since the bodies were written under its uid.
            if (record.uid !== uid) throw new NotFoundError('bank', bankId);
            checkDrafts(record, drafts);
            if (record.dim !== null && record.dim !== dim) throw new UpstreamError(`The gpu-node returned vectors of dimension ${dim}; bank "${bankId}" holds ${record.dim}.`);
            return { next: { ...record, dim, references: [...record.references, ...entries], updatedAt: at }, result: {} };
          },
          maxAttempts,
        ),
      );

      const { bank, references } = bankViews(await snapshotOf(tenant, bankId), thresholds);
      const added = new Set(ids);
      return { bank, references: references.filter((r) => added.has(r.id)) };
    },

    async listReferences(tenant, bankId) {
      return bankViews(await snapshotOf(tenant, bankId), thresholds).references;
    },

    async deleteReference(tenant, bankId, referenceId) {
      assertTenant(tenant);
      const { uid } = await updateBank(
        kv,
        tenant,
        bankId,
        ({ record }) => {
          if (!record.references.some((r) => r.id === referenceId)) throw new NotFoundError('reference', referenceId);
          const next = { ...record, references: record.references.filter((r) => r.id !== referenceId), updatedAt: now().toISOString() };
          return { next, result: { uid: record.uid } };
        },
        maxAttempts,
      );
      await dropBodies([bodyKey(tenant, bankId, uid, referenceId)]);
    },

    async matchingBank(tenant, bankId) {
      return matchingBank(await snapshotOf(tenant, bankId));
    },

    async exportBank(tenant, bankId) {
      return toBankFile(await snapshotOf(tenant, bankId));
    },

    async importBank(tenant, input, importOptions = {}) {
      assertTenant(tenant);
      const file = parseBankFile(input, { modelId, ...(options.dim === undefined ? {} : { dim: options.dim }) });
      const id = importOptions.id ?? newBankId();
      if (!BankIdSchema.safeParse(id).success) throw new ValidationError([{ path: 'id', message: 'not a valid bank id', code: 'invalid_format' }], { status: 422 });
      if (file.references.length > MAX_REFERENCES_PER_BANK) {
        throw new ReferenceLimitError(`The file holds ${file.references.length} references; a bank holds at most ${MAX_REFERENCES_PER_BANK}.`, MAX_REFERENCES_PER_BANK);
      }
      const name = importOptions.name ?? file.name ?? 'Imported bank';
      const at = now().toISOString();
      const uid = newUid();
      const record: BankRecord = {
        id,
        name,
        classes: file.classes,
        modelId,
        pipelineId: file.pipelineId,
        dim: file.dim ?? options.dim ?? null,
        uid,
        createdAt: at,
        updatedAt: at,
        references: file.references.map((r) => ({ id: r.id, className: r.className, negative: r.negative })),
      };
      const checkedName = BankSchema.shape.name.safeParse(name);
      if (!checkedName.success) throw ValidationError.fromZod(checkedName.error, 'name');
      // Refuse an existing id before writing any body (the commit below re-checks atomically).
      if ((await kv.get(bankKey(tenant, id))) !== null) throw new BankExistsError(id, { field: 'id' });

      const ids = file.references.map((r) => r.id);
      await writeBodies(
        ids.map((refId) => bodyKey(tenant, id, uid, refId)),
        file.references.map((r) => ({ id: r.id, createdAt: at, source: { annotation: 'imported' }, vector: vectorToBase64(r.vector) })),
      );
      const version = await commitWithBodies(tenant, id, uid, ids, async () => {
        const written = await kv.commit([{ key: bankKey(tenant, id), version: null }], [{ type: 'set', key: bankKey(tenant, id), value: encodeJson(record) }]);
        if (written === null) throw new BankExistsError(id, { field: 'id' });
        return written;
      });
      return bankViews({ tenant, record, version, references: file.references.map((r) => ({ ...r, createdAt: at, source: { annotation: 'imported' } })) }, thresholds).bank;
    },
  };
}

function assertTenant(tenant: string): void {
  // The tenant comes from authentication, never from the request body: a bad one is a bug.
  if (!TenantIdSchema.safeParse(tenant).success) throw new InternalError(`Invalid tenant id ${JSON.stringify(tenant)}.`);
}

/** Checks that need no GPU work: counts, classes, sources. */
function checkDrafts(record: BankRecord, drafts: readonly ReferenceDraft[]): void {
  if (drafts.length === 0) throw new ValidationError([{ path: 'references', message: 'give at least one reference', code: 'too_small' }], { status: 422 });
  if (drafts.length > MAX_REFERENCES_PER_ADD) {
    throw new ReferenceLimitError(`${drafts.length} references in one request; the limit is ${MAX_REFERENCES_PER_ADD}.`, MAX_REFERENCES_PER_ADD);
  }
  if (record.references.length + drafts.length > MAX_REFERENCES_PER_BANK) {
    throw new ReferenceLimitError(
      `Bank "${record.id}" holds ${record.references.length} references; adding ${drafts.length} would exceed ${MAX_REFERENCES_PER_BANK}.`,
      MAX_REFERENCES_PER_BANK,
    );
  }
  drafts.forEach((d, i) => {
    if (!record.classes.includes(d.className)) throw new UnknownClassError(d.className, record.id, { field: `references[${i}].className` });
    if (d.negative !== undefined && typeof d.negative !== 'boolean') {
      throw new ValidationError([{ path: `references[${i}].negative`, message: 'must be a boolean', code: 'invalid_type' }]);
    }
    const source = ReferenceSourceSchema.safeParse(d.source);
    if (!source.success) throw ValidationError.fromZod(source.error, `references[${i}].source`);
  });
}

/** Validates the gpu-node's answer; returns the embedding dimension. */
function checkEmbedded(record: BankRecord, modelDim: number | undefined, count: number, embedded: EmbedResult): number {
  if (embedded.modelId !== record.modelId) throw new ModelMismatchError(record.modelId, embedded.modelId);
  if (embedded.references.length !== count) throw new UpstreamError(`The gpu-node returned ${embedded.references.length} vectors for ${count} references.`);
  const dim = record.dim ?? modelDim ?? embedded.references[0].vector.length;
  embedded.references.forEach(({ vector, mask }, i) => {
    if (!(vector instanceof Float32Array) || vector.length !== dim) {
      throw new UpstreamError(`The gpu-node returned a vector of dimension ${vector?.length} for reference ${i}; expected ${dim}.`);
    }
    if (unusableVector(vector) !== null) throw new EmptyReferenceError(undefined, { field: `references[${i}]` });
    if (!RleSchema.safeParse(mask).success) throw new UpstreamError(`The gpu-node returned an invalid mask for reference ${i}.`);
  });
  return dim;
}

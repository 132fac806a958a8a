// The storage contract and the drivers that run on every runtime. The runtime-specific drivers
// are imported directly by their adapter: ./sqlite.node.ts (Node), ./deno-kv.deno.ts (Deno).
export { assertKey, assertPrefix, keySegment, kvDelete, kvSet, MAX_KEY_LENGTH, StorageError, StorageKeyError } from './contract.ts';
export type { BlobCache, BlobPutOptions, KvCheck, KvEntry, KvMutation, KvStore, Storage, StorageGuarantees } from './contract.ts';
export { storageConformanceCases } from './conformance.ts';
export type { ConformanceCase, StorageHarness } from './conformance.ts';
export { decodeJson, encodeJson } from './json.ts';
export { createMemoryStorage } from './memory.ts';
export type { MemoryStorageOptions } from './memory.ts';
export { createWorkersStorage } from './workers.ts';
export type { WorkersKvNamespace, WorkersR2Bucket, WorkersR2Object, WorkersStorageOptions } from './workers.ts';
export { createDurableBankStorage } from './durable-banks.ts';
export type { BankObjectNamespace, BankObjectStub, DurableBankStorageOptions } from './durable-banks.ts';

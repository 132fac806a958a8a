// The storage contract's conformance suite, independent of any test framework so that vitest
// (memory, sqlite), `deno test` (Deno KV) and workerd can all run the same cases:
//   for (const c of storageConformanceCases(harness)) it(c.name, c.run);        // vitest
//   for (const c of storageConformanceCases(harness)) Deno.test(c.name, c.run); // Deno
import { kvDelete, kvSet, MAX_KEY_LENGTH, StorageError, StorageKeyError } from './contract.ts';
import type { Storage, StorageGuarantees } from './contract.ts';

export interface StorageHarness {
  name: string;
  /** What the driver promises; the cases that need a guarantee run only where it is promised. */
  guarantees: StorageGuarantees;
  /** A new, empty storage whose drivers read the harness clock. */
  create(): Promise<Storage>;
  /** Closes `storage` and opens the same backing store again (required when durable). */
  reopen?(storage: Storage): Promise<Storage>;
  /** Moves the clock the drivers were given forward. */
  advanceClock(ms: number): void;
}

export interface ConformanceCase {
  name: string;
  run(): Promise<void>;
}

export class ConformanceFailure extends Error {}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ConformanceFailure(message);
}

function sameBytes(actual: Uint8Array | null | undefined, expected: Uint8Array, what: string): void {
  check(actual instanceof Uint8Array, `${what}: expected ${expected.length} bytes, got ${String(actual)}`);
  check(actual.length === expected.length, `${what}: expected ${expected.length} bytes, got ${actual.length}`);
  for (let i = 0; i < expected.length; i++) check(actual[i] === expected[i], `${what}: byte ${i} is ${actual[i]}, expected ${expected[i]}`);
}

function sameList(actual: readonly unknown[], expected: readonly unknown[], what: string): void {
  check(JSON.stringify(actual) === JSON.stringify(expected), `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

async function rejectsWith(run: () => Promise<unknown>, type: new (...args: never[]) => Error, what: string): Promise<void> {
  try {
    await run();
  } catch (err) {
    check(err instanceof type, `${what}: expected ${type.name}, got ${String(err)}`);
    return;
  }
  throw new ConformanceFailure(`${what}: expected ${type.name}, nothing was thrown`);
}

/** Deterministic bytes (an LCG), so a failing case prints the same numbers every time. */
function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

const text = (s: string) => new TextEncoder().encode(s);

export function storageConformanceCases(harness: StorageHarness): ConformanceCase[] {
  /** Runs `body` on a fresh storage and always closes it (the reopened one if `body` returns it). */
  const withStorage = (body: (s: Storage) => Promise<Storage | void>) => async () => {
    let storage = await harness.create();
    try {
      storage = (await body(storage)) ?? storage;
    } finally {
      await storage.close();
    }
  };

  const cases: ConformanceCase[] = [
    {
      name: 'declares the guarantees the harness expects',
      run: withStorage(async (s) => {
        sameList([s.guarantees.atomic, s.guarantees.durable], [harness.guarantees.atomic, harness.guarantees.durable], 'guarantees');
      }),
    },
    {
      name: 'get of an absent key is null',
      run: withStorage(async (s) => {
        check((await s.kv.get('nothing/here')) === null, 'absent key returned an entry');
      }),
    },
    {
      name: 'a set value reads back with its key and version',
      run: withStorage(async (s) => {
        const version = await kvSet(s.kv, 'a/b', text('hello'));
        const entry = await s.kv.get('a/b');
        check(entry !== null, 'written key is absent');
        check(entry.key === 'a/b', `key is ${entry.key}`);
        check(entry.version === version, `version ${entry.version} differs from the commit's ${version}`);
        sameBytes(entry.value, text('hello'), 'value');
      }),
    },
    {
      name: 'stored values are copies of what was written and read',
      run: withStorage(async (s) => {
        const value = text('abc');
        await kvSet(s.kv, 'k', value);
        value[0] = 0;
        const first = await s.kv.get('k');
        first!.value[1] = 0;
        sameBytes((await s.kv.get('k'))?.value, text('abc'), 'value after mutating input and output');
      }),
    },
    {
      name: 'empty and large values round-trip',
      run: withStorage(async (s) => {
        const large = bytes(300_000, 7);
        await kvSet(s.kv, 'empty', new Uint8Array(0));
        await kvSet(s.kv, 'large', large);
        sameBytes((await s.kv.get('empty'))?.value, new Uint8Array(0), 'empty value');
        sameBytes((await s.kv.get('large'))?.value, large, 'large value');
        const smaller = bytes(70_000, 8);
        await kvSet(s.kv, 'large', smaller);
        sameBytes((await s.kv.get('large'))?.value, smaller, 'large value replaced by a smaller one');
        sameBytes((await s.kv.list('lar'))[0]?.value, smaller, 'large value listed');
      }),
    },
    {
      name: 'every write of a key changes its version',
      run: withStorage(async (s) => {
        const versions = new Set<string>();
        for (let i = 0; i < 5; i++) versions.add(await kvSet(s.kv, 'v', text(String(i % 2))));
        check(versions.size === 5, `5 writes gave ${versions.size} distinct versions`);
      }),
    },
    {
      name: 'getMany keeps the order of the keys and reports absent ones as null',
      run: withStorage(async (s) => {
        for (let i = 0; i < 12; i++) await kvSet(s.kv, `m/${i}`, text(`v${i}`));
        const keys = ['m/3', 'm/x', 'm/0', ...Array.from({ length: 12 }, (_, i) => `m/${11 - i}`)];
        const got = await s.kv.getMany(keys);
        sameList(
          got.map((e) => (e === null ? null : new TextDecoder().decode(e.value))),
          ['v3', null, 'v0', ...Array.from({ length: 12 }, (_, i) => `v${11 - i}`)],
          'getMany values',
        );
      }),
    },
    {
      name: 'list returns exactly the keys under a prefix, in byte order',
      run: withStorage(async (s) => {
        const keys = ['p/b', 'p/a', 'p', 'p0', 'p/b/c', 'q/a', 'p/~', 'p/B', 'o'];
        for (const k of keys) await kvSet(s.kv, k, text(k));
        const under = await s.kv.list('p/');
        sameList(under.map((e) => e.key), ['p/B', 'p/a', 'p/b', 'p/b/c', 'p/~'], 'keys under p/');
        for (const e of under) sameBytes(e.value, text(e.key), `value of ${e.key}`);
        sameList((await s.kv.list('')).map((e) => e.key), [...keys].sort(), 'all keys');
        sameList((await s.kv.list('p/b')).map((e) => e.key), ['p/b', 'p/b/c'], 'keys under p/b');
        sameList(await s.kv.list('r/'), [], 'empty prefix range');
      }),
    },
    {
      name: 'a commit with a stale check writes none of its mutations',
      run: withStorage(async (s) => {
        const v1 = await kvSet(s.kv, 'x', text('1'));
        await kvSet(s.kv, 'x', text('2'));
        await kvSet(s.kv, 'y', text('y'));
        const result = await s.kv.commit(
          [{ key: 'x', version: v1 }],
          [
            { type: 'set', key: 'x', value: text('3') },
            { type: 'set', key: 'z', value: text('z') },
            { type: 'delete', key: 'y' },
          ],
        );
        check(result === null, 'stale check did not fail the commit');
        sameBytes((await s.kv.get('x'))?.value, text('2'), 'x');
        check((await s.kv.get('z')) === null, 'z was written');
        sameBytes((await s.kv.get('y'))?.value, text('y'), 'y');
      }),
    },
    {
      name: 'a null check requires the key to be absent',
      run: withStorage(async (s) => {
        const first = await s.kv.commit([{ key: 'once', version: null }], [{ type: 'set', key: 'once', value: text('a') }]);
        check(first !== null, 'create-if-absent failed on an absent key');
        const second = await s.kv.commit([{ key: 'once', version: null }], [{ type: 'set', key: 'once', value: text('b') }]);
        check(second === null, 'create-if-absent succeeded on a present key');
        sameBytes((await s.kv.get('once'))?.value, text('a'), 'value');
      }),
    },
    {
      name: 'a commit with passing checks applies its sets and deletes under one new version',
      run: withStorage(async (s) => {
        const va = await kvSet(s.kv, 'a', text('a'));
        await kvSet(s.kv, 'gone', text('g'));
        const version = await s.kv.commit(
          [
            { key: 'a', version: va },
            { key: 'absent', version: null },
          ],
          [
            { type: 'set', key: 'a', value: text('A') },
            { type: 'set', key: 'b', value: text('B') },
            { type: 'delete', key: 'gone' },
            { type: 'delete', key: 'never-there' },
          ],
        );
        check(version !== null, 'commit with passing checks failed');
        const [a, b, gone] = await s.kv.getMany(['a', 'b', 'gone']);
        sameBytes(a?.value, text('A'), 'a');
        sameBytes(b?.value, text('B'), 'b');
        check(gone === null, 'deleted key still present');
        check(a?.version === version && b?.version === version, 'written keys do not carry the commit version');
        await kvDelete(s.kv, 'a');
        check((await s.kv.get('a')) === null, 'kvDelete left the key');
      }),
    },
    {
      name: 'keys outside the contract are refused',
      run: withStorage(async (s) => {
        const bad = ['', 'has space', 'tab\tkey', 'é', 'x'.repeat(MAX_KEY_LENGTH + 1), '\x7f'];
        for (const key of bad) {
          await rejectsWith(() => s.kv.get(key), StorageKeyError, `get(${JSON.stringify(key.slice(0, 10))})`);
          await rejectsWith(() => kvSet(s.kv, key, text('v')), StorageKeyError, `set(${JSON.stringify(key.slice(0, 10))})`);
          await rejectsWith(() => s.blobs.put(key, text('v')), StorageKeyError, `blob put(${JSON.stringify(key.slice(0, 10))})`);
        }
        await kvSet(s.kv, 'x'.repeat(MAX_KEY_LENGTH), text('longest'));
        sameBytes((await s.kv.get('x'.repeat(MAX_KEY_LENGTH)))?.value, text('longest'), 'longest key');
        sameList((await s.kv.list('')).map((e) => e.key), ['x'.repeat(MAX_KEY_LENGTH)], 'keys stored');
      }),
    },
    {
      name: 'blobs: put, get, overwrite, delete, large values',
      run: withStorage(async (s) => {
        check((await s.blobs.get('c/1')) === null, 'absent blob returned bytes');
        const large = bytes(1_500_000, 3);
        await s.blobs.put('c/1', large);
        sameBytes(await s.blobs.get('c/1'), large, 'large blob');
        await s.blobs.put('c/1', text('small'));
        sameBytes(await s.blobs.get('c/1'), text('small'), 'overwritten blob');
        await s.blobs.delete('c/1');
        check((await s.blobs.get('c/1')) === null, 'deleted blob returned bytes');
        await s.blobs.delete('c/never');
        check((await s.kv.get('c/1')) === null, 'blobs leaked into the kv namespace');
      }),
    },
    {
      name: 'blobs expire after their TTL and not before',
      run: withStorage(async (s) => {
        await s.blobs.put('t/short', text('short'), { ttlSeconds: 10 });
        await s.blobs.put('t/forever', text('forever'));
        harness.advanceClock(9_999);
        sameBytes(await s.blobs.get('t/short'), text('short'), 'blob before its TTL');
        harness.advanceClock(2);
        check((await s.blobs.get('t/short')) === null, 'blob returned after its TTL');
        sameBytes(await s.blobs.get('t/forever'), text('forever'), 'blob without TTL');
        await rejectsWith(() => s.blobs.put('t/bad', text('x'), { ttlSeconds: 0 }), StorageError, 'TTL 0');
      }),
    },
  ];

  if (harness.guarantees.atomic) {
    cases.push({
      name: 'concurrent compare-and-set increments all land',
      run: withStorage(async (s) => {
        await kvSet(s.kv, 'counter', text('0'));
        const writers = 16;
        let conflicts = 0;
        const increment = async () => {
          for (;;) {
            const entry = (await s.kv.get('counter'))!;
            const next = Number(new TextDecoder().decode(entry.value)) + 1;
            // Yield so that the writers' reads and commits interleave.
            await new Promise((resolve) => setTimeout(resolve, 0));
            const done = await s.kv.commit([{ key: 'counter', version: entry.version }], [{ type: 'set', key: 'counter', value: text(String(next)) }]);
            if (done !== null) return;
            conflicts++;
          }
        };
        await Promise.all(Array.from({ length: writers }, increment));
        sameBytes((await s.kv.get('counter'))?.value, text(String(writers)), 'counter');
        check(conflicts > 0, 'the writers never conflicted, so the test proved nothing');
      }),
    });
  }

  if (harness.guarantees.durable) {
    cases.push({
      name: 'a reopened store has every acknowledged write',
      run: withStorage(async (s) => {
        check(harness.reopen !== undefined, 'a durable harness must be able to reopen');
        const large = bytes(200_000, 11);
        const version = await kvSet(s.kv, 'r/1', text('one'));
        await kvSet(s.kv, 'r/2', large);
        await kvSet(s.kv, 'r/3', text('three'));
        await kvDelete(s.kv, 'r/3');
        await s.blobs.put('b/1', large, { ttlSeconds: 3600 });
        const reopened = await harness.reopen(s);
        sameList((await reopened.kv.list('r/')).map((e) => e.key), ['r/1', 'r/2'], 'keys after reopening');
        sameBytes((await reopened.kv.get('r/2'))?.value, large, 'large value after reopening');
        sameBytes(await reopened.blobs.get('b/1'), large, 'blob after reopening');
        const next = await reopened.kv.commit([{ key: 'r/1', version }], [{ type: 'set', key: 'r/1', value: text('uno') }]);
        check(next !== null && next !== version, 'a version read before the restart no longer checks');
        return reopened;
      }),
    });
  }
  return cases;
}

/**
 * The bounded block cache in Node: a real MemoryBlockstore, the in-memory index, and, for the
 * store's wiring, a real Helia node and a real relay IPFS service on loopback. The IndexedDB index
 * and the page's shared cache run in Chromium (tests/integration/helia-idb.test.ts).
 */
import { MemoryBlockstore } from 'blockstore-core';
import { CID } from 'multiformats/cid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../../../relay/ipfs/testing.ts';
import { equalBytes } from '../core/bytes.ts';
import { BrowserStorageError } from '../core/errors.ts';
import { relayBlobStore } from './blob-store-relay.ts';
import { heliaBlobStore, relayUploader } from './blob-store-helia.ts';
import {
	BLOCK_CACHE_CAP_KEY,
	blockCache,
	DEFAULT_BLOCK_CACHE_BYTES,
	loadCacheCap,
	MAX_BLOCK_CACHE_BYTES,
	memoryBlobIndex,
	MIN_BLOCK_CACHE_BYTES,
	saveCacheCap,
	type BlockCache
} from './helia-browser-cache.ts';
import { createBrowserHelia } from './helia-browser.ts';
import { importFile } from './unixfs.ts';

function bytesOf(n: number, seed: number): Uint8Array {
	return Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed * 17 + (i >> 9)) & 0xff);
}

/** Import a file into a blockstore, as a put does, and return its root and blocks. */
async function stored(blockstore: MemoryBlockstore, bytes: Uint8Array) {
	const imported = await importFile(bytes);
	for (const b of imported.blocks) await blockstore.put(b.cid, b.bytes);
	return { root: imported.root, blocks: imported.blocks.map((b) => ({ cid: b.cid, size: b.bytes.length })) };
}

async function has(blockstore: MemoryBlockstore, cid: CID): Promise<boolean> {
	return blockstore.has(cid);
}

function setup(cap: number) {
	const blockstore = new MemoryBlockstore();
	const index = memoryBlobIndex();
	let clock = 1000;
	const limit = { cap };
	const cache = blockCache({
		blockstore,
		index,
		parse: (t) => CID.parse(t),
		capBytes: () => limit.cap,
		now: () => clock++
	});
	return { blockstore, index, cache, limit };
}

/** Wait for the eviction a record() scheduled. */
async function settled(cache: BlockCache): Promise<void> {
	await cache.evict();
}

describe('blockCache', () => {
	it('evicts whole blobs, least recently used first, down to the cap', async () => {
		const { blockstore, cache, index } = setup(700_000);
		const a = await stored(blockstore, bytesOf(300_000, 1));
		const b = await stored(blockstore, bytesOf(300_000, 2));
		const c = await stored(blockstore, bytesOf(300_000, 3));
		await cache.record(a.root, a.blocks);
		await cache.record(b.root, b.blocks);
		await cache.record(a.root, a.blocks); // a used again: b is now the oldest
		await cache.record(c.root, c.blocks);
		await settled(cache);
		expect((await index.all()).map((e) => e.root).sort()).toEqual([a.root.toString(), c.root.toString()].sort());
		for (const blk of b.blocks) expect(await has(blockstore, blk.cid)).toBe(false);
		for (const blk of [...a.blocks, ...c.blocks]) expect(await has(blockstore, blk.cid)).toBe(true);
		const usage = await cache.usage();
		expect(usage.blobs).toBe(2);
		expect(usage.bytes).toBeLessThanOrEqual(700_000);
	});

	it('keeps a block another listed blob still uses', async () => {
		const { blockstore, cache } = setup(MIN_BLOCK_CACHE_BYTES);
		// Two files sharing their first 256 KiB chunk: one leaf block in common.
		const common = bytesOf(262_144, 4);
		const one = new Uint8Array([...common, ...bytesOf(100_000, 5)]);
		const two = new Uint8Array([...common, ...bytesOf(100_000, 6)]);
		const a = await stored(blockstore, one);
		const b = await stored(blockstore, two);
		const shared = a.blocks.filter((x) => b.blocks.some((y) => y.cid.equals(x.cid)));
		expect(shared.length).toBe(1);
		await cache.record(a.root, a.blocks);
		await cache.record(b.root, b.blocks);
		expect((await cache.usage()).blobs).toBe(2); // both fit the cap: nothing leaves
		// A cap below both: a leaves, b (the newest) stays.
		const small = blockCache({
			blockstore,
			index: memoryBlobIndex(),
			parse: (t) => CID.parse(t),
			capBytes: () => 1
		});
		await small.record(a.root, a.blocks);
		await small.record(b.root, b.blocks);
		await small.evict();
		expect(await has(blockstore, a.root)).toBe(false);
		expect(await has(blockstore, shared[0]!.cid)).toBe(true);
		for (const blk of b.blocks) expect(await has(blockstore, blk.cid)).toBe(true);
	});

	it('keeps the blob used last even alone over the cap', async () => {
		const { blockstore, cache, index } = setup(1);
		const a = await stored(blockstore, bytesOf(300_000, 7));
		await cache.record(a.root, a.blocks);
		await settled(cache);
		expect((await index.all()).length).toBe(1);
		expect(await has(blockstore, a.root)).toBe(true);
	});

	it('never evicts while a read runs, and keeps a blob whose read started', async () => {
		const { blockstore, cache, index, limit } = setup(MAX_BLOCK_CACHE_BYTES);
		const a = await stored(blockstore, bytesOf(300_000, 8));
		const b = await stored(blockstore, bytesOf(300_000, 9));
		const c = await stored(blockstore, bytesOf(300_000, 10));
		await cache.record(a.root, a.blocks);
		await cache.record(b.root, b.blocks);
		await cache.record(c.root, c.blocks);
		const endA = cache.reading(a.root.toString());
		const endOther = cache.reading('bafyother');
		limit.cap = 1;
		let done = false;
		const eviction = cache.evict().then(() => (done = true));
		await new Promise((r) => setTimeout(r, 20));
		expect(done).toBe(false); // waiting for the reads
		expect((await index.all()).length).toBe(3);
		endOther();
		await new Promise((r) => setTimeout(r, 20));
		expect(done).toBe(false); // a is still being read
		for (const blk of a.blocks) expect(await has(blockstore, blk.cid)).toBe(true);
		endA();
		endA(); // twice is once
		await eviction;
		expect((await index.all()).map((e) => e.root)).toEqual([c.root.toString()]);
		for (const blk of [...a.blocks, ...b.blocks]) expect(await has(blockstore, blk.cid)).toBe(false);
		expect(await has(blockstore, c.root)).toBe(true);
	});

	it('clear removes every listed block and the index, after running reads', async () => {
		const { blockstore, cache, index } = setup(DEFAULT_BLOCK_CACHE_BYTES);
		const a = await stored(blockstore, bytesOf(300_000, 11));
		await cache.record(a.root, a.blocks);
		const end = cache.reading(a.root.toString());
		let cleared = false;
		const clearing = cache.clear().then(() => (cleared = true));
		await new Promise((r) => setTimeout(r, 20));
		expect(cleared).toBe(false);
		end();
		await clearing;
		expect(await index.all()).toEqual([]);
		for (const blk of a.blocks) expect(await has(blockstore, blk.cid)).toBe(false);
		expect(await cache.usage()).toEqual({ bytes: 0, blobs: 0 });
	});
});

describe('cache cap setting', () => {
	it('reads the default, a saved value, and clamps', () => {
		const map = new Map<string, string>();
		const store = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
		expect(loadCacheCap(undefined)).toBe(DEFAULT_BLOCK_CACHE_BYTES);
		expect(loadCacheCap(store)).toBe(DEFAULT_BLOCK_CACHE_BYTES);
		expect(saveCacheCap(store, 100 * 1024 * 1024)).toBe(100 * 1024 * 1024);
		expect(loadCacheCap(store)).toBe(100 * 1024 * 1024);
		expect(saveCacheCap(store, 5)).toBe(MIN_BLOCK_CACHE_BYTES);
		map.set(BLOCK_CACHE_CAP_KEY, 'lots');
		expect(loadCacheCap(store)).toBe(DEFAULT_BLOCK_CACHE_BYTES);
		map.set(BLOCK_CACHE_CAP_KEY, String(10 * MAX_BLOCK_CACHE_BYTES));
		expect(loadCacheCap(store)).toBe(MAX_BLOCK_CACHE_BYTES);
		const throwing = {
			getItem: () => {
				throw new Error('blocked');
			},
			setItem: () => {
				throw new Error('quota');
			}
		};
		expect(loadCacheCap(throwing)).toBe(DEFAULT_BLOCK_CACHE_BYTES);
		expect(() => saveCacheCap(throwing, MIN_BLOCK_CACHE_BYTES)).toThrow(BrowserStorageError);
	});
});

describe('heliaBlobStore with a cache', () => {
	let relay: TestRelay;
	beforeAll(async () => {
		relay = await startTestRelay();
	}, 60_000);
	afterAll(async () => {
		await relay?.close();
	});

	it('notes puts and reads; over the cap the oldest file leaves and is fetched again from the relay', async () => {
		const blockstore = new MemoryBlockstore();
		const index = memoryBlobIndex();
		const limit = { cap: DEFAULT_BLOCK_CACHE_BYTES };
		let clock = 0;
		const cache = blockCache({
			blockstore,
			index,
			parse: (t) => CID.parse(t),
			capBytes: () => limit.cap,
			now: () => ++clock
		});
		const node = await createBrowserHelia({ relays: () => [relay.url], blockstore });
		try {
			const store = heliaBlobStore(node, { upload: relayUploader(relayBlobStore([relay.url])), cache });
			const one = bytesOf(400_000, 12);
			const two = bytesOf(400_000, 13);
			const a = await store.put(one);
			const b = await store.put(two);
			const entryA = await index.get(a.toString());
			expect(entryA?.bytes).toBeGreaterThanOrEqual(400_000);
			expect(entryA?.blocks.length).toBe(3);
			const before = (await index.get(a.toString()))!.lastUsed;
			expect(equalBytes(await store.get(a), one)).toBe(true);
			expect((await index.get(a.toString()))!.lastUsed).toBeGreaterThan(before);
			// Now b is the least recently used: a cap for one file evicts it.
			limit.cap = 500_000;
			expect(await cache.evict()).toEqual([b.toString()]);
			expect(await store.isLocal(b)).toBe(false);
			expect(await store.isLocal(a)).toBe(true);
			// Read again: from the relay's gateway, listed again, and a (now the oldest) leaves.
			expect(equalBytes(await store.get(b), two)).toBe(true);
			await cache.evict();
			expect(await store.isLocal(b)).toBe(true);
			expect(await store.isLocal(a)).toBe(false);
		} finally {
			await node.helia.stop();
		}
	});
});

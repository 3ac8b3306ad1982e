/**
 * Settings' storage part over a real block cache (helia-browser-cache.ts blockCache on a real
 * MemoryBlockstore and the in-memory index) and a StorageManager stand-in (Node has no
 * `navigator.storage`; the browser's is checked in tests/integration/helia-idb.test.ts).
 */
import { MemoryBlockstore } from 'blockstore-core';
import { CID } from 'multiformats/cid';
import { describe, expect, it } from 'vitest';
import { BrowserStorageError } from '../core/errors.ts';
import {
	BLOCK_CACHE_CAP_KEY,
	blockCache,
	DEFAULT_BLOCK_CACHE_BYTES,
	loadCacheCap,
	memoryBlobIndex
} from '../net/helia-browser-cache.ts';
import { importFile } from '../net/unixfs.ts';
import { requestPersistence, StorageState, type StorageManagerLike } from './storage.svelte.ts';

function manager(persisted: boolean, grant: boolean) {
	const calls: string[] = [];
	const m: StorageManagerLike = {
		estimate: async () => ({ usage: 1234, quota: 10_000_000 }),
		persisted: async () => (calls.push('persisted'), persisted),
		persist: async () => (calls.push('persist'), grant)
	};
	return { m, calls };
}

describe('requestPersistence', () => {
	it('asks only when not persistent yet, and says what the browser answered', async () => {
		const already = manager(true, false);
		expect(await requestPersistence(already.m)).toBe(true);
		expect(already.calls).toEqual(['persisted']);
		const granted = manager(false, true);
		expect(await requestPersistence(granted.m)).toBe(true);
		expect(granted.calls).toEqual(['persisted', 'persist']);
		const refused = manager(false, false);
		expect(await requestPersistence(refused.m)).toBe(false);
		expect(await requestPersistence({ persist: () => Promise.reject(new Error('opaque origin')) })).toBe(false);
		expect(await requestPersistence({})).toBeUndefined();
		expect(await requestPersistence(undefined)).toBeUndefined();
	});
});

describe('StorageState', () => {
	async function setup() {
		const blockstore = new MemoryBlockstore();
		const cache = blockCache({ blockstore, index: memoryBlobIndex(), parse: (t) => CID.parse(t) });
		const map = new Map<string, string>();
		const settings = {
			getItem: (k: string) => map.get(k) ?? null,
			setItem: (k: string, v: string) => void map.set(k, v)
		};
		const imported = await importFile(Uint8Array.from({ length: 300_000 }, (_, i) => i & 0xff));
		for (const b of imported.blocks) await blockstore.put(b.cid, b.bytes);
		await cache.record(
			imported.root,
			imported.blocks.map((b) => ({ cid: b.cid, size: b.bytes.length }))
		);
		const state = new StorageState({ manager: manager(false, true).m, cache: async () => cache, settings });
		return { state, blockstore, imported, map, settings };
	}

	it('shows quota, cache size, cap and persistence; changes the cap; clears the blocks only', async () => {
		const { state, blockstore, imported, map } = await setup();
		await state.refresh();
		expect(state.error).toBeUndefined();
		expect([state.used, state.quota, state.persisted]).toEqual([1234, 10_000_000, false]);
		expect(state.cap).toBe(DEFAULT_BLOCK_CACHE_BYTES);
		expect(state.cached?.blobs).toBe(1);
		expect(state.cached?.bytes).toBeGreaterThanOrEqual(300_000);

		await state.setCap(64 * 1024 * 1024);
		expect(state.cap).toBe(64 * 1024 * 1024);
		expect(map.get(BLOCK_CACHE_CAP_KEY)).toBe(String(64 * 1024 * 1024));
		expect(loadCacheCap({ getItem: (k) => map.get(k) ?? null })).toBe(64 * 1024 * 1024);

		await state.clear();
		expect(state.error).toBeUndefined();
		expect(state.busy).toBe(false);
		expect(state.cached).toEqual({ bytes: 0, blobs: 0 });
		for (const b of imported.blocks) expect(await blockstore.has(b.cid)).toBe(false);
	});

	it('keeps a failure for the UI: no settings store, a cache that cannot open', async () => {
		const noSettings = new StorageState({
			manager: undefined,
			settings: undefined,
			cache: async () => blockCache({ blockstore: new MemoryBlockstore(), index: memoryBlobIndex(), parse: CID.parse })
		});
		await noSettings.setCap(64 * 1024 * 1024);
		expect(noSettings.error).toBeInstanceOf(BrowserStorageError);
		const broken = new StorageState({
			manager: undefined,
			settings: undefined,
			cache: () => Promise.reject(new BrowserStorageError('IndexedDB is not available in this browser'))
		});
		await broken.clear();
		expect(broken.error).toBeInstanceOf(BrowserStorageError);
		expect(broken.busy).toBe(false);
	});
});

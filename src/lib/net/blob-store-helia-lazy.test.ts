/**
 * The app's entry points to the browser Helia node, in Node against a real relay IPFS service on
 * loopback, with a memory blockstore standing for IndexedDB: the share pages' transfers (the
 * link's relay tried besides the list, a malformed one ignored) and the messenger's lazy store
 * (opened at the first use, opened again after a failed open).
 */
import { MemoryBlockstore } from 'blockstore-core';
import type { Blockstore } from 'interface-blockstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../../../relay/ipfs/testing.ts';
import { equalBytes } from '../core/bytes.ts';
import { NoRelayError } from '../core/errors.ts';
import { heliaTransfers, lazyHeliaBlobStore } from './blob-store-helia-lazy.ts';
import { relayUploader } from './blob-store-helia.ts';
import { relayBlobStore } from './blob-store-relay.ts';

let relay: TestRelay;

beforeAll(async () => {
	relay = await startTestRelay();
}, 60_000);

afterAll(async () => {
	await relay?.close();
});

function bytesOf(n: number, seed: number): Uint8Array {
	return Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed * 17 + (i >> 9)) & 0xff);
}

describe('heliaTransfers', () => {
	it('uploads through the given uploader, then downloads from the link relay when none is listed', async () => {
		const blockstore = new MemoryBlockstore();
		const uploads: { root: string; blocks: number }[] = [];
		const toRelay = relayUploader(relayBlobStore([relay.url]));
		const sender = heliaTransfers({
			relays: () => [relay.url],
			// The uploader gets the blocks Helia made: no second import.
			upload: async (root, blocks, opts) => {
				uploads.push({ root: root.toString(), blocks: blocks.length });
				return toRelay(root, blocks, opts);
			},
			blockstore: async () => blockstore
		});
		const bytes = bytesOf(400_000, 1);
		const none = heliaTransfers({ relays: () => [], upload: toRelay, blockstore: async () => blockstore });
		await expect(none.upload(bytes)).rejects.toBeInstanceOf(NoRelayError);
		const result = await sender.upload(bytes);
		// 400 000 bytes in 256 KiB chunks: two leaves and the root.
		expect(uploads).toEqual([{ root: result.cid, blocks: 3 }]);
		expect(result.accepted).toEqual([relay.url]);

		const reader = heliaTransfers({ relays: () => [], blockstore: async () => new MemoryBlockstore() });
		await expect(reader.download(result.cid)).rejects.toBeInstanceOf(NoRelayError);
		const got = await reader.download(result.cid, { extraRelays: ['not a url', `${relay.url}/`] });
		expect(equalBytes(got, bytes)).toBe(true);
	});
});

describe('lazyHeliaBlobStore', () => {
	it('calls persist once, when created, before any blob moves', async () => {
		let persists = 0;
		let opens = 0;
		const store = lazyHeliaBlobStore({
			relays: () => [relay.url],
			persist: () => persists++,
			blockstore: async () => {
				opens++;
				return new MemoryBlockstore();
			}
		});
		expect([persists, opens]).toEqual([1, 0]);
		await expect(store.put(new Uint8Array(10))).rejects.toBeInstanceOf(NoRelayError);
		expect([persists, opens]).toEqual([1, 1]);
		// A persist that throws or rejects does not stop the store.
		lazyHeliaBlobStore({ relays: () => [], persist: () => Promise.reject(new Error('refused')) });
		lazyHeliaBlobStore({
			relays: () => [],
			persist: () => {
				throw new Error('refused');
			}
		});
	});

	it('opens at the first use, and again after a failed open', async () => {
		let opens = 0;
		const blockstore = new MemoryBlockstore();
		const store = lazyHeliaBlobStore({
			relays: () => [relay.url],
			upload: relayUploader(relayBlobStore([relay.url])),
			blockstore: async (): Promise<Blockstore> => {
				opens++;
				if (opens === 1) throw Object.assign(new Error('refused'), { name: 'OpenFailedError' });
				return blockstore;
			}
		});
		expect(opens).toBe(0);
		const bytes = bytesOf(1000, 2);
		await expect(store.put(bytes)).rejects.toMatchObject({ code: 'ERR_BROWSER_STORAGE' });
		const cid = await store.put(bytes);
		expect(equalBytes(await store.get(cid), bytes)).toBe(true);
		expect(opens).toBe(2);
		expect(await blockstore.has(cid)).toBe(true);
	});
});

/**
 * The browser Helia node in real Chromium, with its real IndexedDB blockstore (blockstore-idb) and
 * a real relay IPFS service on loopback (relay/ipfs/testing.ts): the modules need npm packages,
 * so they are bundled here with Vite into one script and added to the lib-page's empty page.
 *
 * - the blockstore keeps blocks by multihash, so the CIDv0 and CIDv1 of one block are one entry;
 * - a file is read through Helia from a lying relay and an honest one: the lie is refused (Helia
 *   hashes every block), the bytes are right, every block lands in IndexedDB;
 * - a file is put from the page: the CAR reaches the relay and the blocks stay local;
 * - the relay is stopped, a new page of the same profile opens both files from IndexedDB alone;
 * - the block index (helia-browser-cache.ts) in IndexedDB lists both files, an eviction over the
 *   cap removes the least recently used one whole, and "Clear cached files" empties the blocks
 *   and the index while another database of the origin (messages' history) stays.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../../relay/ipfs/testing.ts';
import { relayBlobStore } from '../../src/lib/net/blob-store-relay.ts';
import { bundleLib } from '../helpers/bundle-lib.ts';
import { startLibPage, type LibPage } from '../helpers/lib-page.ts';

let lib: LibPage;
let relay: TestRelay;
let liar: Server;
let liarUrl = '';
let bundle = '';

/** Bundle the browser blob store and what the page needs around it into one IIFE. */
async function bundleHelia(): Promise<string> {
	return bundleLib({
		'net/blob-store-helia.ts': ['openBrowserBlobStore', 'relayUploader'],
		'net/helia-browser.ts': ['openIdbBlockstore'],
		'net/blob-store-relay.ts': ['relayBlobStore'],
		'net/blocks.ts': ['parseCid'],
		'net/helia-browser-cache.ts': ['blockCache', 'browserBlockCache', 'openIdbBlobIndex']
	});
}

async function openPage(): Promise<Page> {
	const page = await lib.profile.context.newPage();
	await page.goto(lib.origin);
	await page.addScriptTag({ content: bundle });
	return page;
}

function sha256Hex(bytes: Uint8Array): string {
	return createHash('sha256').update(bytes).digest('hex');
}

beforeAll(async () => {
	[bundle, lib, relay] = await Promise.all([bundleHelia(), startLibPage('helia idb'), startTestRelay()]);
	// Serves, for any block, bytes that are not the block (with the headers a gateway sends).
	liar = createServer((req, res) => {
		res.writeHead(200, { 'content-type': 'application/vnd.ipld.raw', 'access-control-allow-origin': '*' });
		res.end(Buffer.from(`not the block at ${req.url}`));
	});
	await new Promise<void>((r) => liar.listen(0, '127.0.0.1', r));
	liarUrl = `http://127.0.0.1:${(liar.address() as { port: number }).port}`;
}, 180_000);

afterAll(async () => {
	await lib?.close();
	liar?.closeAllConnections();
	await new Promise((r) => liar?.close(r));
	await relay?.close().catch(() => {});
});

describe('the browser Helia node over IndexedDB', () => {
	const read = new Uint8Array(randomBytes(1024 * 1024 + 4321));
	let readCid = '';
	let putCid = '';
	let putHash = '';

	it('keys blocks by multihash: the CIDv0 and CIDv1 of a block are one entry', async () => {
		const page = await openPage();
		const result = (await page.evaluate(`(async () => {
			const { openIdbBlockstore, parseCid } = globalThis.MiaouLib;
			const store = await openIdbBlockstore('miaou-blocks-keys');
			const v0 = parseCid('QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n');
			const v1 = v0.toV1();
			const bytes = new Uint8Array([1, 2, 3]);
			const before = await store.has(v1);
			await store.put(v0, bytes);
			const both = [await store.has(v0), await store.has(v1)];
			const chunks = [];
			for await (const c of store.get(v1)) chunks.push(...c);
			await store.delete(v1);
			return { before, both, got: chunks, after: await store.has(v0) };
		})()`)) as Record<string, unknown>;
		expect(result).toEqual({ before: false, both: [true, true], got: [1, 2, 3], after: false });
		await page.close();
	}, 60_000);

	it('reads a file through Helia past a lying relay, and keeps its blocks in IndexedDB', async () => {
		readCid = (await relayBlobStore([relay.url]).put(read)).toString();
		const page = await openPage();
		const result = (await page.evaluate(`(async () => {
			const { openBrowserBlobStore } = globalThis.MiaouLib;
			const store = await openBrowserBlobStore({ relays: () => [${JSON.stringify(liarUrl)}, ${JSON.stringify(relay.url)}] });
			const localBefore = await store.isLocal(${JSON.stringify(readCid)});
			const bytes = await store.get(${JSON.stringify(readCid)});
			const hash = [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
			let onlyLiar;
			try {
				const other = await openBrowserBlobStore({ relays: () => [${JSON.stringify(liarUrl)}] });
				await other.get('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy');
			} catch (error) {
				onlyLiar = error.code;
			}
			return { localBefore, length: bytes.length, hash, localAfter: await store.isLocal(${JSON.stringify(readCid)}), onlyLiar };
		})()`)) as Record<string, unknown>;
		expect(result).toEqual({
			localBefore: false,
			length: read.length,
			hash: sha256Hex(read),
			localAfter: true,
			onlyLiar: 'ERR_HASH_MISMATCH'
		});
		await page.close();
	}, 60_000);

	it('puts a file from the page: the relay stores it and the blocks stay local', async () => {
		const page = await openPage();
		const result = (await page.evaluate(`(async () => {
			const { openBrowserBlobStore, relayUploader, relayBlobStore } = globalThis.MiaouLib;
			const relays = () => [${JSON.stringify(relay.url)}];
			const store = await openBrowserBlobStore({ relays, upload: relayUploader(relayBlobStore(relays)) });
			const bytes = new Uint8Array(700000);
			for (let i = 0; i < bytes.length; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
			const phases = new Set();
			const uploaded = await store.upload(bytes, { onProgress: (p) => phases.add(p.phase) });
			const hash = [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
			return { ...uploaded, hash, phases: [...phases], local: await store.isLocal(uploaded.cid) };
		})()`)) as { cid: string; accepted: string[]; hash: string; phases: string[]; local: boolean };
		expect(result.accepted).toEqual([relay.url]);
		expect(result.phases).toEqual(['encode', 'upload']);
		expect(result.local).toBe(true);
		const fromRelay = await relayBlobStore([relay.url]).get(result.cid);
		expect(sha256Hex(fromRelay)).toBe(result.hash);
		putCid = result.cid;
		putHash = result.hash;
		await page.close();
	}, 60_000);

	it('opens both files again in a new page with the relay stopped', async () => {
		await relay.close();
		const page = await openPage();
		const result = (await page.evaluate(`(async () => {
			const { openBrowserBlobStore } = globalThis.MiaouLib;
			const store = await openBrowserBlobStore({ relays: () => [${JSON.stringify(relay.url)}] });
			const hex = async (b) => [...new Uint8Array(await crypto.subtle.digest('SHA-256', b))].map((x) => x.toString(16).padStart(2, '0')).join('');
			const read = await store.get(${JSON.stringify(readCid)});
			const put = await store.get(${JSON.stringify(putCid)});
			let unknown;
			try {
				await store.get('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy');
			} catch (error) {
				unknown = error.code;
			}
			return { read: await hex(read), put: await hex(put), unknown };
		})()`)) as Record<string, unknown>;
		expect(result).toEqual({ read: sha256Hex(read), put: putHash, unknown: 'ERR_NOT_FOUND' });
		await page.close();
	}, 60_000);

	it('lists both files in the block index and evicts the least recently used one whole', async () => {
		const page = await openPage();
		const result = (await page.evaluate(
			`(async () => {
			const { openBrowserBlobStore, openIdbBlobIndex, openIdbBlockstore, blockCache, parseCid } = globalThis.MiaouLib;
			const index = await openIdbBlobIndex();
			const listed = (await index.all()).map((e) => ({ root: e.root, bytes: e.bytes, blocks: e.blocks.length }));
			// A cap of one byte: everything but the blob used last leaves (the put file, read last above).
			const cache = blockCache({ blockstore: await openIdbBlockstore(), index, parse: parseCid, capBytes: () => 1 });
			const removed = await cache.evict();
			const store = await openBrowserBlobStore({ relays: () => [] });
			return {
				listed,
				removed,
				left: (await index.all()).map((e) => e.root),
				readLocal: await store.isLocal(${JSON.stringify('READ')}),
				putLocal: await store.isLocal(${JSON.stringify('PUT')})
			};
		})()`
				.replace('READ', readCid)
				.replace('PUT', putCid)
		)) as {
			listed: { root: string; bytes: number; blocks: number }[];
			removed: string[];
			left: string[];
			readLocal: boolean;
			putLocal: boolean;
		};
		const byRoot = new Map(result.listed.map((e) => [e.root, e]));
		expect(byRoot.get(readCid)?.bytes).toBeGreaterThanOrEqual(read.length);
		expect(byRoot.get(readCid)?.blocks).toBe(6); // 1 MiB + 4321 B in 256 KiB leaves, and the root
		expect(byRoot.get(putCid)?.bytes).toBeGreaterThanOrEqual(700_000);
		expect(result.removed).toEqual([readCid]);
		expect(result.left).toEqual([putCid]);
		expect([result.readLocal, result.putLocal]).toEqual([false, true]);
		await page.close();
	}, 60_000);

	it('clears cached files (listed or not) and the index, and leaves the other databases alone', async () => {
		const page = await openPage();
		const result = (await page.evaluate(
			`(async () => {
			const { browserBlockCache, openBrowserBlobStore, openIdbBlockstore, openIdbBlobIndex, parseCid } = globalThis.MiaouLib;
			// Another database of the origin, as messages' history is.
			const other = await new Promise((resolve, reject) => {
				const r = indexedDB.open('miaou-history-stand-in', 1);
				r.onupgradeneeded = () => r.result.createObjectStore('records');
				r.onsuccess = () => resolve(r.result);
				r.onerror = () => reject(r.error);
			});
			await new Promise((resolve) => {
				const tx = other.transaction('records', 'readwrite');
				tx.objectStore('records').put('kept', 'message-1');
				tx.oncomplete = resolve;
			});
			// A block no index lists (written before the index existed).
			const blocks = await openIdbBlockstore();
			const stray = parseCid('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy');
			await blocks.put(stray, new TextEncoder().encode('hello world'));
			const cache = await browserBlockCache();
			const before = await cache.usage();
			await cache.clear();
			const store = await openBrowserBlobStore({ relays: () => [] });
			const message = await new Promise((resolve) => {
				const r = other.transaction('records').objectStore('records').get('message-1');
				r.onsuccess = () => resolve(r.result);
			});
			const estimate = await navigator.storage.estimate();
			return {
				before: before.blobs,
				after: await cache.usage(),
				index: (await (await openIdbBlobIndex()).all()).length,
				stray: await blocks.has(stray),
				putLocal: await store.isLocal(${JSON.stringify('PUT')}),
				message,
				estimate: typeof estimate.usage === 'number' && typeof estimate.quota === 'number'
			};
		})()`.replace('PUT', putCid)
		)) as Record<string, unknown>;
		expect(result).toEqual({
			before: 1,
			after: { bytes: 0, blobs: 0 },
			index: 0,
			stray: false,
			putLocal: false,
			message: 'kept',
			estimate: true
		});
		await page.close();
	}, 60_000);
});

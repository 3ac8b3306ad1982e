/**
 * The Helia blob store in Node against a real relay IPFS service on loopback: put uploads a CAR
 * the relay pins and keeps the blocks locally, get reads local blocks first and the relay's
 * gateway for the rest, and a file read once reads again with the relay gone (a folder
 * blockstore stands for IndexedDB here; tests/integration/helia-idb.test.ts runs IndexedDB).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBlockstore } from 'blockstore-core';
import { FsBlockstore } from 'blockstore-fs';
import type { Blockstore } from 'interface-blockstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../../../relay/ipfs/testing.ts';
import { equalBytes } from '../core/bytes.ts';
import {
	ContentNotFoundError,
	HashMismatchError,
	MalformedError,
	NoRelayError,
	TooLargeError
} from '../core/errors.ts';
import { relayBlobStore } from './blob-store-relay.ts';
import { heliaBlobStore, relayUploader, type Uploader } from './blob-store-helia.ts';
import { createBrowserHelia } from './helia-browser.ts';
import { importFile } from './unixfs.ts';
import { closedPortUrl } from './testing/http.ts';

let relay: TestRelay;
let closedUrl: string;
const dirs: string[] = [];

function bytesOf(n: number, seed: number): Uint8Array {
	const out = new Uint8Array(n);
	let x = seed * 2654435761;
	for (let i = 0; i < n; i++) {
		x = (x ^ (x << 13)) >>> 0;
		x = (x ^ (x >>> 17)) >>> 0;
		x = (x ^ (x << 5)) >>> 0;
		out[i] = x & 0xff;
	}
	return out;
}

async function fsStore(): Promise<FsBlockstore> {
	const dir = await mkdtemp(join(tmpdir(), 'miaou-helia-blobs-'));
	dirs.push(dir);
	const store = new FsBlockstore(dir);
	await store.open();
	return store;
}

async function node(relays: () => readonly string[], blockstore: Blockstore = new MemoryBlockstore()) {
	return createBrowserHelia({ relays, blockstore });
}

beforeAll(async () => {
	relay = await startTestRelay();
	closedUrl = await closedPortUrl();
}, 60_000);

afterAll(async () => {
	await relay?.close();
	for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('heliaBlobStore', () => {
	it('put: uploads a CAR the relay serves, keeps every block locally, and reports progress', async () => {
		const bytes = bytesOf(1024 * 1024 + 77, 1);
		const expected = await importFile(bytes);
		const blockstore = new MemoryBlockstore();
		const n = await createBrowserHelia({ relays: () => [relay.url], blockstore });
		const phases = new Set<string>();
		const store = heliaBlobStore(n, { upload: relayUploader(relayBlobStore([relay.url])) });
		const result = await store.upload(bytes, { onProgress: (p) => phases.add(p.phase) });
		expect(result).toEqual({ cid: expected.root.toString(), accepted: [relay.url], refused: [] });
		expect([...phases]).toEqual(['encode', 'upload']);
		for (const block of expected.blocks) expect(await blockstore.has(block.cid)).toBe(true);
		expect(await store.isLocal(expected.root)).toBe(true);
		// The relay has it too: its own store reads it back block by block.
		expect(equalBytes(await relayBlobStore([relay.url]).get(expected.root), bytes)).toBe(true);
		await n.helia.stop();
	});

	it('get: from the relay once, then from the local blocks with the relay unreachable', async () => {
		const bytes = bytesOf(2 * 1024 * 1024 + 5, 2);
		const cid = await relayBlobStore([relay.url]).put(bytes);
		const blockstore = await fsStore();
		let relays = [relay.url];
		const first = await node(() => relays, blockstore);
		const store = heliaBlobStore(first);
		expect(await store.isLocal(cid)).toBe(false);
		const progress: number[] = [];
		expect(equalBytes(await store.get(cid, { onProgress: (p) => progress.push(p.bytes) }), bytes)).toBe(true);
		expect(progress.at(-1)).toBe(bytes.length);
		expect(first.broker.stats().served[relay.url]).toBe(10);
		await first.helia.stop();

		// A new node over the same folder (a reopened tab), every relay down.
		relays = [closedUrl];
		const second = await node(() => relays, blockstore);
		const again = heliaBlobStore(second);
		expect(await again.isLocal(cid)).toBe(true);
		expect(equalBytes(await again.get(cid.toString()), bytes)).toBe(true);
		expect(second.broker.stats()).toEqual({ served: {}, failures: [] });
		// Content never read is still not found, and says which relay failed.
		const missing = (await importFile(bytesOf(100, 99))).root;
		await expect(again.get(missing)).rejects.toBeInstanceOf(ContentNotFoundError);
		relays = [];
		await expect(again.get(missing)).rejects.toBeInstanceOf(NoRelayError);
		expect(equalBytes(await again.get(cid), bytes)).toBe(true);
		await second.helia.stop();
	});

	it('replaces a local block altered at rest by a verified copy from a relay', async () => {
		const bytes = bytesOf(600_000, 3);
		const { root, blocks } = await importFile(bytes);
		await relayBlobStore([relay.url]).put(bytes);
		const blockstore = new MemoryBlockstore();
		const n = await node(() => [relay.url], blockstore);
		const leaf = blocks[1]!;
		const altered = new Uint8Array(leaf.bytes);
		altered[10] = altered[10]! ^ 0xff;
		await blockstore.put(leaf.cid, altered);
		expect(equalBytes(await heliaBlobStore(n).get(root), bytes)).toBe(true);
		const held: Uint8Array[] = [];
		for await (const chunk of blockstore.get(leaf.cid)) held.push(chunk);
		expect(equalBytes(held[0]!, leaf.bytes)).toBe(true);
		await n.helia.stop();
	});

	it('says ContentNotFoundError when a local block is altered at rest and no relay has it', async () => {
		const bytes = bytesOf(1000, 4);
		const { root } = await importFile(bytes);
		const blockstore = new MemoryBlockstore();
		await blockstore.put(root, bytesOf(1000, 5));
		const n = await node(() => [relay.url], blockstore);
		await expect(heliaBlobStore(n).get(root)).rejects.toBeInstanceOf(ContentNotFoundError);
		await n.helia.stop();
	});

	it('keeps the size caps on get and put', async () => {
		const bytes = bytesOf(300_000, 6);
		const cid = await relayBlobStore([relay.url]).put(bytes);
		const n = await node(() => [relay.url]);
		const store = heliaBlobStore(n, { maxBytes: 100_000, upload: relayUploader(relayBlobStore([relay.url])) });
		await expect(store.get(cid)).rejects.toBeInstanceOf(TooLargeError);
		await expect(store.put(bytes)).rejects.toBeInstanceOf(TooLargeError);
		expect((await heliaBlobStore(n, { maxBytes: 300_000 }).get(cid)).length).toBe(300_000);
		await n.helia.stop();
	});

	it('refuses to put without an uploader, and when the relays name another root', async () => {
		const n = await node(() => [relay.url]);
		await expect(heliaBlobStore(n).put(new Uint8Array(10))).rejects.toBeInstanceOf(NoRelayError);
		const wrong: Uploader = async () => ({
			cid: (await importFile(new Uint8Array(1))).root.toString(),
			accepted: [relay.url],
			refused: []
		});
		await expect(heliaBlobStore(n, { upload: wrong }).put(new Uint8Array(10))).rejects.toBeInstanceOf(MalformedError);
		await expect(
			heliaBlobStore(n, { upload: relayUploader(relayBlobStore([closedUrl])) }).put(new Uint8Array(10))
		).rejects.toBeInstanceOf(NoRelayError);
		await n.helia.stop();
	});

	it('never returns bytes from a relay that lies about every block', async () => {
		const liarServer = createServer((req, res) => {
			res.writeHead(200, { 'content-type': 'application/vnd.ipld.raw' });
			res.end(Buffer.from('not the block you asked for'));
		});
		await new Promise<void>((r) => liarServer.listen(0, '127.0.0.1', r));
		const liarUrl = `http://127.0.0.1:${(liarServer.address() as { port: number }).port}`;
		const { root } = await importFile(bytesOf(2000, 7));
		const n = await node(() => [liarUrl]);
		await expect(heliaBlobStore(n).get(root)).rejects.toBeInstanceOf(HashMismatchError);
		await n.helia.stop();
		liarServer.closeAllConnections();
		await new Promise((r) => liarServer.close(r));
	});
});

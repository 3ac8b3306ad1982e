/**
 * The browser Helia node in Node, against a real relay IPFS service on loopback
 * (relay/ipfs/testing.ts): blocks come from the relay's Trustless Gateway, Helia verifies each
 * against its CID, a relay that serves a wrong block is skipped for the next one, and the relay
 * list is read at every request.
 */
import { withBitswap } from '@helia/bitswap';
import { MemoryBlockstore } from 'blockstore-core';
import { createLibp2p } from 'libp2p';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../../../relay/ipfs/testing.ts';
import { equalBytes } from '../core/bytes.ts';
import { ContentNotFoundError, HashMismatchError, NoRelayError } from '../core/errors.ts';
import { relayBlobStore } from './blob-store-relay.ts';
import { createBrowserHelia, LIAR_PENALTY_MS, RELAY_BROKER_NAME, relayGatewayBroker } from './helia-browser.ts';
import { importFile } from './unixfs.ts';
import { closedPortUrl, lyingProxy, type LyingProxy } from './testing/http.ts';

let relay: TestRelay;
let liar: LyingProxy;
let closedUrl: string;

function bytesOf(n: number, seed: number): Uint8Array {
	const out = new Uint8Array(n);
	for (let i = 0; i < n; i++) out[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
	return out;
}

async function readAll(it: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Uint8Array> {
	const chunks: Uint8Array[] = [];
	for await (const c of it) chunks.push(c);
	return new Uint8Array(Buffer.concat(chunks));
}

beforeAll(async () => {
	relay = await startTestRelay();
	liar = await lyingProxy(relay.url);
	closedUrl = await closedPortUrl();
}, 60_000);

afterAll(async () => {
	await liar?.close();
	await relay?.close();
});

describe('createBrowserHelia', () => {
	it('fetches a block from a relay gateway, verifies it and keeps it in its blockstore', async () => {
		const bytes = bytesOf(300_000, 1);
		const cid = await relayBlobStore([relay.url]).put(bytes);
		const blockstore = new MemoryBlockstore();
		const { helia, broker } = await createBrowserHelia({ relays: () => [relay.url], blockstore });
		try {
			const root = await readAll(helia.blockstore.get(cid));
			expect(root.length).toBeGreaterThan(0);
			expect(await blockstore.has(cid)).toBe(true);
			expect(broker.stats().served).toEqual({ [relay.url]: 1 });
			// The second read is local: no new request.
			await readAll(helia.blockstore.get(cid));
			expect(broker.stats().served).toEqual({ [relay.url]: 1 });
		} finally {
			await helia.stop();
		}
	});

	it('rejects a wrong block from a lying relay (Helia hashes it) and completes from the next relay', async () => {
		const bytes = bytesOf(200_000, 2);
		const { root } = await importFile(bytes);
		await relayBlobStore([relay.url]).put(bytes);
		const blockstore = new MemoryBlockstore();
		const before = liar.served;
		const { helia, broker } = await createBrowserHelia({ relays: () => [liar.url, relay.url], blockstore });
		try {
			const block = await readAll(helia.blockstore.get(root));
			expect(liar.served - before).toBe(1);
			expect(equalBytes(block, bytes)).toBe(true);
			expect(broker.stats().failures).toEqual([
				expect.objectContaining({ relay: liar.url, kind: 'mismatch', cid: root.toString() })
			]);
			expect(broker.stats().served).toEqual({ [relay.url]: 1 });
			// What was stored is the verified copy.
			expect(equalBytes(await readAll(blockstore.get(root)), bytes)).toBe(true);
		} finally {
			await helia.stop();
		}
	});

	it('throws HashMismatchError when the only relay lies, and skips it for a while after', async () => {
		const bytes = bytesOf(1000, 3);
		const { root } = await importFile(bytes);
		await relayBlobStore([relay.url]).put(bytes);
		let clock = 1_000_000;
		const broker = relayGatewayBroker(() => [liar.url], { now: () => clock });
		await expect(broker.retrieve(root)).rejects.toBeInstanceOf(HashMismatchError);
		const asked = liar.served;
		await expect(broker.retrieve(root)).rejects.toBeInstanceOf(HashMismatchError);
		expect(liar.served).toBe(asked);
		clock += LIAR_PENALTY_MS + 1;
		await expect(broker.retrieve(root)).rejects.toBeInstanceOf(HashMismatchError);
		expect(liar.served).toBe(asked + 1);
	});

	it('reads the relay list at each request: none, then a dead one, then a live one', async () => {
		const bytes = bytesOf(5000, 4);
		const { root } = await importFile(bytes);
		await relayBlobStore([relay.url]).put(bytes);
		const list: string[] = [];
		const broker = relayGatewayBroker(() => list);
		await expect(broker.retrieve(root)).rejects.toBeInstanceOf(NoRelayError);
		list.push(closedUrl);
		await expect(broker.retrieve(root)).rejects.toBeInstanceOf(ContentNotFoundError);
		list.push(relay.url);
		expect(equalBytes(await broker.retrieve(root), bytes)).toBe(true);
		expect(broker.stats().failures.map((f) => [f.relay, f.kind])).toEqual([
			[closedUrl, 'error'],
			[closedUrl, 'error']
		]);
	});

	it('says a block is missing when the relay answers 404', async () => {
		const { root } = await importFile(bytesOf(100, 5));
		const broker = relayGatewayBroker(() => [relay.url]);
		const error = await broker.retrieve(root).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(ContentNotFoundError);
		expect(broker.stats().failures).toEqual([expect.objectContaining({ kind: 'missing', message: 'HTTP 404' })]);
	});

	it('adds Bitswap beside the relay broker when given a libp2p node', async () => {
		const libp2p = await createLibp2p({ start: false });
		const { helia } = await createBrowserHelia({
			relays: () => [],
			blockstore: new MemoryBlockstore(),
			libp2p: { node: libp2p, withBitswap }
		});
		try {
			expect(helia.hasBlockBroker(RELAY_BROKER_NAME)).toBe(true);
			expect(helia.hasBlockBroker('bitswap')).toBe(true);
		} finally {
			await helia.stop();
			await libp2p.stop();
		}
	});

	it('gets every block of a multi-block file, each equal to the one imported here', async () => {
		const bytes = bytesOf(700_000, 6);
		const { root, blocks } = await importFile(bytes);
		await relayBlobStore([relay.url]).put(bytes);
		const { helia } = await createBrowserHelia({ relays: () => [relay.url], blockstore: new MemoryBlockstore() });
		try {
			for (const block of blocks)
				expect(equalBytes(await readAll(helia.blockstore.get(block.cid)), block.bytes)).toBe(true);
			expect(blocks[0]!.cid.equals(root)).toBe(true);
		} finally {
			await helia.stop();
		}
	});
});

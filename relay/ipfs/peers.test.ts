import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import { MAX_BLOCK_BYTES } from './limits.ts';
import { normalizePeerUrls, peerRelays, type PeerFetchResult } from './peers.ts';
import { encodeCar, rawBlock, removeDir, startTestRelay, uploadCar, type TestRelay } from './testing.ts';

/** A peer that answers every block request with the given status and body. */
async function fakePeer(
	answer: (url: string) => { status: number; body: Uint8Array }
): Promise<{ url: string; seen: string[]; close(): void }> {
	const seen: string[] = [];
	const server = http.createServer((req, res) => {
		seen.push(`${req.url} ${req.headers['cache-control']}`);
		const { status, body } = answer(req.url ?? '');
		res.writeHead(status).end(body);
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => server.close() };
}

describe('normalizePeerUrls', () => {
	it('keeps origin and path without trailing slashes', () => {
		expect(normalizePeerUrls(['http://a.example:8080/', 'https://b.example/relay//'])).toEqual([
			'http://a.example:8080',
			'https://b.example/relay'
		]);
	});

	it('refuses other schemes and garbage', () => {
		expect(() => normalizePeerUrls(['ws://a.example'])).toThrow(RangeError);
		expect(() => normalizePeerUrls(['not a url'])).toThrow(RangeError);
	});
});

describe('peerRelays.fetchBlock', () => {
	let relay: TestRelay;
	beforeAll(async () => {
		relay = await startTestRelay();
	});
	afterAll(async () => {
		await relay.close();
		await removeDir(relay.dataDir);
	});

	it('fetches a verified block from a real relay, asking only-if-cached', async () => {
		const block = await rawBlock(randomBytes(500));
		expect((await uploadCar(relay.url, await encodeCar([block.cid], [block]))).status).toBe(200);
		const results: PeerFetchResult[] = [];
		const peers = peerRelays([relay.url], silentLogger, (r) => results.push(r));
		const bytes = await peers.fetchBlock(block.cid);
		expect(Buffer.from(bytes!).equals(block.bytes)).toBe(true);
		expect(results).toEqual(['ok']);
		const missing = await rawBlock(randomBytes(10));
		expect(await peers.fetchBlock(missing.cid)).toBeUndefined();
		expect(results).toEqual(['ok', 'missing']);
	});

	it('refuses wrong bytes and oversized answers, then tries the next peer', async () => {
		const block = await rawBlock(randomBytes(300));
		const liar = await fakePeer(() => ({ status: 200, body: randomBytes(300) }));
		const huge = await fakePeer(() => ({ status: 200, body: new Uint8Array(MAX_BLOCK_BYTES + 1) }));
		const honest = await fakePeer(() => ({ status: 200, body: block.bytes }));
		try {
			const results: PeerFetchResult[] = [];
			const peers = peerRelays([liar.url, huge.url, honest.url], silentLogger, (r) => results.push(r));
			const bytes = await peers.fetchBlock(block.cid);
			expect(Buffer.from(bytes!).equals(block.bytes)).toBe(true);
			expect(results).toEqual(['bad_hash', 'too_large', 'ok']);
			expect(liar.seen[0]).toBe(`/ipfs/${block.cid}?format=raw only-if-cached`);
		} finally {
			liar.close();
			huge.close();
			honest.close();
		}
	});

	it('treats an unreachable peer as missing', async () => {
		const block = await rawBlock(randomBytes(10));
		const results: PeerFetchResult[] = [];
		const peers = peerRelays(['http://127.0.0.1:1'], silentLogger, (r) => results.push(r));
		expect(await peers.fetchBlock(block.cid)).toBeUndefined();
		expect(results).toEqual(['error']);
	});

	it('is a Helia block broker that throws for a missing block', async () => {
		const block = await rawBlock(randomBytes(10));
		const broker = peerRelays([relay.url], silentLogger).broker();
		await expect(broker.retrieve!(block.cid)).rejects.toThrow(/not found/);
	});
});

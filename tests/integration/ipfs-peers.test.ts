/**
 * Peering over HTTP: a CID uploaded to relay A is served, verified, by relay B that lists A as a
 * peer; B can pin it from A; A replicates uploads to its peers so B still serves them once A is
 * gone; a lying peer is never believed; two relays listing each other never loop.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { afterEach, describe, expect, it } from 'vitest';
import {
	encodeCar,
	freePort,
	kuboStandIn,
	rawBlock,
	readVerifiedCar,
	removeDir,
	request,
	startTestRelay,
	unixfsFile,
	uploadCar,
	type TestRelay
} from '../../relay/ipfs/testing.ts';

const relays: TestRelay[] = [];
afterEach(async () => {
	for (const relay of relays.splice(0)) {
		await relay.close().catch(() => {});
		await removeDir(relay.dataDir);
	}
});

async function start(...args: Parameters<typeof startTestRelay>): Promise<TestRelay> {
	const relay = await startTestRelay(...args);
	relays.push(relay);
	return relay;
}

async function until(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		if (await check()) return;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error('condition not met in time');
}

describe('peer relays', () => {
	it('B serves, verified, a CID uploaded to A (raw and CAR)', async () => {
		const a = await start();
		const b = await start({ peers: [a.url] });
		const file = await unixfsFile(randomBytes(2 * 1024 * 1024 + 7));
		expect((await uploadCar(a.url, await encodeCar([file.root], file.blocks))).status).toBe(200);

		const rawAnswer = await request(`${b.url}/ipfs/${file.blocks[1]!.cid}?format=raw`);
		expect(rawAnswer.status).toBe(200);
		expect(
			createHash('sha256').update(rawAnswer.body).digest().equals(Buffer.from(file.blocks[1]!.cid.multihash.digest))
		).toBe(true);

		const car = await request(`${b.url}/ipfs/${file.root}?format=car`);
		expect(car.status).toBe(200);
		const parsed = await readVerifiedCar(car.body);
		expect(parsed.allVerified).toBe(true);
		expect(parsed.blocks.map((x) => x.cid.toString())).toEqual(file.blocks.map((x) => x.cid.toString()));
		expect(await b.registry.metrics()).toMatch(/miaou_ipfs_peer_fetches_total\{result="ok"\} [1-9]/);
		// Served, not stored: B pinned nothing.
		expect((await b.service.health()).pinned).toEqual({ roots: 0, bytes: 0 });
	});

	it('B pins a CID from A on request, and keeps serving it when A is gone', async () => {
		const a = await start();
		const b = await start({ peers: [a.url] });
		const file = await unixfsFile(randomBytes(1024 * 1024 + 3));
		await uploadCar(a.url, await encodeCar([file.root], file.blocks));
		const pin = await request(`${b.url}/api/v1/pin/${file.root}?ttl=600`, { method: 'POST' });
		expect(pin.status).toBe(200);
		expect(pin.json).toMatchObject({ roots: [file.root.toString()], blocks: file.blocks.length });
		await a.close();
		const car = await request(`${b.url}/ipfs/${file.root}?format=car`);
		expect(car.status).toBe(200);
		expect((await readVerifiedCar(car.body)).blocks).toHaveLength(file.blocks.length);
		// Pinning again only extends the expiry.
		const again = await request(`${b.url}/api/v1/pin/${file.root}`, { method: 'POST' });
		expect(again.status).toBe(200);
		expect(again.json!.expires as number).toBeGreaterThan(pin.json!.expires as number);
	});

	it('answers 404 for a pin nobody can provide, within the asked timeout', async () => {
		const b = await start();
		const unknown = CID.createV1(raw.code, await sha256.digest(randomBytes(16)));
		const started = Date.now();
		const answer = await request(`${b.url}/api/v1/pin/${unknown}?timeout=500`, { method: 'POST' });
		expect(answer.status).toBe(404);
		expect(answer.json?.code).toBe('ERR_NOT_FOUND');
		expect(Date.now() - started).toBeLessThan(10_000);
		expect((await request(`${b.url}/api/v1/pin/not-a-cid`, { method: 'POST' })).status).toBe(400);
	});

	it('replicates uploads to peers, so B still serves them after A is killed', async () => {
		const [portA, portB] = [await freePort(), await freePort()];
		const a = await start({ peers: [`http://127.0.0.1:${portB}`] }, portA);
		const b = await start({ peers: [`http://127.0.0.1:${portA}`] }, portB);
		const block = await rawBlock(randomBytes(5000));
		expect((await uploadCar(a.url, await encodeCar([block.cid], [block]), '?ttl=3600')).status).toBe(200);
		await until(async () => ((await b.service.health()).pinned as { roots: number }).roots === 1);
		await a.close();
		const answer = await request(`${b.url}/ipfs/${block.cid}?format=raw`);
		expect(answer.status).toBe(200);
		expect(Buffer.from(block.bytes).equals(answer.body)).toBe(true);
	});

	it('two relays that list each other answer 404 for an unknown CID without looping', async () => {
		const [portA, portB] = [await freePort(), await freePort()];
		const a = await start({ peers: [`http://127.0.0.1:${portB}`] }, portA);
		const b = await start({ peers: [`http://127.0.0.1:${portA}`] }, portB);
		const unknown = CID.createV1(raw.code, await sha256.digest(randomBytes(16)));
		const started = Date.now();
		expect((await request(`${a.url}/ipfs/${unknown}?format=raw`)).status).toBe(404);
		expect(Date.now() - started).toBeLessThan(5000);
		// A asked B once, with only-if-cached; B did not ask A back.
		expect(await b.registry.metrics()).not.toMatch(/miaou_ipfs_peer_fetches_total\{result=/);
	});

	it('never serves bytes from a peer that do not hash to the CID', async () => {
		const block = await rawBlock(randomBytes(100));
		const liar = http.createServer((_req, res) => res.writeHead(200).end(randomBytes(100)));
		liar.listen(0, '127.0.0.1');
		await once(liar, 'listening');
		try {
			const b = await start({ peers: [`http://127.0.0.1:${(liar.address() as AddressInfo).port}`] });
			const answer = await request(`${b.url}/ipfs/${block.cid}?format=raw`);
			expect(answer.status).toBe(404);
			expect(await b.registry.metrics()).toMatch(/miaou_ipfs_peer_fetches_total\{result="bad_hash"\} 1/);
			const pin = await request(`${b.url}/api/v1/pin/${block.cid}?timeout=1000`, { method: 'POST' });
			expect(pin.status).toBe(404);
		} finally {
			liar.close();
		}
	});
});

describe('Kubo mirror (ipfsApi)', () => {
	it('imports each upload into Kubo with its root pinned, and unpins it there on expiry', async () => {
		const kubo = await kuboStandIn();
		try {
			let now = 1_700_000_000_000;
			const relay = await start({ ipfsApi: kubo.url, now: () => now });
			const file = await unixfsFile(randomBytes(1024 * 1024 + 5));
			expect((await uploadCar(relay.url, await encodeCar([file.root], file.blocks), '?ttl=60')).status).toBe(200);
			await until(async () => kubo.imported.length === 1);
			expect(kubo.imported[0]).toEqual([file.root.toString(), ...file.blocks.map((b) => b.cid.toString())]);
			now += 61_000;
			await relay.service.sweep();
			await until(async () => kubo.unpinned.length === 1);
			expect(kubo.unpinned).toEqual([file.root.toString()]);
		} finally {
			kubo.close();
		}
	});

	it('keeps the local pin when Kubo fails', async () => {
		const kubo = await kuboStandIn(true);
		try {
			const relay = await start({ ipfsApi: kubo.url });
			const block = await rawBlock(randomBytes(100));
			expect((await uploadCar(relay.url, await encodeCar([block.cid], [block]))).status).toBe(200);
			expect((await request(`${relay.url}/ipfs/${block.cid}?format=raw`)).status).toBe(200);
		} finally {
			kubo.close();
		}
	});
});

/**
 * The relay's IPFS service through real HTTP on 127.0.0.1 with a real Helia node: CAR uploads of
 * raw blocks and of a UnixFS file, and the Trustless Gateway answers checked against the spec.
 */
import { createHash, randomBytes } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { NextToLast } from 'blockstore-fs/sharding';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	encodeCar,
	rawBlock,
	readVerifiedCar,
	removeDir,
	request,
	startTestRelay,
	unixfsFile,
	uploadCar,
	type TestRelay
} from '../../relay/ipfs/testing.ts';
import type { Block } from '../../relay/ipfs/car.ts';

let relay: TestRelay;
let block: Block;
let file: { root: CID; blocks: Block[] };
let fileBytes: Uint8Array;

beforeAll(async () => {
	relay = await startTestRelay();
	block = await rawBlock(randomBytes(4000));
	// 2.5 MiB: @helia/unixfs cuts 1 MiB raw leaves under a dag-pb root.
	fileBytes = randomBytes(2.5 * 1024 * 1024);
	file = await unixfsFile(fileBytes);
});
afterAll(async () => {
	await relay.close();
	await removeDir(relay.dataDir);
});

describe('upload', () => {
	it('accepts a CAR of a raw block and answers roots, blocks, bytes and expiry', async () => {
		const before = Date.now();
		const answer = await uploadCar(relay.url, await encodeCar([block.cid], [block]));
		expect(answer.status).toBe(200);
		expect(answer.json).toMatchObject({ roots: [block.cid.toString()], blocks: 1, bytes: 4000 });
		const expires = answer.json!.expires as number;
		expect(expires).toBeGreaterThanOrEqual(before + 7 * 24 * 3600 * 1000 - 1000);
	});

	it('accepts a UnixFS file (CIDv1, raw leaves) built with @helia/unixfs', async () => {
		expect(file.blocks.length).toBeGreaterThan(2);
		expect(file.root.version).toBe(1);
		const answer = await uploadCar(relay.url, await encodeCar([file.root], file.blocks));
		expect(answer.status).toBe(200);
		expect(answer.json).toMatchObject({ roots: [file.root.toString()], blocks: file.blocks.length });
	});

	it('honours ?ttl= and caps it at the retention', async () => {
		const short = await rawBlock(randomBytes(100));
		const before = Date.now();
		const answer = await uploadCar(relay.url, await encodeCar([short.cid], [short]), '?ttl=60');
		expect(answer.status).toBe(200);
		expect(answer.json!.expires as number).toBeLessThanOrEqual(Date.now() + 60_000);
		expect(answer.json!.expires as number).toBeGreaterThanOrEqual(before + 60_000);
		const long = await rawBlock(randomBytes(100));
		const capped = await uploadCar(relay.url, await encodeCar([long.cid], [long]), '?ttl=999999999');
		expect(capped.json!.expires as number).toBeLessThanOrEqual(Date.now() + 7 * 24 * 3600 * 1000);
	});

	it('refuses the wrong Content-Type (415) and the wrong method (405)', async () => {
		const car = await encodeCar([block.cid], [block]);
		const wrongType = await request(`${relay.url}/api/v1/car`, {
			method: 'POST',
			headers: { 'content-type': 'application/octet-stream' },
			body: car
		});
		expect(wrongType.status).toBe(415);
		expect(wrongType.json?.code).toBe('ERR_MEDIA_TYPE');
		const wrongMethod = await request(`${relay.url}/api/v1/car`);
		expect(wrongMethod.status).toBe(405);
		expect(wrongMethod.headers.allow).toBe('POST');
	});
});

describe('gateway: raw blocks', () => {
	it('answers ?format=raw with the bytes and the spec headers', async () => {
		const answer = await request(`${relay.url}/ipfs/${block.cid}?format=raw`);
		expect(answer.status).toBe(200);
		expect(createHash('sha256').update(answer.body).digest().equals(Buffer.from(block.cid.multihash.digest))).toBe(
			true
		);
		expect(answer.headers['content-type']).toBe('application/vnd.ipld.raw');
		expect(answer.headers['content-length']).toBe('4000');
		expect(answer.headers['content-disposition']).toBe(`attachment; filename="${block.cid}.bin"`);
		expect(answer.headers['x-content-type-options']).toBe('nosniff');
		expect(answer.headers['cache-control']).toBe('public, max-age=29030400, immutable');
		expect(answer.headers.etag).toBe(`"${block.cid}.raw"`);
		expect(answer.headers['x-ipfs-path']).toBe(`/ipfs/${block.cid}`);
		expect(answer.headers['content-location']).toBeUndefined();
	});

	it('answers Accept: application/vnd.ipld.raw with Content-Location', async () => {
		const answer = await request(`${relay.url}/ipfs/${block.cid}`, { headers: { accept: 'application/vnd.ipld.raw' } });
		expect(answer.status).toBe(200);
		expect(Buffer.from(block.bytes).equals(answer.body)).toBe(true);
		expect(answer.headers['content-location']).toBe(`/ipfs/${block.cid}?format=raw`);
	});

	it('serves every block of the UnixFS file, each hashing to its CID', async () => {
		for (const b of file.blocks) {
			const answer = await request(`${relay.url}/ipfs/${b.cid}?format=raw`);
			expect(answer.status).toBe(200);
			expect(createHash('sha256').update(answer.body).digest().equals(Buffer.from(b.cid.multihash.digest))).toBe(true);
		}
	});

	it('answers HEAD with headers only, and If-None-Match with 304', async () => {
		const head = await request(`${relay.url}/ipfs/${block.cid}?format=raw`, { method: 'HEAD' });
		expect(head.status).toBe(200);
		expect(head.headers['content-length']).toBe('4000');
		expect(head.body.length).toBe(0);
		const cached = await request(`${relay.url}/ipfs/${block.cid}?format=raw`, {
			headers: { 'if-none-match': `"${block.cid}.raw"` }
		});
		expect(cached.status).toBe(304);
		expect(cached.body.length).toBe(0);
	});

	it('answers the identity probe bafkqaaa with an empty body', async () => {
		const answer = await request(`${relay.url}/ipfs/bafkqaaa?format=raw`);
		expect(answer.status).toBe(200);
		expect(answer.body.length).toBe(0);
		const car = await request(`${relay.url}/ipfs/bafkqaaa?format=car`);
		expect(car.status).toBe(200);
		const parsed = await readVerifiedCar(car.body);
		expect(parsed.roots.map(String)).toEqual(['bafkqaaa']);
		expect(parsed.blocks).toHaveLength(0);
	});
});

describe('gateway: CAR', () => {
	it('answers ?format=car with the whole DAG in DFS order, every block verifying', async () => {
		const answer = await request(`${relay.url}/ipfs/${file.root}?format=car`);
		expect(answer.status).toBe(200);
		expect(answer.headers['content-type']).toBe('application/vnd.ipld.car; version=1; order=dfs; dups=n');
		expect(answer.headers['content-disposition']).toBe(`attachment; filename="${file.root}.car"`);
		expect(answer.headers['x-content-type-options']).toBe('nosniff');
		expect(answer.headers.etag).toBe(`"${file.root}.car.all.dfs.n"`);
		const parsed = await readVerifiedCar(answer.body);
		expect(parsed.allVerified).toBe(true);
		expect(parsed.roots.map(String)).toEqual([file.root.toString()]);
		expect(parsed.blocks.map((b) => b.cid.toString())).toEqual(file.blocks.map((b) => b.cid.toString()));
		// The leaves in order are the file.
		const leaves = parsed.blocks.filter((b) => b.cid.code === raw.code);
		expect(Buffer.concat(leaves.map((b) => b.bytes)).equals(fileBytes)).toBe(true);
	});

	it('answers Accept: application/vnd.ipld.car and dag-scope=block', async () => {
		const answer = await request(`${relay.url}/ipfs/${file.root}?dag-scope=block`, {
			headers: { accept: 'application/vnd.ipld.car; version=1' }
		});
		expect(answer.status).toBe(200);
		const parsed = await readVerifiedCar(answer.body);
		expect(parsed.blocks.map((b) => b.cid.toString())).toEqual([file.root.toString()]);
		expect(answer.headers['content-location']).toBe(`/ipfs/${file.root}?format=car&dag-scope=block&car-dups=n`);
	});

	it('cuts the CAR stream when a child block is missing (spec: streaming and missing child blocks)', async () => {
		const lost = await unixfsFile(randomBytes(2 * 1024 * 1024 + 11));
		expect((await uploadCar(relay.url, await encodeCar([lost.root], lost.blocks))).status).toBe(200);
		// Simulate a block lost on disk: remove its file behind Helia's back.
		const leaf = lost.blocks[lost.blocks.length - 1]!.cid;
		const { dir, file } = new NextToLast().encode(leaf);
		await unlink(join(relay.dataDir, 'blocks', dir, file));
		const answer = await request(`${relay.url}/ipfs/${lost.root}?format=car`);
		expect(answer.status).toBe(200);
		// The stream was cut: the client sees an incomplete CAR and must treat it as a failure.
		const parsed = await readVerifiedCar(answer.body).catch(() => undefined);
		expect(parsed === undefined || parsed.blocks.length < lost.blocks.length).toBe(true);
		// The relay itself is fine.
		expect((await request(`${relay.url}/ipfs/${block.cid}?format=raw`)).status).toBe(200);
	});

	it('answers dag-scope=entity of a raw block with that block', async () => {
		const answer = await request(`${relay.url}/ipfs/${block.cid}?format=car&dag-scope=entity`);
		expect(answer.status).toBe(200);
		expect((await readVerifiedCar(answer.body)).blocks.map((b) => b.cid.toString())).toEqual([block.cid.toString()]);
		expect(answer.headers.etag).toBe(`"${block.cid}.car.block.dfs.n"`);
	});

	it('answers HEAD for a CAR without a body', async () => {
		const head = await request(`${relay.url}/ipfs/${file.root}?format=car`, { method: 'HEAD' });
		expect(head.status).toBe(200);
		expect(head.body.length).toBe(0);
	});
});

describe('gateway: errors', () => {
	it('answers 404 with a JSON code for an unknown CID, raw and CAR, GET and HEAD', async () => {
		const unknown = CID.createV1(raw.code, await sha256.digest(randomBytes(32)));
		for (const format of ['raw', 'car']) {
			const answer = await request(`${relay.url}/ipfs/${unknown}?format=${format}`);
			expect(answer.status).toBe(404);
			expect(answer.json?.code).toBe('ERR_NOT_FOUND');
			expect(typeof answer.json?.error).toBe('string');
		}
		expect((await request(`${relay.url}/ipfs/${unknown}?format=raw`, { method: 'HEAD' })).status).toBe(404);
	});

	it('answers 412 for only-if-cached of a missing CID', async () => {
		const unknown = CID.createV1(raw.code, await sha256.digest(randomBytes(32)));
		const answer = await request(`${relay.url}/ipfs/${unknown}?format=raw`, {
			headers: { 'cache-control': 'only-if-cached' }
		});
		expect(answer.status).toBe(412);
		expect(answer.json?.code).toBe('ERR_NOT_CACHED');
	});

	it('answers 400 for a malformed CID', async () => {
		for (const bad of ['not-a-cid', 'bafy', 'Qm', '%ff%fe', 'b' + 'a'.repeat(300)]) {
			const answer = await request(`${relay.url}/ipfs/${bad}?format=raw`);
			expect(answer.status).toBe(400);
			expect(answer.json?.code).toBe('ERR_CID');
		}
	});

	it('answers 400 without any format, 406 for an Accept it cannot serve', async () => {
		const none = await request(`${relay.url}/ipfs/${block.cid}`);
		expect(none.status).toBe(400);
		expect(none.json?.code).toBe('ERR_FORMAT');
		const html = await request(`${relay.url}/ipfs/${block.cid}`, { headers: { accept: 'text/html' } });
		expect(html.status).toBe(406);
		expect(html.json?.code).toBe('ERR_NOT_ACCEPTABLE');
		const badFormat = await request(`${relay.url}/ipfs/${block.cid}?format=dag-json`);
		expect(badFormat.status).toBe(400);
	});

	it('answers 400 for a content path and for an unsupported codec', async () => {
		expect((await request(`${relay.url}/ipfs/${file.root}/a/b?format=car`)).status).toBe(400);
		const jsonCid = CID.createV1(0x0200, await sha256.digest(randomBytes(4)));
		const answer = await request(`${relay.url}/ipfs/${jsonCid}?format=raw`);
		expect(answer.status).toBe(400);
		expect(answer.json?.code).toBe('ERR_UNSUPPORTED_CODEC');
	});

	it('answers 405 for other methods and a CORS preflight for OPTIONS', async () => {
		const put = await request(`${relay.url}/ipfs/${block.cid}?format=raw`, { method: 'PUT' });
		expect(put.status).toBe(405);
		expect(put.headers.allow).toBe('GET, HEAD');
		const options = await request(`${relay.url}/api/v1/car`, { method: 'OPTIONS' });
		expect(options.status).toBe(204);
		expect(options.headers['access-control-allow-methods']).toContain('POST');
	});

	it('leaves other routes to the relay', async () => {
		expect((await request(`${relay.url}/health`)).status).toBe(404);
		expect((await request(`${relay.url}/api/v1/other`)).status).toBe(404);
		expect((await request(`${relay.url}/ipfsfoo`)).status).toBe(404);
	});
});

describe('health and metrics', () => {
	it('reports pins, quota and libp2p on loopback only', async () => {
		const health = await relay.service.health();
		expect(health.pinned).toMatchObject({ roots: expect.any(Number) as number });
		const libp2p = health.libp2p as { peerId: string; addrs: string[] };
		expect(libp2p.peerId).toMatch(/^12D3Koo/);
		expect(libp2p.addrs.length).toBe(2);
		for (const addr of libp2p.addrs) expect(addr.startsWith('/ip4/127.0.0.1/tcp/')).toBe(true);
		expect(libp2p.addrs.some((a) => a.includes('/ws/'))).toBe(true);
	});

	it('counts blocks and bytes served, uploads by result, pinned bytes and latency', async () => {
		const text = await relay.registry.metrics();
		expect(text).toMatch(/miaou_ipfs_blocks_served_total\{format="raw"\} [1-9]/);
		expect(text).toMatch(/miaou_ipfs_bytes_served_total\{format="car"\} [1-9]/);
		expect(text).toMatch(/miaou_ipfs_uploads_total\{result="ok"\} [1-9]/);
		expect(text).toMatch(/miaou_ipfs_uploads_total\{result="ERR_MEDIA_TYPE"\} 1/);
		expect(text).toMatch(/miaou_ipfs_pinned_bytes [1-9]/);
		expect(text).toMatch(/miaou_ipfs_request_duration_seconds_count\{route="gateway_raw",status="200"\} [1-9]/);
	});
});

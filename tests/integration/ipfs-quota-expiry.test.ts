/**
 * Storage quota (507 when full, nothing else lost) and pin expiry (an injected clock, then a sweep
 * that unpins and garbage-collects what expired and keeps the rest), on a real Helia node.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
	blockKey,
	encodeCar,
	listBlocks,
	rawBlock,
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
		await relay.close();
		await removeDir(relay.dataDir);
	}
});

describe('quota', () => {
	it('answers 507 ERR_QUOTA when full, keeps what was stored, and accepts a re-upload of a pinned root', async () => {
		const relay = await startTestRelay({ quotaBytes: 10_000 });
		relays.push(relay);
		const first = await rawBlock(randomBytes(6000));
		const firstCar = await encodeCar([first.cid], [first]);
		expect((await uploadCar(relay.url, firstCar)).status).toBe(200);
		const stored = await listBlocks(relay.service);

		const second = await rawBlock(randomBytes(5000));
		const full = await uploadCar(relay.url, await encodeCar([second.cid], [second]));
		expect(full.status).toBe(507);
		expect(full.json).toEqual({
			code: 'ERR_QUOTA',
			error: expect.stringMatching(/Storage is full/) as unknown as string
		});
		expect(await listBlocks(relay.service)).toEqual(stored);
		expect((await request(`${relay.url}/ipfs/${first.cid}?format=raw`)).status).toBe(200);
		expect((await request(`${relay.url}/ipfs/${second.cid}?format=raw`)).status).toBe(404);

		// Same root again: only its expiry moves, no new bytes, so a full relay accepts it.
		expect((await uploadCar(relay.url, firstCar)).status).toBe(200);
		expect((await relay.service.health()).pinned).toEqual({ roots: 1, bytes: 6000 });
	});

	it('stops reading a large upload as soon as it cannot fit', async () => {
		const relay = await startTestRelay({ quotaBytes: 100_000, maxUploadBytes: 16 * 1024 * 1024 });
		relays.push(relay);
		const file = await unixfsFile(randomBytes(3 * 1024 * 1024));
		const answer = await uploadCar(relay.url, await encodeCar([file.root], file.blocks));
		expect(answer.status).toBe(507);
		expect(answer.json?.code).toBe('ERR_QUOTA');
		expect(await listBlocks(relay.service)).toEqual([]);
		expect(await relay.registry.metrics()).toMatch(/miaou_ipfs_uploads_total\{result="ERR_QUOTA"\} 1/);
	});
});

describe('expiry', () => {
	it('unpins and garbage-collects expired pins on a sweep, keeping unexpired ones', async () => {
		let now = 1_700_000_000_000;
		const relay = await startTestRelay({ now: () => now, retentionMs: 24 * 3600 * 1000 });
		relays.push(relay);
		const shortLived = await unixfsFile(randomBytes(2 * 1024 * 1024));
		const longLived = await rawBlock(randomBytes(3000));
		const short = await uploadCar(relay.url, await encodeCar([shortLived.root], shortLived.blocks), '?ttl=60');
		expect(short.json?.expires).toBe(now + 60_000);
		const long = await uploadCar(relay.url, await encodeCar([longLived.cid], [longLived]));
		expect(long.json?.expires).toBe(now + 24 * 3600 * 1000);
		const before = await listBlocks(relay.service);
		expect(before).toHaveLength(shortLived.blocks.length + 1);

		// Nothing has expired yet: a sweep removes nothing.
		expect(await relay.service.sweep()).toEqual({ expired: 0, deleted: 0 });

		now += 61_000;
		expect(await relay.service.sweep()).toEqual({ expired: 1, deleted: shortLived.blocks.length });
		expect(await listBlocks(relay.service)).toEqual([blockKey(longLived.cid)]);
		expect((await request(`${relay.url}/ipfs/${shortLived.root}?format=car`)).status).toBe(404);
		expect((await request(`${relay.url}/ipfs/${longLived.cid}?format=raw`)).status).toBe(200);
		expect((await relay.service.health()).pinned).toEqual({ roots: 1, bytes: 3000 });
		const metrics = await relay.registry.metrics();
		expect(metrics).toMatch(/miaou_ipfs_expired_pins_total 1/);
		expect(metrics).toMatch(new RegExp(`miaou_ipfs_gc_deleted_blocks_total ${shortLived.blocks.length}`));
	});

	it('frees quota when a pin expires', async () => {
		let now = 1_700_000_000_000;
		const relay = await startTestRelay({ now: () => now, quotaBytes: 5000 });
		relays.push(relay);
		const a = await rawBlock(randomBytes(4000));
		const b = await rawBlock(randomBytes(4000));
		expect((await uploadCar(relay.url, await encodeCar([a.cid], [a]), '?ttl=10')).status).toBe(200);
		expect((await uploadCar(relay.url, await encodeCar([b.cid], [b]))).status).toBe(507);
		now += 11_000;
		await relay.service.sweep();
		expect((await uploadCar(relay.url, await encodeCar([b.cid], [b]))).status).toBe(200);
	});

	it('extends an expiry when the same root is uploaded again, never shortens it', async () => {
		let now = 1_700_000_000_000;
		const relay = await startTestRelay({ now: () => now });
		relays.push(relay);
		const a = await rawBlock(randomBytes(100));
		const car = await encodeCar([a.cid], [a]);
		await uploadCar(relay.url, car, '?ttl=100');
		now += 50_000;
		const again = await uploadCar(relay.url, car, '?ttl=100');
		expect(again.json?.expires).toBe(now + 100_000);
		now += 60_000;
		expect((await relay.service.sweep()).expired).toBe(0);
		expect((await request(`${relay.url}/ipfs/${a.cid}?format=raw`)).status).toBe(200);
	});
});

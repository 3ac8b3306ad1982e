import { afterEach, describe, expect, it } from 'vitest';
import { AbortError, NoRelayError, RelayRefusedError, RelayTimeoutError } from '../core/errors.ts';
import type { SignedRecord, VerifiedRecord } from '../core/records.ts';
import { createGun, type GunLike } from './gun.ts';
import { gunRecordStore } from './record-store.ts';
import { relayPool, type RelayPool } from './relay-pool.ts';
import { gunLink, type GunLink } from './testing/gun-link.ts';
import { createIdentity, ed25519, forgeLevel, trustRecord } from './testing/records.ts';

const pools: RelayPool[] = [];
afterEach(() => {
	for (const p of pools.splice(0)) p.close();
});

async function until(condition: () => boolean, what: string, ms = 3000): Promise<void> {
	const end = Date.now() + ms;
	while (!condition()) {
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 5));
	}
}

/** A client Gun connected through the pool to the given in-process relays. */
async function client(...links: GunLink[]): Promise<GunLike> {
	const gun = await createGun();
	links.forEach((link, i) => {
		const pool = relayPool({
			gun,
			urls: [`http://relay-${i}.test`],
			WebSocket: link.WebSocket,
			fetch: async () => new Response('{}'),
			backoff: { baseMs: 10, capMs: 40, jitter: 0 }
		});
		pools.push(pool);
	});
	await until(() => links.every((l) => l.open > 0), 'the connections');
	await until(() => Object.keys(gun._.root.opt.peers).length === links.length, 'Gun to count its peers');
	return gun;
}

/** Put a field straight into the relay's graph, as if another client had written it. */
function serverHolds(link: GunLink, r: SignedRecord): void {
	link.server._.root.on('in', {
		'#': `t${Math.random().toString(36).slice(2)}`,
		put: { [r.soul]: { _: { '#': r.soul, '>': { [r.key]: r.state } }, [r.key]: r.value } }
	});
}

const level = (r: VerifiedRecord | undefined): number | undefined =>
	(r as VerifiedRecord<'trust'> | undefined)?.body.level;

describe('gunRecordStore', () => {
	it('puts with exactly the signed state and resolves on the relay ack', async () => {
		const link = await gunLink();
		link.ackPlan = () => ({ ok: true });
		const store = gunRecordStore(await client(link), { ed25519 });
		const record = await trustRecord(createIdentity(), createIdentity(), Date.now() - 5000);
		await store.publish(record);
		const put = link.received.find((m) => m.put)!.put![record.soul]!;
		expect(put[record.key]).toBe(record.value);
		expect(put._['>'][record.key]).toBe(record.state);
	});

	it('rejects with the relay refusal, its code and sentence', async () => {
		const link = await gunLink();
		link.ackPlan = () => ({ err: 'ERR_BAD_SIGNATURE: The signature on the record does not verify.' });
		const store = gunRecordStore(await client(link), { ed25519 });
		const record = await trustRecord(createIdentity(), createIdentity(), Date.now() - 5000);
		const error = await store.publish(record).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(RelayRefusedError);
		expect(error).toMatchObject({
			reason: 'ERR_BAD_SIGNATURE',
			relay: 'http://relay-0.test',
			code: 'ERR_RELAY_REFUSED'
		});
		expect((error as Error).message).toContain('does not verify');
	});

	it('succeeds when one of two relays accepts although the other refuses', async () => {
		const a = await gunLink();
		const b = await gunLink();
		a.ackPlan = () => ({ err: 'ERR_RATE_LIMITED: Too many writes.' });
		b.ackPlan = () => ({ ok: true });
		const store = gunRecordStore(await client(a, b), { ed25519 });
		await store.publish(await trustRecord(createIdentity(), createIdentity(), Date.now() - 5000));
	});

	it('fails fast with no relay, times out on silence, and aborts', async () => {
		const lonely = gunRecordStore(await createGun(), { ed25519 });
		const record = await trustRecord(createIdentity(), createIdentity(), Date.now() - 5000);
		await expect(lonely.publish(record)).rejects.toBeInstanceOf(NoRelayError);

		const link = await gunLink();
		const gun = await client(link);
		const store = gunRecordStore(gun, { ed25519, publishTimeoutMs: 150 });
		await expect(store.publish(record)).rejects.toBeInstanceOf(RelayTimeoutError);
		const controller = new AbortController();
		const pending = store.publish(record, { signal: controller.signal });
		controller.abort();
		await expect(pending).rejects.toBeInstanceOf(AbortError);
	});

	it('reads the best verified version: a liar with a forged, newer version cannot hide it', async () => {
		const honest = await gunLink();
		const liar = await gunLink();
		const alice = createIdentity();
		const bob = createIdentity();
		const record = await trustRecord(alice, bob, Date.now() - 5000, 50);
		serverHolds(honest, record);
		serverHolds(liar, forgeLevel(record, -100, record.state + 1000));
		const store = gunRecordStore(await client(honest, liar), { ed25519 });
		expect(level(await store.read(record.soul, record.key))).toBe(50);
		const all = await store.readAll(record.soul);
		expect(all.map(level)).toEqual([50]);
		expect(store.stats()).toMatchObject({ dropped: 1, droppedByCode: { ERR_BAD_SIGNATURE: 1 } });
	});

	it('gives a subscriber the valid version although a liar holds a forged, newer one', async () => {
		for (let round = 0; round < 3; round++) {
			const honest = await gunLink();
			const liar = await gunLink();
			const record = await trustRecord(createIdentity(), createIdentity(), Date.now() - 5000, 50);
			serverHolds(honest, record);
			serverHolds(liar, forgeLevel(record, -100, record.state + 1000));
			// Either relay may answer first; the valid version must arrive in every order.
			const store = gunRecordStore(await client(...(round % 2 ? [liar, honest] : [honest, liar])), { ed25519 });
			const seen: number[] = [];
			store.subscribe(record.soul, (r) => seen.push(level(r)!));
			await until(() => seen.length === 1 && store.stats().dropped === 1, 'the valid version');
			expect(seen).toEqual([50]);
		}
	});

	it('answers from the relays in time, and undefined when nothing verifies', async () => {
		const link = await gunLink();
		const record = await trustRecord(createIdentity(), createIdentity(), Date.now() - 5000);
		serverHolds(link, forgeLevel(record, 99));
		const store = gunRecordStore(await client(link), { ed25519, readTimeoutMs: 2000 });
		const started = Date.now();
		expect(await store.read(record.soul, record.key)).toBeUndefined();
		expect(Date.now() - started).toBeLessThan(1500);
		expect(store.stats().dropped).toBe(1);
		await expect(store.read(record.soul, record.key, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
			AbortError
		);
	});

	it('follows a soul: verified writes arrive, forgeries are dropped, and it re-asks after a reconnect', async () => {
		const link = await gunLink();
		link.ackPlan = () => ({ ok: true });
		const alice = createIdentity();
		const writer = gunRecordStore(await client(link), { ed25519 });
		const reader = gunRecordStore(await client(link), { ed25519 });
		const first = await trustRecord(alice, createIdentity(), Date.now() - 9000, 10);
		const seen: number[] = [];
		const stop = reader.subscribe(first.soul, (r) => seen.push(level(r)!));
		await until(() => link.received.some((m) => m.get?.['#'] === first.soul), 'the subscription get');
		await writer.publish(first);
		await until(() => seen.length === 1, 'the first record');
		serverHolds(link, forgeLevel(await trustRecord(alice, createIdentity(), Date.now() - 8000, 20), -50));
		await until(() => reader.stats().dropped === 1, 'the forgery to be dropped');

		const gets = () => link.received.filter((m) => m.get?.['#'] === first.soul).length;
		const before = gets();
		link.dropAll();
		await until(() => link.open === 2, 'the reconnection');
		await until(() => gets() > before, 'the subscription to be asked again');
		await writer.publish(await trustRecord(alice, createIdentity(), Date.now() - 7000, 30));
		await until(() => seen.length === 2, 'the record written after the reconnection');
		expect(seen).toEqual([10, 30]);
		stop();
		await writer.publish(await trustRecord(alice, createIdentity(), Date.now() - 6000, 40));
		await new Promise((r) => setTimeout(r, 50));
		expect(seen).toEqual([10, 30]);
	});
});

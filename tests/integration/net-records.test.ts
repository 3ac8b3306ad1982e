/**
 * The client record store against a real relay process on loopback (issue 4, Client network
 * layer): a record published by one client is read, verified, by another and reaches its
 * subscription; a forged write is refused by the relay with its reason; a forged record served
 * by a relay that does not validate (a stock Gun relay) is dropped and counted by the client,
 * and cannot hide the valid version.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RelayRefusedError } from '../../src/lib/core/errors.ts';
import type { SignedRecord, VerifiedRecord } from '../../src/lib/core/records.ts';
import { createGun } from '../../src/lib/net/gun.ts';
import { gunRecordStore, type RecordStore } from '../../src/lib/net/record-store.ts';
import { relayPool, type RelayPool } from '../../src/lib/net/relay-pool.ts';
import { createIdentity, ed25519, forgeLevel, trustRecord } from '../../src/lib/net/testing/records.ts';
import { rawGunSocket, stockGun, waitFor } from '../helpers/gun-client.ts';
import { removeDataDir, startRelayProcess, type RelayProcess } from '../helpers/relay-process.ts';

const RELAY_ARGS = ['--ipfs', 'false', '--rate-limit', '0', '--message-rate-limit', '0'];

let relay: RelayProcess;
let rogue: { server: Server; url: string; gun: { _: { root: { on(tag: string, msg: unknown): unknown } } } };
const pools: RelayPool[] = [];

async function client(...urls: string[]): Promise<RecordStore> {
	const gun = await createGun();
	const pool = relayPool({ gun, urls });
	pools.push(pool);
	await waitFor(() => pool.snapshot().every((r) => r.state === 'open'), 'the relays to connect', 10_000);
	return gunRecordStore(gun, { ed25519 });
}

const level = (r: VerifiedRecord | undefined): number | undefined =>
	(r as VerifiedRecord<'trust'> | undefined)?.body.level;

function putOnRogue(r: SignedRecord): void {
	rogue.gun._.root.on('in', {
		'#': `rogue${Math.random().toString(36).slice(2)}`,
		put: { [r.soul]: { _: { '#': r.soul, '>': { [r.key]: r.state } }, [r.key]: r.value } }
	});
}

beforeAll(async () => {
	relay = await startRelayProcess({ args: RELAY_ARGS });
	// A relay that validates nothing: the stock Gun server from npm, on its own port.
	const server = createServer();
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const gun = stockGun()({
		web: server,
		localStorage: false,
		radisk: false,
		multicast: false,
		axe: false,
		stats: false
	});
	rogue = { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, gun: gun as never };
}, 60_000);

afterAll(async () => {
	for (const p of pools) p.close();
	rogue?.server.closeAllConnections();
	await new Promise((r) => rogue?.server.close(r));
	await relay?.stop();
	if (relay) removeDataDir(relay.dataDir);
});

describe('records through a real relay', () => {
	it('publishes from one client and reads it, verified, from another', async () => {
		const [alice, bob] = [createIdentity(), createIdentity()];
		const writer = await client(relay.url);
		const reader = await client(relay.url);
		const record = await trustRecord(alice, bob, Date.now() - 1000, 75);
		await writer.publish(record);
		const read = await reader.read(record.soul, record.key);
		expect(read).toMatchObject({ kind: 'trust', author: alice.id, key: bob.id, state: record.state });
		expect(level(read)).toBe(75);
		expect((await reader.readAll(record.soul)).map(level)).toEqual([75]);
		expect(reader.stats().dropped).toBe(0);
	});

	it('delivers new records to a subscriber, and the relay refuses a forgery with its reason', async () => {
		const alice = createIdentity();
		const writer = await client(relay.url);
		const reader = await client(relay.url);
		const first = await trustRecord(alice, createIdentity(), Date.now() - 3000, 10);
		const seen: number[] = [];
		reader.subscribe(first.soul, (r) => seen.push(level(r)!));
		await new Promise((r) => setTimeout(r, 200));
		await writer.publish(first);
		await waitFor(() => seen.length === 1, 'the first record', 5000);

		const forged = forgeLevel(await trustRecord(alice, createIdentity(), Date.now() - 2000, 20), -100);
		const refusal = await writer.publish(forged).catch((e: unknown) => e);
		expect(refusal).toBeInstanceOf(RelayRefusedError);
		expect(refusal).toMatchObject({ reason: 'ERR_BAD_SIGNATURE', relay: relay.url });

		// The same forgery as a raw Gun put, not through our client: refused, and never forwarded.
		const raw = await rawGunSocket(relay.gunUrl);
		raw.send({
			'#': 'rawforged1',
			put: {
				[forged.soul]: { _: { '#': forged.soul, '>': { [forged.key]: forged.state } }, [forged.key]: forged.value }
			}
		});
		const ack = await raw.waitFor((m) => m['@'] === 'rawforged1');
		expect(String(ack.err)).toMatch(/^ERR_BAD_SIGNATURE: /);
		raw.close();

		await writer.publish(await trustRecord(alice, createIdentity(), Date.now() - 1000, 30));
		await waitFor(() => seen.length === 2, 'the second record', 5000);
		expect(seen).toEqual([10, 30]);
		expect(reader.stats().dropped).toBe(0);
	});

	it('drops and counts a forged record a non-validating relay serves; the valid version still wins', async () => {
		const [alice, bob] = [createIdentity(), createIdentity()];
		const writer = await client(relay.url);
		const record = await trustRecord(alice, bob, Date.now() - 5000, 50);
		await writer.publish(record);
		putOnRogue(forgeLevel(record, -100, record.state + 2000));

		const reader = await client(relay.url, rogue.url);
		expect(level(await reader.read(record.soul, record.key))).toBe(50);
		expect((await reader.readAll(record.soul)).map(level)).toEqual([50]);
		expect(reader.stats()).toMatchObject({ dropped: 1, droppedByCode: { ERR_BAD_SIGNATURE: 1 } });

		// Pushed live by the rogue relay to a subscriber: dropped too, never delivered.
		const seen: number[] = [];
		reader.subscribe(record.soul, (r) => seen.push(level(r)!));
		await waitFor(() => seen.length === 1, 'the valid record', 5000);
		putOnRogue(forgeLevel(await trustRecord(alice, createIdentity(), Date.now() - 1000, 40), 100));
		await waitFor(() => reader.stats().dropped === 2, 'the pushed forgery to be dropped', 5000);
		expect(seen).toEqual([50]);
	});
});

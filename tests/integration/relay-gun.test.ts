/**
 * The relay's write gate with real processes: one relay process on loopback and two stock `gun`
 * clients from npm. A valid signed write reaches the other client and the disk; each kind of bad
 * write is refused with an error ack to its writer, never reaches the other client, and is not in
 * the database file after the relay stopped, nor served after it restarted (issue 3, Tests).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalize } from '../../src/lib/core/canonical.ts';
import { MAX_RECORD_BYTES, type SignedRecord } from '../../src/lib/core/records.ts';
import { loadSqlite } from '../../relay/gun/sqlite.ts';
import { RECORDS_DB } from '../../relay/main.ts';
import {
	closeGunClient,
	createGunClient,
	putRaw,
	putRecord,
	readField,
	waitFor,
	watchSoul,
	type GunClient
} from '../helpers/gun-client.ts';
import { boxRecord, identity, trustRecord, weakBoxRecord } from '../helpers/relay-fixtures.ts';
import { removeDataDir, startRelayProcess, tempDataDir, type RelayProcess } from '../helpers/relay-process.ts';
import { join } from 'node:path';

const RELAY_ARGS = ['--ipfs', 'false', '--rate-limit', '0', '--message-rate-limit', '0'];

let relay: RelayProcess;
let dataDir: string;
let alice: GunClient;
let bob: GunClient;
const clients: GunClient[] = [];

function client(url: string): GunClient {
	const c = createGunClient(url);
	clients.push(c);
	return c;
}

function rows(dir: string): { soul: string; key: string; value: string; state: number }[] {
	const { DatabaseSync } = loadSqlite();
	const db = new DatabaseSync(join(dir, RECORDS_DB), { readOnly: true });
	try {
		return db.prepare('SELECT soul, key, value, state FROM fields ORDER BY soul, key').all() as {
			soul: string;
			key: string;
			value: string;
			state: number;
		}[];
	} finally {
		db.close();
	}
}

beforeAll(async () => {
	dataDir = tempDataDir('gun');
	relay = await startRelayProcess({ dataDir, args: RELAY_ARGS });
	alice = client(relay.gunUrl);
	bob = client(relay.gunUrl);
});

afterAll(async () => {
	for (const c of clients) closeGunClient(c);
	await relay?.stop();
	removeDataDir(dataDir);
});

describe('relay write gate (stock gun clients)', () => {
	const me = identity();
	const accepted: SignedRecord[] = [];
	const refused: { label: string; soul: string; key: string; value: unknown }[] = [];

	it('syncs a valid signed write from one client to the other, acknowledged after commit', async () => {
		const target = identity();
		const rec = await trustRecord(me, target.id, Date.now() - 1000);
		const watch = watchSoul(bob, rec.soul);
		await new Promise((r) => setTimeout(r, 200)); // let bob's subscription reach the relay
		const ack = await putRecord(alice, rec);
		expect(ack.err).toBeUndefined();
		expect(ack.ok).toBeTruthy();
		await waitFor(() => watch.seen.get(rec.key)?.includes(rec.value) === true, 'bob to see the write');
		watch.stop();
		accepted.push(rec);
	});

	it('refuses a forged signature, unsigned and oversized values with an error ack', async () => {
		const target = identity();
		const good = await trustRecord(me, target.id, Date.now() - 500);
		const forged = { ...good, value: good.value.replace('"level":50', '"level":99') };
		expect(forged.value).not.toBe(good.value);
		const unsigned = {
			...good,
			value: canonicalize({ b: { level: 50, time: good.state }, v: 1 })
		};
		const oversized = { ...good, value: 'x'.repeat(MAX_RECORD_BYTES + 1) };
		const watch = watchSoul(bob, good.soul);
		await new Promise((r) => setTimeout(r, 200));
		const cases: [string, SignedRecord, RegExp][] = [
			['forged', forged, /^ERR_BAD_SIGNATURE: /],
			['unsigned', unsigned, /^ERR_MALFORMED: /],
			['oversized', oversized, /^ERR_TOO_LARGE: /]
		];
		for (const [label, rec, code] of cases) {
			const ack = await putRecord(alice, rec);
			expect(ack.err, label).toMatch(code);
			refused.push({ label, soul: rec.soul, key: rec.key, value: rec.value });
		}
		await new Promise((r) => setTimeout(r, 300));
		expect(watch.seen.get(good.key) ?? []).toEqual([]);
		watch.stop();
	});

	it('refuses a replayed older record and a signature moved to a newer state', async () => {
		const target = identity();
		const t = Date.now() - 5000;
		const older = await trustRecord(me, target.id, t, 10);
		const newer = await trustRecord(me, target.id, t + 1000, 20);
		expect((await putRecord(alice, newer)).err).toBeUndefined();
		accepted.push(newer);
		const watch = watchSoul(bob, newer.soul);
		await waitFor(() => watch.seen.get(newer.key)?.includes(newer.value) === true, 'bob to see the newer record');
		const replay = await putRecord(alice, older);
		expect(replay.err).toMatch(/^ERR_STALE_RECORD: /);
		refused.push({ label: 'replayed', soul: older.soul, key: older.key, value: older.value });
		const bumped = await putRecord(alice, { ...older, state: newer.state + 1 });
		expect(bumped.err).toMatch(/^ERR_BAD_SIGNATURE: /);
		await new Promise((r) => setTimeout(r, 300));
		expect(watch.seen.get(newer.key)).toEqual([newer.value]);
		watch.stop();
	});

	it('refuses a future-dated record', async () => {
		const target = identity();
		const future = await trustRecord(me, target.id, Date.now() + 60 * 60_000);
		const ack = await putRecord(alice, future);
		expect(ack.err).toMatch(/^ERR_FUTURE_RECORD: /);
		refused.push({ label: 'future', soul: future.soul, key: future.key, value: future.value });
	});

	it('refuses writes outside the Miaou namespace', async () => {
		// SEA souls (`~…`) are refused by the stock client's own SEA before they leave it; the raw
		// WebSocket tests (relay-fuzz.test.ts) send them to the relay directly.
		for (const soul of ['hello', 'miaou/v1/trust/not-an-id', 'miaou/v1/profile', 'miaou/v2/profile/x']) {
			const ack = await putRaw(alice, soul, { card: 'hi' }, Date.now());
			expect(ack.err, soul).toMatch(/^ERR_NAMESPACE: /);
			refused.push({ label: 'namespace', soul, key: 'card', value: 'hi' });
		}
		const number = await putRaw(alice, 'outside', { x: 1 }, Date.now());
		expect(number.err).toMatch(/^ERR_(MALFORMED|NAMESPACE): /);
	});

	it('checks the proof of work of mailbox entries', async () => {
		const weak = await weakBoxRecord(16, Date.now());
		const ack = await putRecord(alice, weak);
		expect(ack.err).toMatch(/^ERR_PROOF_OF_WORK: /);
		refused.push({ label: 'pow', soul: weak.soul, key: weak.key, value: weak.value });
		const strong = await boxRecord(16, Date.now());
		expect((await putRecord(alice, strong)).err).toBeUndefined();
		accepted.push(strong);
	});

	it('stores exactly the accepted records: the database after a stop, and reads after a restart', async () => {
		expect(await relay.stop()).toBe(0);
		const stored = rows(dataDir);
		for (const rec of accepted) {
			expect(stored).toContainEqual({
				soul: rec.soul,
				key: rec.key,
				value: JSON.stringify(rec.value),
				state: rec.state
			});
		}
		for (const bad of refused) {
			expect(
				stored.some((r) => r.soul === bad.soul && r.value === JSON.stringify(bad.value)),
				bad.label
			).toBe(false);
		}
		expect(stored.every((r) => r.soul.startsWith('miaou/v1/'))).toBe(true);
		expect(stored).toHaveLength(accepted.length);

		relay = await startRelayProcess({ dataDir, args: RELAY_ARGS });
		const carol = client(relay.gunUrl);
		for (const rec of accepted) expect(await readField(carol, rec.soul, rec.key, rec.value)).toBe(rec.value);
		const replayed = refused.find((r) => r.label === 'replayed')!;
		expect(await readField(carol, replayed.soul, replayed.key)).not.toBe(replayed.value);
	});
});

/**
 * Durability and peering with real relay processes (issue 3, Tests):
 * - N acknowledged writes survive `kill -9` right after the last ack (no graceful stop at all);
 * - two peered relays sync both ways; with one killed, the other's clients still get everything;
 *   a relay restarted on its port is redialled and syncs again.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SignedRecord } from '../../src/lib/core/records.ts';
import { loadSqlite } from '../../relay/gun/sqlite.ts';
import { RECORDS_DB } from '../../relay/main.ts';
import {
	closeGunClient,
	createGunClient,
	putRecord,
	waitFor,
	watchSoul,
	type GunClient
} from '../helpers/gun-client.ts';
import { identity, trustRecord, type Signer } from '../helpers/relay-fixtures.ts';
import { removeDataDir, startRelayProcess, tempDataDir, type RelayProcess } from '../helpers/relay-process.ts';

/** Acknowledged records written before the crash. */
const N = 200;
/** Writes in flight at once. */
const CONCURRENCY = 20;
const ARGS = ['--ipfs', 'false', '--rate-limit', '0', '--message-rate-limit', '0'];

const relays: RelayProcess[] = [];
const clients: GunClient[] = [];
const dirs: string[] = [];

async function relay(opts: { dataDir?: string; args?: string[]; port?: number } = {}): Promise<RelayProcess> {
	const dataDir = opts.dataDir ?? tempDataDir('durable');
	if (!dirs.includes(dataDir)) dirs.push(dataDir);
	const r = await startRelayProcess({ dataDir, args: [...ARGS, ...(opts.args ?? [])], port: opts.port ?? 0 });
	relays.push(r);
	return r;
}

function client(r: RelayProcess): GunClient {
	const c = createGunClient(r.gunUrl);
	clients.push(c);
	return c;
}

/** N trust records from a few authors (several souls, many keys each). */
async function records(n: number): Promise<SignedRecord[]> {
	const authors: Signer[] = Array.from({ length: 5 }, () => identity());
	const out: SignedRecord[] = [];
	const t = Date.now() - 10_000;
	for (let i = 0; i < n; i++) out.push(await trustRecord(authors[i % authors.length]!, identity().id, t + i));
	return out;
}

async function writeAll(gun: GunClient, recs: SignedRecord[]): Promise<void> {
	let next = 0;
	const worker = async (): Promise<void> => {
		while (next < recs.length) {
			const rec = recs[next++]!;
			const ack = await putRecord(gun, rec);
			expect(ack.err, rec.key).toBeUndefined();
		}
	};
	await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** Wait until a client of `r` sees every record (subscribing to each soul). */
async function seesAll(gun: GunClient, recs: SignedRecord[], timeoutMs = 20_000): Promise<void> {
	const souls = [...new Set(recs.map((r) => r.soul))];
	const watches = souls.map((s) => watchSoul(gun, s));
	const bySoul = new Map(souls.map((s, i) => [s, watches[i]!.seen]));
	const missing = (): SignedRecord[] => recs.filter((r) => !bySoul.get(r.soul)!.get(r.key)?.includes(r.value));
	try {
		await waitFor(() => missing().length === 0, `all ${recs.length} records`, timeoutMs).catch(() => {
			throw new Error(`${missing().length} of ${recs.length} records missing`);
		});
	} finally {
		for (const w of watches) w.stop();
	}
}

function storedCount(dataDir: string): number {
	const { DatabaseSync } = loadSqlite();
	const db = new DatabaseSync(join(dataDir, RECORDS_DB));
	try {
		return (db.prepare('SELECT count(*) AS n FROM fields').get() as { n: number }).n;
	} finally {
		db.close();
	}
}

afterAll(async () => {
	for (const c of clients) closeGunClient(c);
	for (const r of relays) await r.kill9();
	for (const d of dirs) removeDataDir(d);
});

describe('relay durability', () => {
	it(`keeps all ${N} acknowledged writes through kill -9 right after the last ack`, async () => {
		const recs = await records(N);
		const a = await relay();
		const writer = client(a);
		await writeAll(writer, recs);
		await a.kill9();
		closeGunClient(writer);

		expect(storedCount(a.dataDir)).toBe(N);
		const again = await relay({ dataDir: a.dataDir });
		await seesAll(client(again), recs);
	}, 90_000);
});

describe('peered relays', () => {
	it('sync both ways, survive the loss of one, and reconnect when it returns', async () => {
		const a = await relay();
		const b = await relay({ args: ['--peers', a.gunUrl] });
		const onA = client(a);
		const onB = client(b);
		await waitFor(() => a.logs.some((l) => l.msg === 'peer follows the namespace'), 'b to follow a', 10_000);

		const recs = await records(40);
		const fromA = recs.slice(0, 20);
		const fromB = recs.slice(20);
		await writeAll(onA, fromA);
		await writeAll(onB, fromB);
		await seesAll(client(b), recs);
		await seesAll(client(a), recs);

		// A dies without warning: B's clients, old and new, still get everything.
		await a.kill9();
		await seesAll(client(b), recs);
		const whileDown = await records(5);
		await writeAll(onB, whileDown);

		// A comes back on its port: B redials it and new writes on A reach B again.
		const a2 = await relay({ dataDir: a.dataDir, port: a.port });
		await waitFor(() => a2.logs.some((l) => l.msg === 'peer follows the namespace'), 'b to redial a', 20_000);
		const later = await records(5);
		await writeAll(client(a2), later);
		await seesAll(client(b), later);
	}, 90_000);
});

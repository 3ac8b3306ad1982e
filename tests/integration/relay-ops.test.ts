/**
 * What an operator sees, with real relay processes: /health and /metrics, the web app with its
 * single-page fallback, limits from environment variables (write rate, connections per address),
 * JSON-lines logs, and a graceful SIGTERM that exits 0 with every acknowledged write on disk.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
	closeGunClient,
	createGunClient,
	putRecord,
	rawGunSocket,
	readField,
	type GunClient
} from '../helpers/gun-client.ts';
import { identity, trustRecord } from '../helpers/relay-fixtures.ts';
import { removeDataDir, startRelayProcess, type RelayProcess } from '../helpers/relay-process.ts';

const relays: RelayProcess[] = [];
const clients: GunClient[] = [];
const web = mkdtempSync(join(tmpdir(), 'miaou-ops-web-'));
writeFileSync(join(web, 'index.html'), '<!doctype html><title>Miaou</title>');

afterAll(async () => {
	for (const c of clients) closeGunClient(c);
	for (const r of relays) {
		await r.kill9();
		removeDataDir(r.dataDir);
	}
	rmSync(web, { recursive: true, force: true });
});

async function start(args: string[], env: Record<string, string> = {}): Promise<RelayProcess> {
	const r = await startRelayProcess({ args: ['--ipfs', 'false', ...args], env });
	relays.push(r);
	return r;
}

describe('relay operations', () => {
	it('serves /health, /metrics, the web app and its fallback; stops on SIGTERM with writes on disk', async () => {
		const relay = await start(['--web', web]);
		const health = (await (await fetch(`${relay.url}/health`)).json()) as Record<string, unknown>;
		expect(health).toMatchObject({ ok: true, connections: 0, peers: [], ipfs: { enabled: false } });
		expect(health.uptime).toEqual(expect.any(Number));
		expect(health.storage).toMatchObject({ writable: true, pending: 0 });

		const page = await fetch(`${relay.url}/`);
		expect(await page.text()).toContain('<title>Miaou</title>');
		const route = await fetch(`${relay.url}/c/bafkreiexample`);
		expect(route.status).toBe(200);
		expect(await route.text()).toContain('<title>Miaou</title>');
		expect((await fetch(`${relay.url}/gun`)).status).toBe(426);

		const gun = createGunClient(relay.gunUrl);
		clients.push(gun);
		const me = identity();
		const recs = await Promise.all([1, 2, 3].map(() => trustRecord(me, identity().id, Date.now() - 1000)));
		for (const r of recs) expect((await putRecord(gun, r)).err).toBeUndefined();
		expect((await putRecord(gun, { ...recs[0]!, value: 'x', state: recs[0]!.state + 1 })).err).toMatch(
			/^ERR_MALFORMED/
		);

		const metrics = await (await fetch(`${relay.url}/metrics`)).text();
		expect(metrics).toMatch(/^miaou_relay_connections 1$/m);
		expect(metrics).toMatch(/^miaou_relay_writes_accepted_total 3$/m);
		expect(metrics).toMatch(/^miaou_relay_writes_refused_total\{reason="invalid"\} 1$/m);
		expect(metrics).toMatch(/^miaou_relay_ack_latency_seconds_count\{outcome="ok"\} 3$/m);
		expect(metrics).toMatch(/^miaou_relay_stored_bytes \d+$/m);
		expect(metrics).toMatch(/^miaou_relay_process_resident_memory_bytes \d+/m);

		closeGunClient(gun);
		expect(await relay.stop()).toBe(0);
		const messages = relay.logs.map((l) => l.msg);
		expect(messages).toEqual(expect.arrayContaining(['relay ready', 'signal received', 'relay stopped']));
		expect(relay.logs.every((l) => typeof l.time === 'string' && typeof l.level === 'string')).toBe(true);

		const again = await start(['--web', 'none', '--data', relay.dataDir]);
		const reader = createGunClient(again.gunUrl);
		clients.push(reader);
		for (const r of recs) expect(await readField(reader, r.soul, r.key, r.value)).toBe(r.value);
	});

	it('limits writes per second and connections per address, configured through the environment', async () => {
		const relay = await start([], {
			MIAOU_RELAY_RATE_LIMIT: '1',
			MIAOU_RELAY_RATE_BURST: '2',
			MIAOU_RELAY_MAX_CONNECTIONS_PER_IP: '3'
		});
		const gun = createGunClient(relay.gunUrl);
		clients.push(gun);
		const me = identity();
		const recs = await Promise.all([1, 2, 3, 4, 5].map(() => trustRecord(me, identity().id, Date.now() - 1000)));
		const acks = await Promise.all(recs.map((r) => putRecord(gun, r)));
		const limited = acks.filter((a) => a.err?.startsWith('ERR_RATE_LIMITED: '));
		expect(limited.length).toBeGreaterThanOrEqual(2);
		expect(acks.filter((a) => a.err === undefined).length).toBeGreaterThanOrEqual(1);

		// The stock client holds one connection; two more fit, the fourth is refused with 429.
		const s1 = await rawGunSocket(relay.gunUrl);
		const s2 = await rawGunSocket(relay.gunUrl);
		await expect(rawGunSocket(relay.gunUrl)).rejects.toThrow('HTTP 429');
		s1.close();
		await s1.closed;
		await new Promise((r) => setTimeout(r, 100));
		const s3 = await rawGunSocket(relay.gunUrl);
		s2.close();
		s3.close();
		const metrics = await (await fetch(`${relay.url}/metrics`)).text();
		expect(metrics).toMatch(/^miaou_relay_writes_refused_total\{reason="rate_limited"\} [2-9]/m);
	});
});

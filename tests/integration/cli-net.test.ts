/**
 * `miaou ping`, `miaou net info` and `miaou diagnostics` end to end against a real relay process
 * on loopback, and against a port where nothing listens.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDataDir, startRelayProcess, type RelayProcess } from '../helpers/relay-process.ts';
import { json, miaou, newIdentity, oneLine, scratch, SLOW_TEST_MS, type Scratch } from './cli-harness.ts';

let relay: RelayProcess;
let s: Scratch;
/** A loopback URL where nothing listens: a port the system gave us, then closed. */
let closed: string;

beforeAll(async () => {
	[relay, s] = await Promise.all([
		startRelayProcess({ args: ['--ipfs', 'false', '--rate-limit', '0', '--message-rate-limit', '0'] }),
		scratch('miaou-cli-net-')
	]);
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	await new Promise((resolve) => server.close(resolve));
	closed = `http://127.0.0.1:${port}`;
}, 60_000);
afterAll(async () => {
	await relay?.stop();
	if (relay) removeDataDir(relay.dataDir);
	await s?.remove();
});

interface Ping {
	relay: string;
	ok: boolean;
	sent: number;
	received: number;
	samplesMs: number[];
	minMs: number;
	avgMs: number;
	maxMs: number;
	health: Record<string, unknown>;
}

describe('ping', { timeout: SLOW_TEST_MS }, () => {
	it('times round trips to a relay, and fails in one sentence on a closed port', async () => {
		const [up, down, downJson] = await Promise.all([
			miaou(['ping', `${relay.url}/`, '--count', '2', '--json']),
			miaou(['ping', closed, '--count', '1']),
			miaou(['ping', closed, '--count', '1', '--json'])
		]);
		const p = json<Ping>(up);
		expect(p).toMatchObject({ relay: relay.url, ok: true, sent: 2, received: 2 });
		expect(p.samplesMs).toHaveLength(2);
		expect(p.minMs).toBeGreaterThan(0);
		expect(p.minMs).toBeLessThanOrEqual(p.avgMs);
		expect(p.avgMs).toBeLessThanOrEqual(p.maxMs);
		expect(p.health).toMatchObject({ clients: expect.any(Number), ipfs: false, relayPeers: 0 });

		expect(down.code).toBe(1);
		expect(oneLine(down)).toBe(
			`No relay could be reached: ${closed}: the connection was refused (is the relay running on that port?).`
		);
		expect(downJson.code).toBe(1);
		expect(JSON.parse(downJson.stderr)).toMatchObject({ error: { code: 'ERR_NO_RELAY' } });

		const human = await miaou(['ping', relay.url, '-c', '1']);
		expect(human.code).toBe(0);
		expect(human.stdout).toContain('received:     1 of 1');
		expect(human.stdout).toMatch(/round trip: {3}min [\d.]+ ms, avg [\d.]+ ms, max [\d.]+ ms/);
	});
});

describe('net info and diagnostics', { timeout: SLOW_TEST_MS }, () => {
	it('net info shows each relay: the live one open with its health, the closed one unreachable', async () => {
		const info = json<{ connected: number; total: number; relays: Record<string, unknown>[] }>(
			await miaou(['net', 'info', '--relay', relay.url, '--relay', closed, '--json'])
		);
		expect(info.connected).toBe(1);
		expect(info.total).toBe(2);
		expect(info.relays[0]).toMatchObject({ url: relay.url, gun: 'open', http: true, health: { ipfs: false } });
		expect(info.relays[0]!.latencyMs).toEqual(expect.any(Number));
		expect(Math.abs(info.relays[0]!.clockSkewMs as number)).toBeLessThan(5_000);
		expect(info.relays[1]).toMatchObject({ url: closed, gun: 'closed', http: false });
		expect(info.relays[1]!.error).toMatch(/refused/);
	});

	it('diagnostics checks the identity, each relay and the profile, and reports a dead relay as failed', async () => {
		const home = s.home('diag');
		const id = await newIdentity(s, home, 'diag pass', 'Dia');
		const report = json<{ ok: boolean; checks: { name: string; status: string; detail: string }[] }>(
			await miaou(['diagnostics', '--json'], { env: { ...s.env(home), MIAOU_RELAYS: `${relay.url},${closed}` } })
		);
		const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
		expect(byName.identity).toMatchObject({ status: 'ok' });
		expect(byName.identity!.detail).toContain(id);
		expect(byName[`relay ${relay.url}`]).toMatchObject({ status: 'ok' });
		expect(byName[`gun ${relay.url}`]).toMatchObject({ status: 'ok', detail: 'WebSocket open' });
		expect(byName[`clock ${relay.url}`]).toMatchObject({ status: 'ok' });
		expect(byName.profile).toMatchObject({ status: 'warn' }); // never published
		expect(byName[`relay ${closed}`]).toMatchObject({ status: 'fail' });
		expect(report.ok).toBe(false);

		const human = await miaou(['diagnostics'], { env: { ...s.env(home), MIAOU_RELAYS: relay.url } });
		expect(human.code).toBe(0);
		expect(human.stdout).toMatch(/^ok {4}miaou /m);
		expect(human.stdout).toContain('No problem found.');
	});
});

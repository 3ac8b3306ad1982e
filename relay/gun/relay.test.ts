/**
 * The Gun relay in-process (real Gun core, real SQLite store, real verifier, a real WebSocket on
 * loopback), for what a separate process cannot show: that hostile ids never reach Gun's plain
 * objects (Object.prototype of the relay stays clean) and that a relay's own Gun never dials.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawGunSocket, type RawGunSocket } from '../../tests/helpers/gun-client.ts';
import { identity, trustRecord } from '../../tests/helpers/relay-fixtures.ts';
import { resolveRelayConfig } from '../config.ts';
import { silentLogger } from '../log.ts';
import { startRelay, type RelayHandle } from '../main.ts';

let relay: RelayHandle;
let dir: string;
let s: RawGunSocket;

beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'miaou-relay-unit-'));
	relay = await startRelay(
		resolveRelayConfig({ port: '0', data: dir, ipfs: 'false', web: 'none', rateLimit: '0', messageRateLimit: '0' }),
		{ log: silentLogger }
	);
	s = await rawGunSocket(relay.url.replace('http:', 'ws:') + '/gun');
});

afterAll(async () => {
	s?.close();
	await relay?.close();
	rmSync(dir, { recursive: true, force: true });
});

describe('createGunRelay gate', () => {
	it('keeps Object.prototype clean whatever ids a client sends', async () => {
		const soul = 'miaou/v1/box/x';
		s.send([
			{ '#': '__proto__', get: { '#': soul } },
			{ '#': 'constructor', dam: '?', pid: '__proto__' },
			{ '#': 'a1', '@': '__pro', '##': 'to__', ok: 1 },
			{ '#': 'a2', '@': '__proto__', ok: 1 },
			{ '#': 'a3', '><': '__proto__,constructor', get: { '#': soul } },
			{ '#': 'a4', dam: '?', pid: 'valueOf' }
		]);
		s.send({ '#': 'end', get: { '#': soul } });
		await s.waitFor((m) => m['@'] === 'end');
		const probe: Record<string, unknown> = {};
		expect(probe.was).toBeUndefined();
		expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('was');
	});

	it('accepts a valid write and answers a later read of it from the database', async () => {
		const rec = await trustRecord(identity(), identity().id, Date.now() - 1000);
		s.send({
			'#': 'w1',
			put: { [rec.soul]: { _: { '#': rec.soul, '>': { [rec.key]: rec.state } }, [rec.key]: rec.value } }
		});
		const ack = await s.waitFor((m) => m['@'] === 'w1');
		expect(ack).toMatchObject({ ok: { '': 1 } });
		const reader = await rawGunSocket(relay.url.replace('http:', 'ws:') + '/gun');
		reader.send({ '#': 'r1', get: { '#': rec.soul, '.': rec.key } });
		const reply = await reader.waitFor((m) => m['@'] === 'r1' && m.put !== undefined);
		expect((reply.put as Record<string, Record<string, unknown>>)[rec.soul]![rec.key]).toBe(rec.value);
		reader.close();
	});
});

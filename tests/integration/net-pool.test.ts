/**
 * The relay pool against a real relay process that is stopped and started again on the same
 * port and data directory: the pool sees the relay go down, keeps retrying with backoff (Gun's
 * own glue would give up after one failed retry), reconnects, and the record store's
 * subscription is asked again so that writes made after the restart still arrive.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifiedRecord } from '../../src/lib/core/records.ts';
import { createGun } from '../../src/lib/net/gun.ts';
import { gunRecordStore } from '../../src/lib/net/record-store.ts';
import { relayPool, type RelayPool, type RelayStatus } from '../../src/lib/net/relay-pool.ts';
import { createIdentity, ed25519, trustRecord } from '../../src/lib/net/testing/records.ts';
import { waitFor } from '../helpers/gun-client.ts';
import { removeDataDir, startRelayProcess, type RelayProcess } from '../helpers/relay-process.ts';

const RELAY_ARGS = ['--ipfs', 'false', '--rate-limit', '0', '--message-rate-limit', '0'];
const BACKOFF = { baseMs: 200, capMs: 2000, jitter: 0.5 };

let relay: RelayProcess;
const pools: RelayPool[] = [];

beforeAll(async () => {
	relay = await startRelayProcess({ args: RELAY_ARGS });
}, 60_000);

afterAll(async () => {
	for (const p of pools) p.close();
	await relay?.stop();
	if (relay) removeDataDir(relay.dataDir);
});

describe('relay pool with a relay that restarts', () => {
	it('reconnects after the relay comes back, and subscriptions resume', async () => {
		const gunA = await createGun();
		const gunB = await createGun();
		const poolA = relayPool({ gun: gunA, urls: [relay.url], backoff: BACKOFF });
		const poolB = relayPool({ gun: gunB, urls: [relay.url], backoff: BACKOFF });
		pools.push(poolA, poolB);
		const history: RelayStatus['state'][] = [];
		poolB.onChange((s) => {
			if (history.at(-1) !== s[0]!.state) history.push(s[0]!.state);
		});
		await waitFor(() => [poolA, poolB].every((p) => p.snapshot()[0]!.state === 'open'), 'the first connection', 10_000);
		expect(poolB.snapshot()[0]!.latencyMs).toBeGreaterThan(0);

		const writer = gunRecordStore(gunA, { ed25519 });
		const reader = gunRecordStore(gunB, { ed25519 });
		const alice = createIdentity();
		const before = await trustRecord(alice, createIdentity(), Date.now() - 5000, 10);
		const seen: number[] = [];
		reader.subscribe(before.soul, (r) => seen.push((r as VerifiedRecord<'trust'>).body.level));
		await new Promise((r) => setTimeout(r, 200));
		await writer.publish(before);
		await waitFor(() => seen.length === 1, 'the record written before the restart', 5000);

		await relay.stop();
		await waitFor(() => poolB.snapshot()[0]!.state === 'closed', 'the pool to see the relay down', 5000);
		expect(poolB.snapshot()[0]!.lastError).toMatch(/connection closed/);
		// Down for several retry periods: each failed attempt backs off further.
		await waitFor(() => poolB.snapshot()[0]!.attempts >= 3, 'several failed attempts', 15_000);

		relay = await startRelayProcess({ args: RELAY_ARGS, port: relay.port, dataDir: relay.dataDir });
		await waitFor(() => [poolA, poolB].every((p) => p.snapshot()[0]!.state === 'open'), 'the reconnection', 15_000);
		expect(history.slice(0, 3)).toEqual(['open', 'closed', 'connecting']);
		expect(history.at(-1)).toBe('open');

		// The relay kept the record on disk, and the reader's subscription was asked again.
		expect(((await reader.read(before.soul, before.key)) as VerifiedRecord<'trust'>).body.level).toBe(10);
		await writer.publish(await trustRecord(alice, createIdentity(), Date.now() - 1000, 20));
		await waitFor(() => seen.length === 2, 'the record written after the restart', 5000);
		expect(seen).toEqual([10, 20]);
	}, 60_000);
});

/**
 * `--libp2p-announce`: a relay behind a TLS reverse proxy tells browsers its `wss` address. A real
 * relay process; the announced address is only printed in /health, never dialled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDataDir, startRelayProcess, type RelayProcess } from '../helpers/relay-process.ts';

const ANNOUNCED = '/dns4/relay.example.org/tcp/443/wss';
let relay: RelayProcess;

beforeAll(async () => {
	relay = await startRelayProcess({ args: ['--libp2p-announce', ANNOUNCED] });
});

afterAll(async () => {
	await relay?.stop();
	if (relay) removeDataDir(relay.dataDir);
});

describe('relay --libp2p-announce', () => {
	it('lists the announced address in /health, with the relay peer id, beside its loopback ones', async () => {
		const health = (await (await fetch(`${relay.url}/health`)).json()) as {
			ipfs: { libp2p?: { peerId: string; addrs: string[] } };
		};
		const libp2p = health.ipfs.libp2p;
		expect(libp2p).toBeDefined();
		expect(libp2p!.addrs).toContain(`${ANNOUNCED}/p2p/${libp2p!.peerId}`);
		expect(libp2p!.addrs.some((a) => a.startsWith('/ip4/127.0.0.1/'))).toBe(true);
	});

	it('refuses an address a browser cannot use, with a sentence, and does not start', async () => {
		await expect(startRelayProcess({ args: ['--libp2p-announce', '/ip4/1.2.3.4/udp/443/quic-v1'] })).rejects.toThrow(
			/announce/i
		);
	});
});

/**
 * What `miaou net info` says of a relay's circuit relay (docs/net.md §Direct peers): read from
 * the libp2p addresses of its /health. The addresses come from a real libp2p node built with the
 * relay's own options (relay/ipfs/libp2p.ts), one of them announced as behind a TLS proxy.
 */
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { Libp2p } from '@libp2p/interface';
import { createLibp2p } from 'libp2p';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offlineDns, relayLibp2pOptions } from '../../../relay/ipfs/libp2p.ts';
import type { CliIO } from '../context.ts';
import { run } from '../main.ts';
import { circuitRelayAddrs, describeHealth, healthSummary, MAX_HEALTH_LIBP2P_ADDRS } from './net.ts';

const TLS = '/dns4/relay.example/tcp/443/tls/ws';
let node: Libp2p;
let server: Server;
let url: string;
let health: Record<string, unknown>;

beforeAll(async () => {
	node = await createLibp2p(
		relayLibp2pOptions(['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'], false, offlineDns(), undefined, [TLS])
	);
	// The shape relay/ipfs/service.ts `health()` gives under `ipfs`.
	health = {
		ok: true,
		uptime: 5,
		connections: 1,
		peers: [],
		ipfs: {
			pinned: { roots: 0, bytes: 0 },
			libp2p: {
				peerId: node.peerId.toString(),
				addrs: node.getMultiaddrs().map(String),
				connections: 0
			}
		}
	};
	server = createServer((req, res) => {
		if (req.url !== '/health') return void res.writeHead(404).end();
		res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(health));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
	await node?.stop();
	await new Promise((resolve) => server?.close(resolve));
});

describe('circuitRelayAddrs', () => {
	it('keeps the WebSocket addresses naming the relay, and says whether one is secure', () => {
		const id = node.peerId.toString();
		const found = circuitRelayAddrs(node.getMultiaddrs().map(String));
		expect(found.secure).toBe(true);
		expect(found.addrs).toContain(`${TLS}/p2p/${id}`);
		expect(found.addrs.some((a) => /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/ws\/p2p\//.test(a))).toBe(true);
		// The raw TCP listener is for IPFS peers, not browsers.
		expect(found.addrs).toHaveLength(2);
		const plain = circuitRelayAddrs(found.addrs.filter((a) => !a.startsWith('/dns4/')));
		expect(plain).toEqual({ addrs: [expect.stringContaining('/ws/p2p/')], secure: false });
	});

	it('reads nothing from answers of another shape, and a bounded number of entries', () => {
		for (const v of [undefined, null, 'x', {}, [1, 'not an address', `/ip4/127.0.0.1/tcp/1/ws`, '/x'.repeat(400)]])
			expect(circuitRelayAddrs(v)).toEqual({ addrs: [], secure: false });
		const id = node.peerId.toString();
		const many = Array.from(
			{ length: MAX_HEALTH_LIBP2P_ADDRS + 10 },
			(_, i) => `/ip4/10.0.0.1/tcp/${i + 1}/ws/p2p/${id}`
		);
		expect(circuitRelayAddrs(many).addrs).toHaveLength(MAX_HEALTH_LIBP2P_ADDRS);
	});
});

describe('healthSummary', () => {
	it('says whether the relay offers circuit relay to browsers, on http and https pages', () => {
		const s = healthSummary(health);
		expect(s).toMatchObject({ ipfs: true, circuitRelay: true, circuitRelaySecure: true });
		expect(describeHealth(s)).toContain('circuit relay (ws, wss)');
		const noLibp2p = healthSummary({ ok: true, ipfs: { libp2p: { addrs: [] } } });
		expect(noLibp2p).toMatchObject({ circuitRelay: false, circuitRelaySecure: false });
		expect(describeHealth(noLibp2p)).toContain('no circuit relay for browsers');
		const off = healthSummary({ ok: true, ipfs: { enabled: false } });
		expect(off.circuitRelay).toBeUndefined();
		expect(describeHealth(off)).toBe('IPFS off');
	});
});

describe('net info', () => {
	const cli = async (args: string[]): Promise<{ code: number; out: string }> => {
		let out = '';
		const io: CliIO = {
			stdin: Object.assign(new EventEmitter(), { resume() {}, pause() {} }),
			stdout: { write: (s: string) => (out += s) },
			stderr: { write: () => {} },
			env: { MIAOU_HOME: '/nonexistent', MIAOU_RELAYS: url }
		};
		return { code: await run(args, io), out };
	};

	it('lists the circuit relay addresses of each relay, in JSON and for people', async () => {
		const [asJson, human] = [await cli(['net', 'info', '--json']), await cli(['net', 'info'])];
		expect(asJson.code).toBe(0);
		const report = JSON.parse(asJson.out) as { relays: { url: string; health: Record<string, unknown> }[] };
		expect(report.relays[0]?.url).toBe(url);
		expect(report.relays[0]?.health).toMatchObject({
			circuitRelay: true,
			circuitRelaySecure: true,
			circuitRelayAddrs: expect.arrayContaining([`${TLS}/p2p/${node.peerId.toString()}`])
		});
		expect(human.code).toBe(0);
		expect(human.out).toContain('circuit relay (ws, wss)');
	}, 30_000);
});

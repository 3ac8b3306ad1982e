import { multiaddr } from '@multiformats/multiaddr';
import { describe, expect, it } from 'vitest';
import { checkLimits, relayP2pAddrs, relayPart } from './p2p.ts';

const RELAY = '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN';

describe('relayP2pAddrs', () => {
	it('keeps the WebSocket addresses of a relay /health answer that name the relay', () => {
		const health = {
			ok: true,
			ipfs: {
				libp2p: {
					peerId: RELAY,
					addrs: [
						`/ip4/127.0.0.1/tcp/4001/p2p/${RELAY}`, // raw TCP: no use to a browser
						`/ip4/127.0.0.1/tcp/4002/ws/p2p/${RELAY}`,
						`/dns4/relay.example/tcp/443/tls/ws/p2p/${RELAY}`,
						`/ip4/127.0.0.1/tcp/4002/ws`, // no peer id
						`/ip4/127.0.0.1/tcp/4002/ws/p2p/${RELAY}/p2p-circuit`,
						'not a multiaddr',
						42,
						`/ip4/127.0.0.1/tcp/4002/ws/p2p/${RELAY}${'x'.repeat(600)}`
					]
				}
			}
		};
		expect(relayP2pAddrs(health).map(String)).toEqual([
			`/ip4/127.0.0.1/tcp/4002/ws/p2p/${RELAY}`,
			`/dns4/relay.example/tcp/443/tls/ws/p2p/${RELAY}`
		]);
	});

	it('keeps secure WebSockets on an https page, and puts plain ones first on an http page', () => {
		const ws = `/ip4/192.168.1.5/tcp/4002/ws/p2p/${RELAY}`;
		const local = `/ip4/127.0.0.1/tcp/4002/ws/p2p/${RELAY}`;
		const tls = `/dns4/relay.example/tcp/443/tls/ws/p2p/${RELAY}`;
		const wss = `/dns4/relay.example/tcp/8443/wss/p2p/${RELAY}`;
		const health = { ipfs: { libp2p: { addrs: [tls, ws, wss, local] } } };
		expect(relayP2pAddrs(health, true).map(String)).toEqual([tls, wss, local]);
		expect(relayP2pAddrs(health, false).map(String)).toEqual([ws, local, tls, wss]);
		// A relay without a secure address offers an https page nothing off this machine.
		expect(relayP2pAddrs({ ipfs: { libp2p: { addrs: [ws] } } }, true)).toEqual([]);
		// Outside a browser the page counts as http.
		expect(relayP2pAddrs(health).map(String)).toEqual([ws, local, tls, wss]);
	});

	it('finds nothing in answers of another shape', () => {
		for (const body of [null, 'x', {}, { ipfs: { enabled: false } }, { ipfs: { libp2p: { addrs: 'x' } } }])
			expect(relayP2pAddrs(body)).toEqual([]);
		const many = {
			ipfs: { libp2p: { addrs: Array.from({ length: 50 }, (_, i) => `/ip4/127.0.0.1/tcp/${i + 1}/ws/p2p/${RELAY}`) } }
		};
		expect(relayP2pAddrs(many)).toHaveLength(8);
	});
});

describe('relayPart', () => {
	it('is the transport part of an address, before its first peer id', () => {
		expect(relayPart(multiaddr(`/ip4/127.0.0.1/tcp/4002/ws/p2p/${RELAY}/p2p-circuit/webrtc`))).toBe(
			'/ip4/127.0.0.1/tcp/4002/ws'
		);
		expect(relayPart(multiaddr('/ip4/127.0.0.1/tcp/4002/ws'))).toBe('/ip4/127.0.0.1/tcp/4002/ws');
	});
});

describe('checkLimits', () => {
	it('accepts the ranges of Settings and refuses the rest', () => {
		expect(checkLimits({ maxPeers: 1, uploadBytesPerSecond: 0, downloadBytesPerSecond: 1024 })).toEqual({
			maxPeers: 1,
			uploadBytesPerSecond: 0,
			downloadBytesPerSecond: 1024
		});
		for (const bad of [
			{ maxPeers: 0, uploadBytesPerSecond: 0, downloadBytesPerSecond: 0 },
			{ maxPeers: 65, uploadBytesPerSecond: 0, downloadBytesPerSecond: 0 },
			{ maxPeers: 8, uploadBytesPerSecond: -1, downloadBytesPerSecond: 0 },
			{ maxPeers: 8, uploadBytesPerSecond: 0, downloadBytesPerSecond: Number.POSITIVE_INFINITY }
		])
			expect(() => checkLimits(bad)).toThrow(RangeError);
	});
});

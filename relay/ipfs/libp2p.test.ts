import { multiaddr } from '@multiformats/multiaddr';
import { describe, expect, it } from 'vitest';
import { denyDial, isLocalAddress, offlineDns, relayLibp2pOptions } from './libp2p.ts';

describe('isLocalAddress', () => {
	it('accepts loopback, RFC 1918, link-local and unique-local addresses', () => {
		for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.0.5'])
			expect(isLocalAddress('ip4', a)).toBe(true);
		for (const a of ['::1', 'fd12:3456::1', 'fc00::1', 'fe80::1', '::ffff:127.0.0.1'])
			expect(isLocalAddress('ip6', a)).toBe(true);
	});

	it('refuses public addresses and garbage', () => {
		for (const a of ['8.8.8.8', '172.32.0.1', '104.131.131.82', '1.2.3', '256.1.1.1', 'x'])
			expect(isLocalAddress('ip4', a)).toBe(false);
		for (const a of ['2001:db8::1', '2606:4700::1111', '::ffff:8.8.8.8']) expect(isLocalAddress('ip6', a)).toBe(false);
		expect(isLocalAddress('dns4', 'localhost')).toBe(false);
	});
});

describe('denyDial', () => {
	it('allows loopback and LAN dials only', () => {
		expect(denyDial(multiaddr('/ip4/127.0.0.1/tcp/4001'))).toBe(false);
		expect(denyDial(multiaddr('/ip4/192.168.0.7/tcp/4001/ws'))).toBe(false);
		expect(denyDial(multiaddr('/ip4/104.131.131.82/tcp/4001'))).toBe(true);
		expect(denyDial(multiaddr('/dnsaddr/bootstrap.libp2p.io'))).toBe(true);
		expect(denyDial(multiaddr('/dns4/example.com/tcp/443/wss'))).toBe(true);
	});
});

describe('offlineDns', () => {
	it('answers no query', async () => {
		await expect(offlineDns().query('bootstrap.libp2p.io')).rejects.toThrow();
	});
});

describe('relayLibp2pOptions', () => {
	it('has no discovery but mDNS when asked, no routers, and gates dials', () => {
		const off = relayLibp2pOptions(['/ip4/127.0.0.1/tcp/0'], false, offlineDns());
		expect(off.peerDiscovery).toEqual([]);
		expect(Object.keys(off.services ?? {}).sort()).toEqual(['identify', 'ping']);
		expect(off.contentRouters).toBeUndefined();
		expect(off.peerRouters).toBeUndefined();
		expect(off.addresses?.listen).toEqual(['/ip4/127.0.0.1/tcp/0']);
		expect(off.connectionGater?.denyDialMultiaddr).toBe(denyDial);
		expect(relayLibp2pOptions([], true, offlineDns()).peerDiscovery).toHaveLength(1);
	});
});

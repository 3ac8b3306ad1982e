import { describe, expect, it } from 'vitest';
import {
	checkAnnounceAddr,
	DEFAULT_HOST,
	DEFAULT_MAX_MESSAGE_BYTES,
	DEFAULT_PORT,
	DEFAULT_RATE_LIMIT,
	DEFAULT_RETENTION_MS,
	MAX_ANNOUNCE_ADDRS,
	normalizePeerUrl,
	parseBytes,
	parseDuration,
	RelayConfigError,
	resolveRelayConfig
} from './config.ts';

describe('resolveRelayConfig', () => {
	it('applies safe defaults', () => {
		const c = resolveRelayConfig({ web: 'none' }, '/srv');
		expect(c).toMatchObject({
			host: DEFAULT_HOST,
			port: DEFAULT_PORT,
			dataDir: '/srv/miaou-relay-data',
			peers: [],
			maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
			rateLimit: DEFAULT_RATE_LIMIT,
			retentionMs: DEFAULT_RETENTION_MS,
			webDir: null,
			ipfs: true,
			mdns: false,
			logLevel: 'info',
			dev: false
		});
		expect(c.ipfsListen).toEqual(['/ip4/127.0.0.1/tcp/4001', '/ip4/127.0.0.1/tcp/4002/ws']);
		expect(c.libp2pAnnounce).toEqual([]);
	});

	it('takes libp2p addresses to announce: WebSockets behind a TLS proxy, plain TCP', () => {
		const c = resolveRelayConfig({
			web: 'none',
			libp2pAnnounce:
				'/dns4/relay.example/tcp/443/tls/ws, /dns4/relay.example/tcp/443/wss,/ip4/203.0.113.7/tcp/4001,' +
				'/dns4/relay.example/tcp/443/tls/sni/relay.example/ws,/ip6/2001:db8::1/tcp/4002/ws,/dns4/relay.example/tcp/443/wss'
		});
		expect(c.libp2pAnnounce).toEqual([
			'/dns4/relay.example/tcp/443/tls/ws',
			'/dns4/relay.example/tcp/443/wss',
			'/ip4/203.0.113.7/tcp/4001',
			'/dns4/relay.example/tcp/443/tls/sni/relay.example/ws',
			'/ip6/2001:db8::1/tcp/4002/ws'
		]);
	});

	it.each([
		['not a multiaddr', 'is not a multiaddr'],
		['/dns4/relay.example/tcp/443/tls/ws/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN', 'must be'],
		['/dns4/relay.example/udp/443/quic-v1', 'must be'],
		['/dns4/relay.example/tcp/443/http', 'must be'],
		['/tcp/443/ws', 'must be'],
		['/ip4/1.2.3/tcp/443/ws', 'is not a multiaddr'],
		[`/dns4/${'a'.repeat(300)}/tcp/443/ws`, 'longer than'],
		[
			Array.from({ length: MAX_ANNOUNCE_ADDRS + 1 }, (_, i) => `/ip4/203.0.113.7/tcp/${4000 + i}/ws`).join(','),
			'at most'
		]
	])('refuses the announced address %s', (libp2pAnnounce, sentence) => {
		expect(() => resolveRelayConfig({ web: 'none', libp2pAnnounce })).toThrow(RelayConfigError);
		expect(() => resolveRelayConfig({ web: 'none', libp2pAnnounce })).toThrow(sentence);
		expect(() => checkAnnounceAddr('/ip4/1.2.3.4/tcp/1/ws/ws')).toThrow('--libp2p-announce');
	});

	it('parses every option from strings', () => {
		const c = resolveRelayConfig(
			{
				host: '0.0.0.0',
				port: '0',
				data: 'd',
				peers: 'https://a.example, ws://127.0.0.1:9000/gun',
				maxMessageBytes: '64KiB',
				rateLimit: '5',
				rateBurst: '7',
				storageQuotaBytes: '2GB',
				retentionMs: '12h',
				maxUploadBytes: '1MiB',
				ipfs: 'false',
				mdns: 'true',
				ipfsListen: '/ip4/0.0.0.0/tcp/0',
				ipfsApi: 'http://127.0.0.1:5001',
				logLevel: 'warn',
				web: 'none'
			},
			'/srv'
		);
		expect(c).toMatchObject({
			host: '0.0.0.0',
			port: 0,
			dataDir: '/srv/d',
			peers: ['wss://a.example/gun', 'ws://127.0.0.1:9000/gun'],
			maxMessageBytes: 65536,
			rateLimit: 5,
			rateBurst: 7,
			storageQuotaBytes: 2e9,
			retentionMs: 12 * 3600e3,
			maxUploadBytes: 1048576,
			ipfs: false,
			mdns: true,
			ipfsListen: ['/ip4/0.0.0.0/tcp/0'],
			ipfsApi: 'http://127.0.0.1:5001',
			logLevel: 'warn'
		});
	});

	it('--dev changes only the local defaults', () => {
		const c = resolveRelayConfig({ dev: true, web: 'none' }, '/w');
		expect(c).toMatchObject({
			dev: true,
			port: DEFAULT_PORT,
			dataDir: '/w/.data',
			logLevel: 'debug',
			host: DEFAULT_HOST
		});
		expect(c.ipfsListen).toEqual(['/ip4/127.0.0.1/tcp/0/ws']);
	});

	it.each([
		[{ port: '70000' }, 'port'],
		[{ port: '-1' }, 'port'],
		[{ port: 'http' }, 'port'],
		[{ host: 'a b' }, 'host'],
		[{ maxMessageBytes: '10' }, 'max-message-bytes'],
		[{ maxMessageBytes: '1TB' }, 'max-message-bytes'],
		[{ rateLimit: '1.5' }, 'rate-limit'],
		[{ retentionMs: 'forever' }, 'retention'],
		[{ storageQuotaBytes: '10 parsecs' }, 'storage-quota'],
		[{ peers: 'ftp://x' }, 'peers'],
		[{ peers: 'not a url' }, 'peers'],
		[{ logLevel: 'loud' }, 'log-level'],
		[{ mdns: 'maybe' }, 'mdns'],
		[{ ipfsApi: 'nope' }, 'ipfs-api'],
		[{ web: '/does/not/exist' }, 'web']
	])('refuses %o naming --%s', (raw, option) => {
		expect(() => resolveRelayConfig({ web: 'none', ...raw })).toThrow(RelayConfigError);
		expect(() => resolveRelayConfig({ web: 'none', ...raw })).toThrow(`--${option}`);
	});
});

describe('parsers', () => {
	it('parse sizes and durations with units', () => {
		expect(parseBytes('x', '256KiB')).toBe(262144);
		expect(parseBytes('x', '1.5 kb')).toBe(1500);
		expect(parseBytes('x', '42')).toBe(42);
		expect(parseDuration('x', '7d')).toBe(604800000);
		expect(parseDuration('x', '90s')).toBe(90000);
		expect(parseDuration('x', '250')).toBe(250);
		expect(() => parseBytes('x', '9'.repeat(30))).toThrow(RelayConfigError);
	});

	it('normalize peer URLs to WebSocket URLs on /gun', () => {
		expect(normalizePeerUrl('http://h:1')).toBe('ws://h:1/gun');
		expect(normalizePeerUrl('https://h/relay/gun')).toBe('wss://h/relay/gun');
		expect(normalizePeerUrl(' wss://h/gun ')).toBe('wss://h/gun');
	});
});

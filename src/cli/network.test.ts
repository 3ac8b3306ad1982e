import { describe, expect, it } from 'vitest';
import { UsageError } from '../lib/core/errors.ts';
import { MAX_POOL_RELAYS, type RelayStatus } from '../lib/net/relay-pool.ts';
import { describeFailures, MAX_RELAYS_ENV_LENGTH, relayUrls, requireRelays } from './network.ts';

describe('relayUrls', () => {
	it('takes --relay over MIAOU_RELAYS, normalized and without duplicates', () => {
		const env = { MIAOU_RELAYS: 'https://env.example.org' };
		expect(relayUrls(['https://a.example.org/', 'wss://a.example.org', 'http://127.0.0.1:8765'], env)).toEqual([
			'https://a.example.org',
			'http://127.0.0.1:8765'
		]);
		expect(relayUrls(undefined, env)).toEqual(['https://env.example.org']);
		expect(relayUrls([], { MIAOU_RELAYS: ' https://a.example.org , ,ws://b.example.org/x/ ' })).toEqual([
			'https://a.example.org',
			'http://b.example.org/x'
		]);
		expect(relayUrls(undefined, {})).toEqual([]);
		expect(relayUrls(undefined, { MIAOU_RELAYS: '' })).toEqual([]);
	});

	it('refuses what is not a relay URL, naming where it came from', () => {
		expect(() => relayUrls(['mailto:x@example.org'], {})).toThrow(
			new UsageError('The relay mailto:x@example.org in --relay is not usable: mailto: is not http, https, ws or wss.')
		);
		expect(() => relayUrls(undefined, { MIAOU_RELAYS: 'https://ok.example.org,relay' })).toThrow(
			/^The relay relay in MIAOU_RELAYS is not usable: "relay" is not an absolute URL\.$/
		);
		expect(() => relayUrls(['https://user:pw@x.example.org'], {})).toThrow(/user name or password/);
		expect(() => relayUrls([''], {})).toThrow('The --relay option needs a URL.');
		expect(() => relayUrls(undefined, { MIAOU_RELAYS: 'x'.repeat(MAX_RELAYS_ENV_LENGTH + 1) })).toThrow(
			`MIAOU_RELAYS is longer than ${MAX_RELAYS_ENV_LENGTH} characters.`
		);
		const many = Array.from({ length: MAX_POOL_RELAYS + 1 }, (_, i) => `https://r${i}.example.org`);
		expect(() => relayUrls(many, {})).toThrow(`Give at most ${MAX_POOL_RELAYS} relays.`);
	});

	it('requireRelays says how to give one when there is none', () => {
		expect(() => requireRelays(undefined, {})).toThrow(
			new UsageError('No relay given: pass --relay <url> or set MIAOU_RELAYS (comma-separated URLs).')
		);
		expect(requireRelays(['https://a.example.org'], {})).toEqual(['https://a.example.org']);
	});
});

describe('describeFailures', () => {
	it('names each relay that is not open and why', () => {
		const status = (url: string, state: RelayStatus['state'], lastError?: string): RelayStatus => ({
			url,
			state,
			latencyMs: undefined,
			lastError,
			attempts: 1,
			nextRetryAt: undefined
		});
		expect(
			describeFailures([
				status('https://a.example.org', 'open'),
				status('https://b.example.org', 'closed', 'connection refused'),
				status('https://c.example.org', 'connecting')
			])
		).toBe('https://b.example.org (connection refused), https://c.example.org (still connecting)');
	});
});

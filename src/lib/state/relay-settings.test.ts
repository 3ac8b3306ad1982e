import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	MAX_RELAYS_SETTING_CHARS,
	MAX_SETTINGS_RELAYS,
	normalizeRelayList,
	parseRelayList,
	relaySettings,
	RELAYS_STORAGE_KEY,
	testRelay,
	type RelaySettingsStore
} from './relay-settings.ts';

function memoryStore(): RelaySettingsStore & { map: Map<string, string> } {
	const map = new Map<string, string>();
	return {
		map,
		getItem: (k) => map.get(k) ?? null,
		setItem: (k, v) => void map.set(k, v),
		removeItem: (k) => void map.delete(k)
	};
}

describe('relay list', () => {
	it('defaults to the given relays until a list is saved, then keeps exactly that list', () => {
		const store = memoryStore();
		const settings = relaySettings(store, () => ['http://127.0.0.1:8765/']);
		expect(settings.load()).toEqual(['http://127.0.0.1:8765']);
		expect(settings.save(['wss://relay.example.org/', 'https://relay.example.org', 'http://b.example'])).toEqual([
			'https://relay.example.org',
			'http://b.example'
		]);
		expect(JSON.parse(store.map.get(RELAYS_STORAGE_KEY)!)).toEqual(['https://relay.example.org', 'http://b.example']);
		expect(relaySettings(store, () => ['http://x.example']).load()).toEqual([
			'https://relay.example.org',
			'http://b.example'
		]);
		// An empty list is a choice too (the default removed), not "nothing stored".
		settings.save([]);
		expect(settings.load()).toEqual([]);
		settings.reset();
		expect(settings.load()).toEqual(['http://127.0.0.1:8765']);
	});

	it('ignores a stored value that is oversized, not JSON, or holds a bad entry', () => {
		for (const bad of [
			'x'.repeat(MAX_RELAYS_SETTING_CHARS + 1),
			'{not json',
			'"https://a.example"',
			'[1]',
			'["ftp://a.example"]',
			'["https://user:pw@a.example"]',
			JSON.stringify(Array.from({ length: MAX_SETTINGS_RELAYS + 1 }, (_, i) => `https://r${i}.example`))
		]) {
			expect(parseRelayList(bad), bad.slice(0, 40)).toBeUndefined();
			const store = memoryStore();
			store.map.set(RELAYS_STORAGE_KEY, bad);
			expect(relaySettings(store, () => ['https://default.example']).load()).toEqual(['https://default.example']);
		}
		expect(parseRelayList(null)).toBeUndefined();
	});

	it('refuses to save a bad URL or too many relays; works without storage', () => {
		const settings = relaySettings(undefined, () => []);
		expect(() => settings.save(['not a url'])).toThrow(expect.objectContaining({ code: 'ERR_MALFORMED' }));
		expect(() =>
			normalizeRelayList(Array.from({ length: MAX_SETTINGS_RELAYS + 1 }, (_, i) => `https://r${i}.example`))
		).toThrow(RangeError);
		expect(settings.save(['https://a.example'])).toEqual(['https://a.example']);
		expect(settings.load()).toEqual([]);
		const throwing: RelaySettingsStore = {
			getItem: () => {
				throw new Error('blocked');
			},
			setItem: () => {},
			removeItem: () => {
				throw new Error('blocked');
			}
		};
		expect(relaySettings(throwing, () => ['https://d.example']).load()).toEqual(['https://d.example']);
		expect(() => relaySettings(throwing, () => []).reset()).not.toThrow();
	});
});

describe('testRelay against a local HTTP server', () => {
	let server: Server;
	let base: string;
	let closedUrl: string;

	beforeAll(async () => {
		server = createServer((req, res) => {
			const path = req.url ?? '';
			if (path === '/relay/health') {
				res.writeHead(200, { 'content-type': 'application/json' });
				res.end('{"ok":true,"gun":{"peers":0}}');
			} else if (path === '/down/health') {
				res.writeHead(503, { 'content-type': 'application/json' });
				res.end('{"ok":false}');
			} else if (path === '/web/health') {
				res.writeHead(200, { 'content-type': 'text/html' });
				res.end('<!doctype html><p>a web page</p>');
			} else if (path === '/huge/health') {
				res.writeHead(200, { 'content-type': 'application/json' });
				res.end(`{"ok":true,"pad":"${'x'.repeat(128 * 1024)}"}`);
			} else if (path === '/slow/health') {
				setTimeout(() => res.end('{"ok":true}'), 1_000);
			} else {
				res.writeHead(404).end();
			}
		});
		await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
		base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
		const probe = createServer();
		await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
		closedUrl = `http://127.0.0.1:${(probe.address() as { port: number }).port}`;
		await new Promise((r) => probe.close(r));
	});

	afterAll(async () => {
		server.closeAllConnections();
		await new Promise((r) => server.close(r));
	});

	it('times a Miaou relay’s /health', async () => {
		let t = 0;
		const result = await testRelay(`${base}/relay/`, { monotonic: () => (t += 21.04) });
		expect(result).toEqual({ ok: true, url: `${base}/relay`, latencyMs: 21 });
		const real = await testRelay(`${base}/relay`);
		expect(real.ok && real.latencyMs).toBeGreaterThan(0);
	});

	it('says why a test failed: not a relay, unreachable, too slow', async () => {
		expect(await testRelay(`${base}/down`)).toMatchObject({ ok: false, reason: 'not-a-relay', detail: 'HTTP 503' });
		expect(await testRelay(`${base}/web`)).toMatchObject({ ok: false, reason: 'not-a-relay' });
		expect(await testRelay(`${base}/huge`)).toMatchObject({ ok: false, reason: 'not-a-relay' });
		expect(await testRelay(`${base}/nothing`)).toMatchObject({ ok: false, reason: 'not-a-relay' });
		expect(await testRelay(closedUrl)).toMatchObject({ ok: false, reason: 'unreachable' });
		expect(await testRelay(`${base}/slow`, { timeoutMs: 100 })).toMatchObject({ ok: false, reason: 'timeout' });
	});

	it('throws on a malformed URL and on the caller’s abort', async () => {
		await expect(testRelay('relay.example.org')).rejects.toMatchObject({ code: 'ERR_MALFORMED' });
		const abort = new AbortController();
		const running = testRelay(`${base}/slow`, { signal: abort.signal });
		abort.abort();
		await expect(running).rejects.toMatchObject({ name: 'AbortError' });
	});
});

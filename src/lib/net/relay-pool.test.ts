import { afterEach, describe, expect, it } from 'vitest';
import { MalformedError } from '../core/errors.ts';
import { createGun, connectedPeers } from './gun.ts';
import { manualTimers } from './manual-timers.ts';
import {
	CONNECT_TIMEOUT_MS,
	MAX_FRAME_CHARS,
	MAX_POOL_RELAYS,
	PING_INTERVAL_MS,
	defaultRelayUrls,
	relayPool,
	type RelayPool,
	type RelayStatus,
	type SocketLike
} from './relay-pool.ts';
import { gunLink } from './testing/gun-link.ts';

const pools: RelayPool[] = [];
afterEach(() => {
	for (const p of pools.splice(0)) p.close();
});

const okFetch = async (_url: string): Promise<Response> => new Response('{"ok":true}');
const backoff = { baseMs: 1000, capMs: 60_000, jitter: 0.5 };

async function setup(opts: { fetch?: typeof okFetch; monotonic?: () => number } = {}) {
	const t = manualTimers();
	const link = await gunLink();
	const gun = await createGun();
	const pool = relayPool({
		gun,
		urls: ['http://relay.test'],
		WebSocket: link.WebSocket,
		fetch: opts.fetch ?? okFetch,
		timers: t,
		now: t.now,
		monotonic: opts.monotonic ?? t.monotonic,
		random: () => 1,
		backoff
	});
	pools.push(pool);
	return { t, link, gun, pool, state: () => pool.snapshot()[0]! };
}

describe('relayPool', () => {
	it('connects each relay as a Gun peer on /gun and reports it open', async () => {
		const { t, link, gun, state } = await setup();
		expect(state().state).toBe('connecting');
		await t.flush();
		expect(link.dialed).toEqual(['ws://relay.test/gun']);
		expect(state()).toMatchObject({ url: 'http://relay.test', state: 'open', attempts: 0, lastError: undefined });
		expect(connectedPeers(gun)).toHaveLength(1);
		gun._.root.on('out', { get: { '#': 'miaou/v1/x' } });
		await t.flush();
		expect(link.received.some((m) => m.get?.['#'] === 'miaou/v1/x')).toBe(true);
	});

	it('reconnects with exponential backoff for as long as the relay is down', async () => {
		const { t, link, gun, state } = await setup();
		await t.flush();
		link.accepting = false;
		link.dropAll();
		await t.flush();
		expect(state()).toMatchObject({ state: 'closed', lastError: 'connection closed (1006)', attempts: 1 });
		expect(connectedPeers(gun)).toHaveLength(0);
		const dialTimes: number[] = [];
		const start = t.now();
		for (let i = 0; i < 7; i++) {
			const due = state().nextRetryAt!;
			await t.advance(due - t.now());
			dialTimes.push(t.now() - start);
		}
		// 1, 2, 4, 8, 16, 32, 60 s apart: Gun's own glue would have stopped after the first retry.
		expect(dialTimes.map((d, i) => d - (dialTimes[i - 1] ?? 0))).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000]);
		expect(link.dialed).toHaveLength(8);
		expect(state().lastError).toBe('connection error');
		link.accepting = true;
		await t.advance(state().nextRetryAt! - t.now());
		expect(state()).toMatchObject({ state: 'open', lastError: undefined });
		expect(connectedPeers(gun)).toHaveLength(1);
	});

	it('starts the backoff over only after a connection that held', async () => {
		const { t, link, state } = await setup();
		await t.flush();
		link.dropAll();
		await t.flush();
		await t.advance(1000); // reconnects at once (attempt 1)
		expect(state().state).toBe('open');
		link.dropAll(); // short-lived: keeps backing off
		await t.flush();
		expect(state().nextRetryAt! - t.now()).toBe(2000);
		await t.advance(2000);
		await t.advance(30_000); // held for 30 s
		link.dropAll();
		await t.flush();
		expect(state().nextRetryAt! - t.now()).toBe(1000);
	});

	it('gives up a socket stuck connecting and retries', async () => {
		const t = manualTimers();
		const opened: StuckSocket[] = [];
		class StuckSocket implements SocketLike {
			readyState = 0;
			onopen = null;
			onclose = null;
			onerror = null;
			onmessage = null;
			closed = false;
			constructor() {
				opened.push(this);
			}
			send(): void {}
			close(): void {
				this.closed = true;
			}
		}
		const pool = relayPool({
			gun: await createGun(),
			urls: ['http://relay.test'],
			WebSocket: StuckSocket,
			fetch: okFetch,
			timers: t,
			now: t.now,
			random: () => 1,
			backoff
		});
		pools.push(pool);
		await t.advance(CONNECT_TIMEOUT_MS);
		expect(pool.snapshot()[0]).toMatchObject({ state: 'closed', lastError: 'no connection after 10 s' });
		expect(opened[0]!.closed).toBe(true);
		await t.advance(1000);
		expect(opened).toHaveLength(2);
	});

	it('drops oversized frames instead of handing them to Gun', async () => {
		const t = manualTimers();
		const link = await gunLink();
		const sockets: SocketLike[] = [];
		const Spy = class extends link.WebSocket {
			constructor(url: string) {
				super(url);
				sockets.push(this);
			}
		};
		const gun = await createGun();
		const pool = relayPool({ gun, urls: ['http://relay.test'], WebSocket: Spy, fetch: okFetch, timers: t, now: t.now });
		pools.push(pool);
		await t.flush();
		const soul = 'miaou/v1/big';
		sockets[0]!.onmessage!({
			data: `{"#":"m1","put":{"${soul}":{"_":{"#":"${soul}",">":{"a":1}},"a":"${'x'.repeat(MAX_FRAME_CHARS)}"}}}`
		});
		expect(pool.snapshot()[0]!.lastError).toMatch(/dropped a \d+-character frame/);
		sockets[0]!.onmessage!({ data: `{"#":"m2","put":{"${soul}":{"_":{"#":"${soul}",">":{"a":1}},"a":"small"}}}` });
		expect(gun._.root.graph[soul]?.a).toBe('small');
		expect(pool.snapshot()[0]!.state).toBe('open');
	});

	it('measures latency from /health as a moving average, and reports failures', async () => {
		let mono = 0;
		const samples = [100, 200];
		const fetch = async (url: string): Promise<Response> => {
			expect(url).toBe('http://relay.test/health');
			const next = samples.shift();
			if (next === undefined) throw new Error('connection refused');
			mono += next;
			return new Response('{}');
		};
		const { t, pool, state } = await setup({ fetch, monotonic: () => mono });
		await t.flush();
		expect(state().latencyMs).toBe(100);
		await t.advance(PING_INTERVAL_MS);
		expect(state().latencyMs).toBe(130);
		await t.advance(PING_INTERVAL_MS);
		expect(state()).toMatchObject({ latencyMs: 130, lastError: 'connection refused', state: 'open' });
		await pool.ping();
		expect(state().lastError).toBe('connection refused');
	});

	it('without Gun, judges relays by /health alone', async () => {
		const t = manualTimers();
		let up = true;
		const pool = relayPool({
			urls: ['http://a.test'],
			fetch: async () => (up ? new Response('{}') : new Response('down', { status: 503 })),
			timers: t,
			now: t.now
		});
		pools.push(pool);
		await t.flush();
		expect(pool.snapshot()[0]!.state).toBe('open');
		up = false;
		await t.advance(PING_INTERVAL_MS);
		expect(pool.snapshot()[0]).toMatchObject({ state: 'closed', lastError: 'health check answered HTTP 503' });
	});

	it('orders relays for failover: open by latency, then the others', async () => {
		const t = manualTimers();
		const link = await gunLink();
		const latency: Record<string, number> = { 'http://slow.test/health': 300, 'http://fast.test/health': 20 };
		let mono = 0;
		const pool = relayPool({
			gun: await createGun(),
			urls: ['http://slow.test', 'http://fast.test'],
			WebSocket: link.WebSocket,
			fetch: async (url) => {
				mono += latency[url] ?? 0;
				return new Response('{}');
			},
			timers: t,
			now: t.now,
			monotonic: () => mono
		});
		pools.push(pool);
		await t.flush();
		expect(pool.ordered()).toEqual(['http://fast.test', 'http://slow.test']);
		link.accepting = false;
		link.dropAll();
		await t.flush();
		pool.add('http://third.test');
		expect(pool.urls()).toEqual(['http://slow.test', 'http://fast.test', 'http://third.test']);
		expect(pool.ordered()[0]).toBe('http://third.test'); // connecting beats closed
	});

	it('adds, removes and closes cleanly', async () => {
		const { t, link, gun, pool } = await setup();
		await t.flush();
		const snapshots: (readonly RelayStatus[])[] = [];
		pool.onChange((s) => snapshots.push(s));
		expect(() => pool.add('not a url')).toThrow(MalformedError);
		pool.add('https://relay.test'); // another scheme: another relay
		pool.add('http://relay.test/'); // the same relay: ignored
		expect(pool.urls()).toEqual(['http://relay.test', 'https://relay.test']);
		expect(pool.snapshot()).toBe(pool.snapshot());
		await t.flush();
		pool.remove('https://relay.test');
		pool.remove('http://relay.test');
		await t.flush();
		expect(link.open).toBe(0);
		expect(connectedPeers(gun)).toHaveLength(0);
		expect(snapshots.at(-1)).toEqual([]);
		for (let i = 0; i < MAX_POOL_RELAYS; i++) pool.add(`http://r${i}.test`);
		expect(() => pool.add('http://one-too-many.test')).toThrow(RangeError);
		pool.close();
		await t.flush();
		expect(t.pending()).toBe(0);
		expect(() => pool.add('http://late.test')).toThrow();
	});

	it('retries closed relays at once on reconnectNow', async () => {
		const { t, link, state, pool } = await setup();
		await t.flush();
		link.accepting = false;
		link.dropAll();
		await t.flush();
		await t.advance(1000);
		await t.advance(2000);
		expect(state().attempts).toBe(3);
		link.accepting = true;
		pool.reconnectNow();
		await t.flush();
		expect(state()).toMatchObject({ state: 'open', attempts: 0 });
	});

	it('defaults to the origin that served the app', () => {
		expect(defaultRelayUrls({ protocol: 'https:', origin: 'https://chat.example.org' })).toEqual([
			'https://chat.example.org'
		]);
		expect(defaultRelayUrls({ protocol: 'file:', origin: 'null' })).toEqual([]);
		expect(defaultRelayUrls(undefined)).toEqual([]);
	});
});

/**
 * The app's network state over the real net adapters: a real Gun client and relay pool whose
 * sockets reach a second, real Gun instance in process (net/testing/gun-link.ts), a local HTTP
 * server answering `/health` for the latency, the real record store and verifier, and the relay
 * list in a Map-backed store. Blob transfers against a real relay process are in
 * tests/integration/net-state.test.ts.
 */
import { createServer, type Server } from 'node:http';
import { CID } from 'multiformats/cid';
import { startTestRelay } from '../../../relay/ipfs/testing.ts';
import { importFile } from '../net/unixfs.ts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, NoRelayError } from '../core/errors.ts';
import type { RelayStatus } from '../net/relay-pool.ts';
import { gunLink } from '../net/testing/gun-link.ts';
import { createIdentity, trustRecord } from '../net/testing/records.ts';
import { deliveryRate, NetState, summarize, type DeliverySource } from './net.svelte.ts';
import type { DirectNode, DirectNodeOptions, DirectSnapshot } from '../net/p2p.ts';
import { P2P_STORAGE_KEY, p2pSettings } from './p2p-settings.ts';
import { relaySettings, RELAYS_STORAGE_KEY, type RelaySettingsStore } from './relay-settings.ts';

let health: Server;
let base: string;
let healthHits = 0;

beforeAll(async () => {
	health = createServer((req, res) => {
		healthHits++;
		res.writeHead(req.url?.endsWith('/health') ? 200 : 404, { 'content-type': 'application/json' });
		res.end('{"ok":true}');
	});
	await new Promise<void>((r) => health.listen(0, '127.0.0.1', r));
	base = `http://127.0.0.1:${(health.address() as { port: number }).port}`;
});

afterAll(async () => {
	health.closeAllConnections();
	await new Promise((r) => health.close(r));
});

const states: NetState[] = [];
afterEach(() => {
	for (const s of states.splice(0)) s.stop();
});

function memoryStore(): RelaySettingsStore & { map: Map<string, string> } {
	const map = new Map<string, string>();
	return {
		map,
		getItem: (k) => map.get(k) ?? null,
		setItem: (k, v) => void map.set(k, v),
		removeItem: (k) => void map.delete(k)
	};
}

async function setup(defaults: string[] = [`${base}/a`, `${base}/b`]) {
	const link = await gunLink();
	const store = memoryStore();
	const events = new EventTarget();
	const net = new NetState({
		settings: relaySettings(store, () => defaults),
		pool: { WebSocket: link.WebSocket },
		events
	});
	states.push(net);
	return { net, link, store, events };
}

async function until(check: () => boolean, what: string, ms = 5_000): Promise<void> {
	const end = Date.now() + ms;
	while (!check()) {
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 10));
	}
}

const allOpenWithLatency = (net: NetState) => () =>
	net.snapshot.length > 0 && net.snapshot.every((r) => r.state === 'open' && r.latencyMs !== undefined);

describe('NetState', () => {
	it('starts the Gun client and the pool over the listed relays: decentralized once two are open', async () => {
		const { net, link } = await setup();
		expect(net.status).toBe('stopped');
		expect(net.summary.kind).toBe('stopped');
		expect(net.relays).toEqual([`${base}/a`, `${base}/b`]);
		const starting = net.start();
		expect(net.start()).toBe(starting);
		expect(net.status).toBe('starting');
		const connection = await starting;
		expect(net.status).toBe('running');
		expect(await net.start()).toBe(connection);
		expect(net.connection).toBe(connection);
		expect(link.dialed.sort()).toEqual([
			`ws://127.0.0.1:${base.split(':')[2]}/a/gun`,
			`ws://127.0.0.1:${base.split(':')[2]}/b/gun`
		]);
		await until(allOpenWithLatency(net), 'both relays open with a latency');
		expect(net.summary).toEqual({ kind: 'decentralized', open: 2, total: 2, direct: 0 });
		expect(healthHits).toBeGreaterThanOrEqual(2);
		expect(net.snapshot.every((r) => r.latencyMs! >= 0)).toBe(true);
	});

	it('wires the record store to the same Gun client: a publish is acknowledged by the relay', async () => {
		const { net, link } = await setup([`${base}/a`]);
		link.ackPlan = () => ({ ok: true });
		const { records } = await net.start();
		await until(allOpenWithLatency(net), 'the relay open');
		expect(net.summary.kind).toBe('single');
		const author = createIdentity();
		const record = await trustRecord(author, createIdentity(), Date.now() - 1000);
		await records.publish(record);
		expect(link.received.some((m) => m.put?.[record.soul] !== undefined)).toBe(true);
		net.refreshStats();
		expect(net.stats).toEqual({ dropped: 0, verified: 0, droppedByCode: {} });
		// A forged copy with a higher state served by the relay is dropped and counted; the valid
		// version is what the read returns.
		link.server._.root.graph[record.soul] = {
			_: { '#': record.soul, '>': { [record.key]: record.state + 1 } },
			[record.key]: record.value.replace('"level":50', '"level":99')
		};
		expect((await records.read(record.soul, record.key))?.value).toBe(record.value);
		net.refreshStats();
		expect(net.stats?.dropped).toBe(1);
		expect(net.stats?.droppedByCode).toEqual({ ERR_BAD_SIGNATURE: 1 });
	});

	it('adds and removes relays: saved at once, and the running pool follows', async () => {
		const { net, store, link } = await setup([`${base}/a`]);
		await net.start();
		await until(allOpenWithLatency(net), 'the first relay open');
		expect(net.addRelay(`${base.replace('http', 'ws')}/b/`)).toBe(`${base}/b`);
		expect(JSON.parse(store.map.get(RELAYS_STORAGE_KEY)!)).toEqual([`${base}/a`, `${base}/b`]);
		await until(() => net.summary.kind === 'decentralized', 'two relays open');
		expect(net.addRelay(`${base}/b`)).toBe(`${base}/b`);
		expect(net.relays).toHaveLength(2);
		expect(() => net.addRelay('relay.example.org')).toThrow(expect.objectContaining({ code: 'ERR_MALFORMED' }));

		net.removeRelay(`${base}/a`);
		expect(net.relays).toEqual([`${base}/b`]);
		expect(JSON.parse(store.map.get(RELAYS_STORAGE_KEY)!)).toEqual([`${base}/b`]);
		expect(net.snapshot.map((r) => r.url)).toEqual([`${base}/b`]);
		expect(net.summary).toEqual({ kind: 'single', open: 1, total: 1, direct: 0 });
		net.removeRelay(`${base}/b`);
		expect(net.summary).toEqual({ kind: 'searching', open: 0, total: 0, direct: 0 });
		await until(() => link.open === 0, 'sockets closed');

		// A fresh state (a reload) reads the saved list, not the defaults.
		const reloaded = new NetState({ settings: relaySettings(store, () => ['http://default.example']) });
		expect(reloaded.relays).toEqual([]);
	});

	it('searches while the relays refuse, and reconnects at once when the browser is back online', async () => {
		const { net, link, events } = await setup([`${base}/a`]);
		link.accepting = false;
		await net.start();
		await until(() => net.snapshot[0]?.state === 'closed', 'the relay refused');
		expect(net.summary.kind).toBe('searching');
		expect(net.snapshot[0]!.nextRetryAt).toBeGreaterThan(Date.now());
		link.accepting = true;
		const dialed = link.dialed.length;
		events.dispatchEvent(new Event('online'));
		await until(() => net.summary.kind === 'single', 'reconnected');
		expect(link.dialed.length).toBe(dialed + 1);
	});

	it('stops: sockets closed, snapshot empty; a stop during start wins; it starts again', async () => {
		const { net, link } = await setup();
		const first = net.start();
		net.stop();
		await expect(first).rejects.toBeInstanceOf(AbortError);
		expect(net.status).toBe('stopped');
		expect(link.dialed).toEqual([]);

		await net.start();
		await until(() => link.open === 2, 'two sockets');
		net.stop();
		expect(net.status).toBe('stopped');
		expect(net.snapshot).toEqual([]);
		expect(net.connection).toBeUndefined();
		await until(() => link.open === 0, 'sockets closed');
		net.reconnectNow();
		net.refreshStats();
		await net.start();
		await until(allOpenWithLatency(net), 'open again');
	});

	it('blobRelays: the list while stopped, the pool order while running, extra ones after, once each', async () => {
		const a = `${base}/a`;
		const b = `${base}/b`;
		const { net } = await setup([a, b]);
		expect(net.blobRelays()).toEqual([a, b]);
		expect(net.blobRelays(['http://link.example', a, 'http://link.example'])).toEqual([a, b, 'http://link.example']);
		const connection = await net.start();
		await until(allOpenWithLatency(net), 'both relays open with a latency');
		expect(net.blobRelays()).toEqual(connection.pool.ordered());
		expect(new Set(net.blobRelays())).toEqual(new Set([a, b]));
		net.removeRelay(a);
		await until(() => !net.blobRelays().includes(a), 'the pool to drop the removed relay');
		expect(net.blobRelays(['http://link.example'])).toEqual([b, 'http://link.example']);
	});

	it('uploadBlocks sends blocks already made: same CID and answers as upload, progress up to the total', async () => {
		const relay = await startTestRelay();
		try {
			const net = new NetState({ settings: relaySettings(memoryStore(), () => [relay.url]) });
			states.push(net);
			const bytes = Uint8Array.from({ length: 600_000 }, (_, i) => (i * 7) & 0xff);
			const imported = await importFile(bytes);
			const seen: { phase: string; bytes: number; total?: number }[] = [];
			const result = await net.uploadBlocks(imported.root, imported.blocks, { onProgress: (p) => seen.push(p) });
			expect(result).toEqual({ cid: imported.root.toString(), accepted: [relay.url], refused: [] });
			expect(seen.every((p) => p.phase === 'upload')).toBe(true);
			expect(seen.at(-1)!.bytes).toBe(seen.at(-1)!.total);
			expect(await net.upload(bytes)).toEqual(result);
		} finally {
			await relay.close();
		}
	});

	it('moves no blob without a relay to ask', async () => {
		const { net } = await setup([]);
		expect(net.blobRelays()).toEqual([]);
		await expect(
			net.uploadBlocks(CID.parse('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'), [])
		).rejects.toBeInstanceOf(NoRelayError);
		await expect(net.upload(new Uint8Array(1))).rejects.toBeInstanceOf(NoRelayError);
		await expect(net.download('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')).rejects.toBeInstanceOf(
			NoRelayError
		);
	});

	it('counts each message once at its furthest state for the delivery rate', async () => {
		const { net } = await setup([]);
		let emit: (e: { contact: string; id: string; status: string }) => void = () => {};
		const source: DeliverySource = {
			onStatus(listener) {
				emit = listener;
				return () => (emit = () => {});
			}
		};
		const stop = net.trackDeliveries(source);
		expect(deliveryRate(net.deliveries)).toBeUndefined();
		for (const [id, status] of [
			['1', 'pending'],
			['1', 'sent'],
			['1', 'stored'],
			['1', 'delivered'],
			['1', 'stored'], // late event: never goes back
			['2', 'pending'],
			['2', 'failed'],
			['3', 'pending'],
			['4', 'failed'],
			['4', 'pending'], // retried
			['4', 'read']
		] as const)
			emit({ contact: 'did:key:z6Mk', id, status });
		expect(net.deliveries).toEqual({ waiting: 1, reached: 2, delivered: 2, failed: 1 });
		expect(deliveryRate(net.deliveries)).toBeCloseTo(2 / 3);
		stop();
		emit({ contact: 'did:key:z6Mk', id: '5', status: 'failed' });
		expect(net.deliveries.failed).toBe(1);
	});
});

describe('summarize', () => {
	const relay = (state: RelayStatus['state']): RelayStatus => ({
		url: `https://${state}.example`,
		state,
		latencyMs: undefined,
		lastError: undefined,
		attempts: 0,
		nextRetryAt: undefined
	});

	it('is honest about connection states', () => {
		expect(summarize([relay('open'), relay('open')], false).kind).toBe('stopped');
		expect(summarize([], true)).toEqual({ kind: 'searching', open: 0, total: 0, direct: 0 });
		expect(summarize([relay('connecting'), relay('closed')], true).kind).toBe('searching');
		expect(summarize([relay('open'), relay('closed')], true)).toEqual({ kind: 'single', open: 1, total: 2, direct: 0 });
		expect(summarize([relay('open'), relay('open'), relay('connecting')], true)).toEqual({
			kind: 'decentralized',
			open: 2,
			total: 3,
			direct: 0
		});
	});

	it('counts a contact connected directly as a second way to reach people', () => {
		expect(summarize([relay('open')], true, 1)).toEqual({ kind: 'decentralized', open: 1, total: 1, direct: 1 });
		expect(summarize([relay('closed')], true, 2).kind).toBe('decentralized');
		expect(summarize([relay('open')], true, 0).kind).toBe('single');
		expect(summarize([relay('open')], false, 3)).toEqual({ kind: 'stopped', open: 1, total: 1, direct: 0 });
	});
});

describe('NetState direct peers', () => {
	/** An in-memory direct node: the NetState wiring is under test here, libp2p in net/p2p*.test.ts. */
	function memoryDirect() {
		const made: { opts: DirectNodeOptions; node: DirectNode; stopped: { withdraw?: boolean } | undefined }[] = [];
		const create = async (opts: DirectNodeOptions): Promise<DirectNode> => {
			const listeners = new Set<(s: DirectSnapshot) => void>();
			let handler: ((e: Uint8Array) => Promise<void>) | undefined;
			let snap: DirectSnapshot = {
				status: 'running',
				peerId: 'me',
				addrs: [],
				peers: [],
				sent: 0,
				received: 0,
				refused: 0,
				error: undefined
			};
			const entry = {
				opts,
				stopped: undefined as { withdraw?: boolean } | undefined,
				node: undefined as unknown as DirectNode
			};
			entry.node = {
				async send(to) {
					if (!snap.peers.some((p) => p.contact === to)) return false;
					snap = { ...snap, sent: snap.sent + 1 };
					for (const l of listeners) l(snap);
					return true;
				},
				onEnvelope(h) {
					handler = h;
					return () => (handler = undefined);
				},
				refresh() {
					const peers = opts.contacts().map((contact) => ({
						contact,
						peer: `peer-${contact.slice(-4)}`,
						address: '/webrtc',
						latencyMs: 3,
						bytesIn: 0,
						bytesOut: 0,
						envelopesIn: 0,
						envelopesOut: 0
					}));
					snap = { ...snap, peers };
					for (const l of listeners) l(snap);
					void handler?.(new Uint8Array([1]));
				},
				setLimits(limits) {
					entry.opts = { ...entry.opts, limits };
				},
				snapshot: () => snap,
				onChange(l) {
					listeners.add(l);
					return () => listeners.delete(l);
				},
				async stop(o) {
					entry.stopped = o ?? {};
				}
			};
			made.push(entry);
			return entry.node;
		};
		return { made, create };
	}

	it('runs only when switched on, shows direct peers in the summary, and saves the settings', async () => {
		const link = await gunLink();
		const store = memoryStore();
		const direct = memoryDirect();
		const net = new NetState({
			settings: relaySettings(store, () => [`${base}/a`]),
			pool: { WebSocket: link.WebSocket },
			p2p: p2pSettings(store),
			createDirectNode: direct.create
		});
		states.push(net);
		await net.start();
		await until(() => net.summary.kind === 'single', 'one relay open');
		const alice = createIdentity();
		const contact = createIdentity().id;
		let contacts: string[] = [];
		const changes = new Set<() => void>();
		const received: Uint8Array[] = [];
		net.directPath.onEnvelope(async (e) => void received.push(e));
		const detach = net.attachDirect({
			identity: alice,
			contacts: () => contacts as never,
			onContactsChange: (l) => (changes.add(l), () => changes.delete(l))
		});
		await new Promise((r) => setTimeout(r, 50));
		expect(direct.made).toHaveLength(0); // off by default
		expect(await net.directPath.send(contact, new Uint8Array(1))).toBe(false);

		net.setP2p({ enabled: true, maxPeers: 4, uploadKiBps: 64, downloadKiBps: 0 });
		expect(JSON.parse(store.map.get(P2P_STORAGE_KEY)!)).toEqual({
			enabled: true,
			maxPeers: 4,
			uploadKiBps: 64,
			downloadKiBps: 0
		});
		await until(() => net.direct !== undefined, 'the direct node');
		expect(direct.made[0]!.opts.limits).toEqual({
			maxPeers: 4,
			uploadBytesPerSecond: 65536,
			downloadBytesPerSecond: 0
		});
		expect(direct.made[0]!.opts.identity.id).toBe(alice.id);

		contacts = [contact];
		for (const l of changes) l();
		await until(() => net.summary.kind === 'decentralized', 'one direct peer');
		expect(net.summary.direct).toBe(1);
		expect(received).toHaveLength(1);
		expect(await net.directPath.send(contact, new Uint8Array(1))).toBe(true);
		expect(net.direct?.sent).toBe(1);

		net.setP2p({ enabled: true, maxPeers: 2, uploadKiBps: 0, downloadKiBps: 0 });
		expect(direct.made[0]!.opts.limits.maxPeers).toBe(2);

		net.setP2p({ enabled: false, maxPeers: 2, uploadKiBps: 0, downloadKiBps: 0 });
		await until(() => direct.made[0]!.stopped !== undefined, 'the node stopped');
		expect(direct.made[0]!.stopped).toEqual({ withdraw: true });
		expect(net.direct).toBeUndefined();
		expect(net.summary.kind).toBe('single');
		detach();
	});

	it('refuses settings out of range and keeps the stored ones', async () => {
		const store = memoryStore();
		const net = new NetState({ settings: relaySettings(store, () => []), p2p: p2pSettings(store) });
		states.push(net);
		expect(() => net.setP2p({ enabled: true, maxPeers: 0, uploadKiBps: 0, downloadKiBps: 0 })).toThrow(RangeError);
		expect(() => net.setP2p({ enabled: true, maxPeers: 8, uploadKiBps: -1, downloadKiBps: 0 })).toThrow(RangeError);
		expect(store.map.has(P2P_STORAGE_KEY)).toBe(false);
		expect(net.p2p.enabled).toBe(false);
	});
});

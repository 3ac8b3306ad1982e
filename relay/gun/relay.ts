/**
 * The Gun relay: Gun's graph engine (gun.js only, see load-gun.ts) behind a gate that every
 * message from the network passes before Gun sees it, a durable store, subscription routing and
 * peer relays.
 *
 * Message path (issue 3, item 2: validation before anything is stored or forwarded):
 *   WebSocket frame (ws caps its size) → rate limit per IP → JSON parse (messages.ts) → shape
 *   check and rebuild (only known fields survive) → per-connection queue (keeps each client's
 *   order while records verify) → by kind:
 *     put  → write rate limit → verifyPut (validate.ts: every field's record + replay rule) →
 *            refused: error ack to this peer only, counted; accepted: Gun (`mesh.hear.one`) →
 *            HAM → storage (ack after commit) and routing to subscribers and peer relays;
 *     get  → outside the namespace: "not found" from the gate; inside: subscribe, then Gun;
 *     ack  → only from peer relays we dialled (clients have nothing to acknowledge to us);
 *     dam  → only `?` (peer id exchange); `opt`, `mob` (remote dial) and the rest are dropped.
 *
 * No input can throw out of the gate: every step either refuses with a reason or hands a
 * rebuilt message to Gun; a listener error is caught and logged, never fatal.
 */
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import { MAX_CLOCK_SKEW_MS, SOUL_PREFIX } from '../../src/lib/core/records.ts';
import { MiaouError, RateLimitedError } from '../../src/lib/core/errors.ts';
import type { Logger } from '../log.ts';
import type { RelayMetrics } from '../metrics.ts';
import { rateLimiter, type RateLimiter } from '../limits.ts';
import { attachGraphStore } from './gun-store.ts';
import { loadGunCore, RefuseToDial, type GunChainLink, type GunMesh, type GunPeer, type GunRoot } from './load-gun.ts';
import { parseFrame, sanitizeMessage, type Inbound, type PutMessage, type RefusalReason } from './messages.ts';
import { dialPeers, type PeerDialer } from './peers.ts';
import { createRouter, type Router } from './router.ts';
import type { GraphStore } from './sqlite-store.ts';
import { verifyPut, type CheckField } from './validate.ts';

/** Messages waiting in one connection's queue before further ones are dropped. */
export const MAX_QUEUED_PER_CONNECTION = 1000;
/** Bytes waiting in one connection's send buffer before the slow reader is disconnected. */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** Longest run of message handling for one connection before it yields to the event loop. */
export const DRAIN_SLICE_MS = 5;
/** Interval of WebSocket pings; a connection that missed one pong is closed. */
export const HEARTBEAT_MS = 30_000;
/** Puts whose ack is awaited, for the latency histogram; older entries are dropped. */
const MAX_PENDING_ACKS = 100_000;
const PENDING_ACK_TTL_MS = 60_000;

/** Options of {@link createGunRelay}. */
export interface GunRelayOptions {
	store: GraphStore;
	checkField: CheckField;
	metrics: RelayMetrics;
	log: Logger;
	maxMessageBytes: number;
	/** Writes a second per IP (0 = unlimited) and their burst. */
	rateLimit: number;
	rateBurst: number;
	/** Messages a second per IP (0 = unlimited). */
	messageRateLimit: number;
	/** Peer relays to dial. */
	peers: string[];
}

/** Health of the Gun half, for /health. */
export interface GunRelayHealth {
	connections: number;
	peers: { url: string; connected: boolean }[];
	subscriptions: number;
	soulsInFlight: number;
}

/** A running Gun relay. */
export interface GunRelay {
	/**
	 * Serve one accepted WebSocket (from the HTTP server's upgrade on /gun).
	 * @param ws - the open socket
	 * @param address - the client's IP address, for rate limits
	 */
	accept(ws: WebSocket, address: string): void;
	health(): GunRelayHealth;
	/** Close every connection, stop dialling peers, commit what is pending. The store stays open. */
	close(): Promise<void>;
}

/** The relay's per-connection state on Gun's peer object. */
interface RelayPeer extends GunPeer {
	wire: WebSocket;
	say: (raw: string) => void;
	address: string;
	/** A peer relay we dialled: exempt from write limits, its acks are forwarded. */
	outgoing: boolean;
	queue: Inbound[];
	busy: boolean;
	alive: boolean;
	closed: boolean;
}

const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** A Gun-style random message id (9 characters), from the CSPRNG rather than Math.random. */
function newId(): string {
	const bytes = randomBytes(9);
	let s = '';
	for (const b of bytes) s += ID_ALPHABET[b % ID_ALPHABET.length];
	return s;
}

/**
 * Build the Gun relay.
 * @param opts - store, verifier, metrics, logger, limits, peer relays
 * @returns a {@link GunRelay}
 * @example const relay = createGunRelay({ store, checkField: recordCheck(), metrics, log, ...limits, peers: [] })
 */
export function createGunRelay(opts: GunRelayOptions): GunRelay {
	const { store, checkField, metrics, log } = opts;
	const Gun = loadGunCore();
	// Gun's HAM defers a field whose state is ahead of its clock by that much (a timer per field).
	// The verifier already refused anything beyond the allowed skew, so tell Gun its clock is that
	// far ahead: accepted writes are stored and acknowledged at once.
	Gun.state.drift = Math.max(Gun.state.drift, MAX_CLOCK_SKEW_MS + 1000);

	const gun = Gun({
		super: true,
		localStorage: false,
		radisk: false,
		file: false,
		axe: false,
		multicast: false,
		WebSocket: RefuseToDial,
		peers: [],
		log: (...args: unknown[]) => log.debug('gun', { args: args.map(String) })
	});
	const root: GunRoot = gun._;
	const mesh: GunMesh = root.opt.mesh;
	const router: Router = createRouter();
	const hearOne = mesh.hear.one;
	const writes: RateLimiter = rateLimiter(opts.rateLimit, Math.max(1, opts.rateBurst));
	const messages: RateLimiter = rateLimiter(opts.messageRateLimit, Math.max(1, opts.messageRateLimit * 4));
	const trustedAddresses = new Set<string>();
	const connections = new Set<RelayPeer>();
	const pendingAcks = new Map<string, number>();

	const soulsInFlight = attachGraphStore(root, store, {
		newId,
		onError: (err) => {
			metrics.storageErrors.inc();
			log.error('record store commit failed', { err });
		}
	});

	// Everything that enters Gun from the network goes through the gate; keep Gun's `?` handler
	// (peer id exchange) and nothing else of DAM's (`mob` would dial a URL a peer names).
	const question = mesh.hear['?'];
	const gate = Object.assign((raw: unknown, peer: GunPeer) => onFrame(peer as RelayPeer, raw), {
		one: hearOne,
		'?': question
	});
	mesh.hear = gate as unknown as GunMesh['hear'];

	// Routing of what Gun broadcasts (gun.js mesh.say calls `way` for messages without a target).
	mesh.way = (msg) => {
		if (msg.put && typeof msg.put === 'object') {
			mesh.say(msg, router.targetsForPut(Object.keys(msg.put)));
			return;
		}
		const get = msg.get as { '#'?: unknown } | undefined;
		if (get && typeof get['#'] === 'string') mesh.say(msg, router.relays());
	};

	// Ack latency: from a put's arrival at the gate to its ack leaving (after the commit).
	root.on('out', function (this: GunChainLink, msg) {
		this.to.next(msg);
		const at = msg['@'];
		if (typeof at !== 'string' || msg.put) return;
		const t0 = pendingAcks.get(at);
		if (t0 === undefined) return;
		pendingAcks.delete(at);
		metrics.ackLatency.observe({ outcome: msg.err ? 'error' : 'ok' }, (performance.now() - t0) / 1000);
	});

	function send(peer: RelayPeer, msg: Record<string, unknown>): void {
		peer.say(JSON.stringify(msg));
	}

	function drop(reason: RefusalReason, peer: RelayPeer, detail?: Record<string, unknown>): void {
		metrics.messagesDropped.inc({ reason });
		log.debug('message dropped', { reason, address: peer.address, ...detail });
	}

	function refuseWrite(peer: RelayPeer, id: string, reason: RefusalReason, error: MiaouError, t0: number): void {
		metrics.writesRefused.inc({ reason });
		metrics.ackLatency.observe({ outcome: 'refused' }, (performance.now() - t0) / 1000);
		log.debug('write refused', { reason, code: error.code, address: peer.address });
		send(peer, { '#': newId(), '@': id, err: `${error.code}: ${error.message}` });
	}

	/** What the relay holds for a field: a pending write in Gun's graph, else the database. */
	function held(soul: string, key: string): { state: number; json: string } | undefined {
		const node = Object.hasOwn(root.graph, soul) ? root.graph[soul] : undefined;
		const state = node?._?.['>']?.[key];
		if (node && typeof state === 'number') return { state, json: JSON.stringify(node[key] ?? null) };
		return store.stateOf(soul, key);
	}

	function onFrame(peer: RelayPeer, raw: unknown): void {
		if (peer.closed) return;
		if (!peer.outgoing && !messages.take(peer.address)) {
			drop('rate_limited', peer);
			return;
		}
		let items: unknown[];
		try {
			items = parseFrame(raw as string | Uint8Array, opts.maxMessageBytes);
		} catch (err) {
			const reason: RefusalReason = err instanceof MiaouError && err.code === 'ERR_TOO_LARGE' ? 'too_large' : 'json';
			drop(reason, peer);
			send(peer, { dam: '!', err: err instanceof Error ? err.message : 'bad frame' });
			return;
		}
		if (items.length > 1 && !peer.outgoing && !messages.take(peer.address, items.length - 1)) {
			drop('rate_limited', peer, { messages: items.length });
			return;
		}
		for (const item of items) {
			const s = sanitizeMessage(item, newId);
			if (!s.ok) {
				drop(s.reason, peer);
				if (s.id !== undefined) send(peer, { '#': newId(), '@': s.id, err: `ERR_MALFORMED: ${s.error.message}` });
				continue;
			}
			metrics.messages.inc({ kind: s.inbound.kind });
			if (peer.queue.length >= MAX_QUEUED_PER_CONNECTION) {
				drop('rate_limited', peer, { queued: peer.queue.length });
				continue;
			}
			peer.queue.push(s.inbound);
		}
		if (!peer.busy) void drain(peer);
	}

	async function drain(peer: RelayPeer): Promise<void> {
		peer.busy = true;
		let slice = performance.now();
		try {
			while (peer.queue.length > 0 && !peer.closed) {
				// Verification continues in microtasks, which would starve the event loop through a
				// whole burst: yield now and then so that group commits (setImmediate) and other
				// connections run in between, keeping ack latency bounded under load.
				if (performance.now() - slice > DRAIN_SLICE_MS) {
					await new Promise((resolve) => setImmediate(resolve));
					slice = performance.now();
				}
				const inbound = peer.queue.shift()!;
				try {
					if (inbound.kind === 'put') await handlePut(peer, inbound.message);
					else handleOther(peer, inbound);
				} catch (err) {
					log.error('message handling failed', { err, kind: inbound.kind });
				}
			}
		} finally {
			peer.busy = false;
		}
	}

	async function handlePut(peer: RelayPeer, msg: PutMessage): Promise<void> {
		const t0 = performance.now();
		const id = msg['#'];
		// Already seen (e.g. the same write through two peer relays): Gun would drop it; so do we,
		// before spending a signature check on it.
		if (root.dup.s[id]) return;
		if (!peer.outgoing && !trustedAddresses.has(peer.address) && !writes.take(peer.address)) {
			refuseWrite(peer, id, 'rate_limited', new RateLimitedError('writes', writes.rate), t0);
			return;
		}
		const verdict = await verifyPut(msg, checkField, held);
		if (peer.closed) return;
		if (!verdict.ok) {
			refuseWrite(peer, id, verdict.reason, verdict.error, t0);
			return;
		}
		metrics.writesAccepted.inc();
		if (verdict.fresh === 0) {
			// Every field is already held: acknowledge once whatever is pending has committed.
			store.put([], (err) => {
				if (peer.closed) return;
				metrics.ackLatency.observe({ outcome: err ? 'error' : 'ok' }, (performance.now() - t0) / 1000);
				send(
					peer,
					err ? { '#': newId(), '@': id, err: `ERR_STORAGE: ${err.message}` } : { '#': newId(), '@': id, ok: { '': 1 } }
				);
			});
			return;
		}
		if (pendingAcks.size >= MAX_PENDING_ACKS) sweepPendingAcks(true);
		pendingAcks.set(id, t0);
		hearOne(msg as unknown as Record<string, unknown>, peer);
	}

	function handleOther(peer: RelayPeer, inbound: Exclude<Inbound, { kind: 'put' }>): void {
		switch (inbound.kind) {
			case 'get': {
				const msg = inbound.message;
				const soul = msg.get['#'];
				if (typeof soul === 'string') {
					if (!soul.startsWith(SOUL_PREFIX)) {
						// Nothing outside the namespace is ever stored: answer "not found" ourselves.
						send(peer, { '#': newId(), '@': msg['#'] });
						return;
					}
					router.subscribe(peer, soul);
					hearOne(msg as unknown as Record<string, unknown>, peer);
					return;
				}
				// A LEX read of souls is only a peer relay following the namespace; no listing.
				const prefix = soul['*'];
				if (typeof prefix === 'string' && prefix.startsWith(SOUL_PREFIX)) {
					if (router.subscribePrefix(peer, prefix))
						log.info('peer follows the namespace', { address: peer.address, prefix });
					else drop('shape', peer, { detail: 'too many prefix subscribers' });
				}
				send(peer, { '#': newId(), '@': msg['#'] });
				return;
			}
			case 'ack':
				if (peer.outgoing) hearOne(inbound.message as unknown as Record<string, unknown>, peer);
				return;
			case 'dam': {
				const dam = inbound.message.dam;
				if (dam === '?') hearOne(inbound.message as unknown as Record<string, unknown>, peer);
				// `hi` is a client's hello and `!` a peer's error report: harmless, nothing to do.
				else if (dam !== 'hi' && dam !== '!') drop('dam', peer, { dam: dam.slice(0, 16) });
				return;
			}
		}
	}

	function sweepPendingAcks(force = false): void {
		const limit = performance.now() - (force ? PENDING_ACK_TTL_MS / 6 : PENDING_ACK_TTL_MS);
		for (const [id, t0] of pendingAcks) if (t0 < limit) pendingAcks.delete(id);
	}

	function attach(ws: WebSocket, address: string, outgoing: boolean, url?: string): RelayPeer {
		const peer: RelayPeer = {
			wire: ws,
			address,
			outgoing,
			queue: [],
			busy: false,
			alive: true,
			closed: false,
			say(raw: string) {
				if (ws.readyState !== ws.OPEN) return;
				if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
					log.warn('closing a connection that does not read', { address, buffered: ws.bufferedAmount });
					ws.terminate();
					return;
				}
				ws.send(raw);
			}
		};
		if (url) {
			peer.id = url;
			peer.url = url;
		}
		connections.add(peer);
		metrics.connections.set(connections.size);
		ws.on('message', (data: Buffer, isBinary: boolean) => {
			// Gun speaks JSON text; a binary frame is refused rather than decoded.
			if (isBinary) {
				drop('json', peer, { detail: 'binary frame' });
				return;
			}
			onFrame(peer, data);
		});
		ws.on('pong', () => {
			peer.alive = true;
		});
		ws.on('error', (err) => log.debug('websocket error', { address, err }));
		ws.on('close', () => {
			peer.closed = true;
			peer.queue.length = 0;
			connections.delete(peer);
			metrics.connections.set(connections.size);
			router.remove(peer);
			mesh.bye(peer);
		});
		if (outgoing) router.addRelay(peer);
		mesh.hi(peer);
		return peer;
	}

	const heartbeat = setInterval(() => {
		for (const peer of connections) {
			if (!peer.alive) {
				peer.wire.terminate();
				continue;
			}
			peer.alive = false;
			try {
				peer.wire.ping();
			} catch {
				// The socket is closing; its close handler cleans up.
			}
		}
		writes.sweep();
		messages.sweep();
		sweepPendingAcks();
	}, HEARTBEAT_MS);
	heartbeat.unref();

	const outgoingByUrl = new Map<string, RelayPeer>();
	const dialer: PeerDialer = dialPeers(
		opts.peers,
		{
			open(ws, url, address) {
				if (address) trustedAddresses.add(address);
				const peer = attach(ws, address ?? 'peer', true, url);
				outgoingByUrl.set(url, peer);
				metrics.peers.set([...outgoingByUrl.values()].filter((p) => !p.closed).length);
				// Follow the whole namespace on the peer relay, so its writes reach us too.
				send(peer, { '#': newId(), get: { '#': { '*': SOUL_PREFIX } } });
			},
			close(_ws, url) {
				outgoingByUrl.delete(url);
				metrics.peers.set(outgoingByUrl.size);
			}
		},
		{ maxPayload: opts.maxMessageBytes, log }
	);

	return {
		accept(ws, address) {
			attach(ws, address, false);
		},
		health() {
			return {
				connections: connections.size,
				peers: dialer.status(),
				subscriptions: router.subscriptions,
				soulsInFlight: soulsInFlight()
			};
		},
		async close() {
			clearInterval(heartbeat);
			dialer.close();
			const closing: Promise<void>[] = [];
			for (const peer of connections) {
				closing.push(
					new Promise<void>((resolve) => {
						if (peer.wire.readyState === peer.wire.CLOSED) return resolve();
						const timer = setTimeout(() => {
							peer.wire.terminate();
							resolve();
						}, 2000);
						peer.wire.once('close', () => {
							clearTimeout(timer);
							resolve();
						});
						peer.wire.close(1001, 'relay shutting down');
					})
				);
			}
			await Promise.all(closing);
			await store.flush();
		}
	};
}

/**
 * Direct peers (docs/net.md §Direct peers): a libp2p node in the browser that talks to contacts'
 * browsers over WebRTC when both are online, beside the relay path, never instead of it.
 *
 * - Transports: WebSockets to the user's relays, circuit relay v2 through them (a reservation
 *   makes this browser reachable at `<relay>/p2p-circuit/webrtc/p2p/<me>`), and WebRTC, whose
 *   offer, answer and ICE candidates go over that relayed connection; the data then flows
 *   browser to browser. Noise, yamux, identify and ping as everywhere in libp2p.
 * - Discovery: my peer id and circuit addresses go into my signed `dir` entry; a contact's come
 *   from theirs, verified by the record store, parsed by p2p-directory.ts. Nothing else is dialled:
 *   the connection gater refuses any address whose relay part is not one of those.
 * - Binding: a direct connection counts as a contact only when its remote peer id is the one that
 *   contact's signed entry names (noise proved the remote holds that peer id's key). Envelopes
 *   from anyone else are not read; a direct connection from an unknown peer is closed.
 * - Envelopes: `/miaou/envelope/1.0.0` (p2p-envelope.ts) runs on direct connections only (not
 *   on relayed ones, whose byte and time limits are for signalling), within the byte-per-second
 *   caps of Settings and the peer cap.
 *
 * This module pulls in libp2p and is loaded by dynamic import, only when direct connections are
 * switched on (net.svelte.ts).
 */
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { identify } from '@libp2p/identify';
import type { Connection, Libp2p, PeerId } from '@libp2p/interface';
import { noise } from '@libp2p/noise';
import { ping, type Ping } from '@libp2p/ping';
import { webRTC } from '@libp2p/webrtc';
import { webSockets } from '@libp2p/websockets';
import { yamux } from '@libp2p/yamux';
import type { Multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import type { Ed25519 } from '../core/ed25519.ts';
import type { Identity, MiaouId } from '../core/identity.ts';
import { systemClock, type Clock } from '../core/random.ts';
import { DIRECTORY_KEY, MAX_P2P_ADDRS, soulFor } from '../core/records.ts';
import { readJson, type Fetch } from './http.ts';
import {
	isSecurePage,
	isSecureWebSocket,
	mustRepublish,
	publishDirectEntry,
	readDirectEntry,
	relayWebSocketAddrs,
	webSocketDialable,
	type DirectEntry
} from './p2p-directory.ts';
import {
	ByteBudget,
	DIRECT_SEND_TIMEOUT_MS,
	ENVELOPE_PROTOCOL,
	LENGTH_PREFIX_BYTES,
	MAX_ENVELOPE_STREAMS,
	pushEnvelope,
	receiveEnvelope
} from './p2p-envelope.ts';
import { checkLimits, MAX_PEERS, type DirectLimits } from './p2p-limits.ts';
import type { RecordStore } from './record-store.ts';

export { checkLimits, type DirectLimits };

/** Contacts dialled again (those not connected) this often. */
export const DIAL_INTERVAL_MS = 20_000;
/** A dial (relay, then WebRTC) slower than this is abandoned until the next round. */
export const DIAL_TIMEOUT_MS = 15_000;
/** Direct peers are pinged this often for the latency shown on the Network screen. */
export const PEER_PING_INTERVAL_MS = 5_000;
/** My `dir` entry is published at most this often (address changes come in bursts). */
export const REPUBLISH_DELAY_MS = 1_000;
/**
 * An unknown peer that connects directly makes the node re-read its contacts' entries (it may be
 * a contact whose browser restarted with a new peer id), at most this often: a stranger cannot
 * make it read the directory in a loop.
 */
export const REBIND_INTERVAL_MS = 10_000;
/** Largest `/health` answer read for a relay's libp2p addresses. */
export const MAX_RELAY_HEALTH_BYTES = 64 * 1024;
/** Relays whose addresses are looked up (the relay pool's cap). */
export const MAX_DIRECT_RELAYS = 16;
/**
 * How a connection to a contact runs: `webrtc` browser to browser, or `relayed` through a relay's
 * circuit (limited in time and bytes: signalling only, no envelopes), while WebRTC is being set up
 * or when no network path between the two browsers was found.
 */
export type PeerPath = 'webrtc' | 'relayed';

/**
 * The path of a libp2p connection, for the Network screen.
 * @param conn - its remote address and limits (a relayed connection has limits)
 * @returns `relayed` for a limited or circuit connection, `webrtc` for an unlimited WebRTC one,
 *   undefined for anything else (a relay itself)
 */
export function connectionPath(conn: { remoteAddr: Multiaddr; limits?: unknown }): PeerPath | undefined {
	const names = conn.remoteAddr.getComponents().map((c) => c.name);
	if (conn.limits !== undefined || (names.includes('p2p-circuit') && !names.includes('webrtc'))) return 'relayed';
	return names.includes('webrtc') ? 'webrtc' : undefined;
}

/** A contact reached through a relay only (path `relayed`): signalling, no envelopes. */
export interface RelayedPeer {
	contact: MiaouId;
	/** Their libp2p peer id, as their signed `dir` entry names it. */
	peer: string;
	/** The circuit address of the connection (`<relay>/p2p-circuit/p2p/<peer>`). */
	address: string;
}

/** A contact connected directly (path `webrtc`). */
export interface DirectPeer {
	contact: MiaouId;
	/** Their libp2p peer id, as their signed `dir` entry names it. */
	peer: string;
	/** The remote address of the direct connection (`…/webrtc/…`). */
	address: string;
	/** Round trip of the last ping, ms; undefined before the first answer. */
	latencyMs: number | undefined;
	/** Envelope bytes sent to and received from them directly. */
	bytesOut: number;
	bytesIn: number;
	envelopesOut: number;
	envelopesIn: number;
}

/** Where the node stands, for the Network screen. */
export interface DirectSnapshot {
	status: 'starting' | 'running' | 'stopped' | 'failed';
	/** My libp2p peer id. */
	peerId: string | undefined;
	/** My circuit addresses (as published), empty until a relay gave me a slot. */
	addrs: readonly string[];
	/** Contacts connected directly (path `webrtc`): these carry envelopes. */
	peers: readonly DirectPeer[];
	/**
	 * Contacts reached through a relay only (path `relayed`): WebRTC is being set up, or found no
	 * path between the two browsers. The node always fills it; optional for snapshots made
	 * elsewhere (absent: none).
	 */
	relayed?: readonly RelayedPeer[];
	/** Envelopes a contact took directly / I took directly / refused (over a cap or size). */
	sent: number;
	received: number;
	refused: number;
	/** The last failure (a relay without libp2p, a publish refused), as a sentence. */
	error: string | undefined;
}

/** Options of {@link createDirectNode}. */
export interface DirectNodeOptions {
	identity: Pick<Identity, 'id' | 'signing'>;
	/** Verified records: contacts' `dir` entries come from here, mine goes there. */
	records: RecordStore;
	/** My relays' base URLs (their `/health` lists their libp2p addresses). */
	relays: () => readonly string[];
	/** Contacts to connect to (blocked ones left out), in order of preference. */
	contacts: () => readonly MiaouId[];
	limits: DirectLimits;
	/** ICE servers and the like; default none: no STUN or TURN server learns of a connection. */
	rtcConfiguration?: RTCConfiguration;
	fetch?: Fetch;
	now?: Clock;
	ed25519?: Ed25519;
}

/** The running node. */
export interface DirectNode {
	/**
	 * Push an envelope to a contact over a direct connection, if there is one.
	 * @param to - the contact
	 * @param envelope - the encrypted envelope (the same bytes the relay path stores)
	 * @param signal - aborts the push
	 * @returns true when the contact's browser took it; false when there is no direct connection,
	 *   the upload cap is reached, or it failed (the relay path carries it in every case)
	 */
	send(to: MiaouId, envelope: Uint8Array, signal?: AbortSignal): Promise<boolean>;
	/**
	 * Set where received envelopes go (the messenger's mailbox handler).
	 * @returns a function that unsets it
	 */
	onEnvelope(handler: (envelope: Uint8Array) => Promise<void>): () => void;
	/** The contact list changed: dial the new ones now. */
	refresh(): void;
	/** Apply new limits (Settings). */
	setLimits(limits: DirectLimits): void;
	snapshot(): DirectSnapshot;
	/** @returns a function that stops listening */
	onChange(listener: (snapshot: DirectSnapshot) => void): () => void;
	/**
	 * Close every connection and stop libp2p.
	 * @param opts - `withdraw`: also remove my direct part from my `dir` entry (direct connections
	 *   switched off), so contacts stop trying; best effort, bounded by {@link DIAL_TIMEOUT_MS}
	 */
	stop(opts?: { withdraw?: boolean }): Promise<void>;
}

/**
 * The libp2p addresses a relay's `/health` lists that this page can dial: WebSockets ending in
 * `/p2p/<relay-id>`. An https page may only open secure WebSockets (mixed content), so it keeps
 * `wss` and `tls/ws` addresses (a relay behind a TLS proxy announces one, docs/relay.md) and plain
 * `ws` only to loopback; an http page keeps both, plain first (no TLS hop on a LAN).
 * @param health - the parsed `/health` body (outside data)
 * @param secure - whether the page is https (default: as `location` says, see {@link isSecurePage})
 * @returns up to {@link MAX_P2P_ADDRS} multiaddrs
 */
export function relayP2pAddrs(health: unknown, secure = isSecurePage()): Multiaddr[] {
	const addrs = (health as { ipfs?: { libp2p?: { addrs?: unknown } } } | null)?.ipfs?.libp2p?.addrs;
	const out = relayWebSocketAddrs(addrs, secure);
	// Plain first on an http page (a sort is stable: the relay's order stays within each kind).
	if (!secure) out.sort((a, b) => Number(isSecureWebSocket(a)) - Number(isSecureWebSocket(b)));
	return out.slice(0, MAX_P2P_ADDRS);
}

/** The transport part of an address, up to the first `/p2p/…` (the relay's own address). */
export function relayPart(ma: Multiaddr): string {
	const text = ma.toString();
	const at = text.indexOf('/p2p/');
	return at < 0 ? text : text.slice(0, at);
}

interface Binding {
	entry: DirectEntry;
	stats: Omit<DirectPeer, 'contact' | 'peer' | 'address'>;
}

type Services = { identify: ReturnType<ReturnType<typeof identify>>; ping: Ping };

/**
 * Start a direct node: libp2p, slots on my relays, my `dir` entry, dials to my contacts.
 * @param opts - identity, records, relays, contacts, limits, RTC configuration
 * @returns the running node (it keeps trying relays and contacts in the background)
 * @throws {RangeError} on limits out of range
 * @throws {Error} when libp2p cannot start (no WebRTC in this browser)
 */
export async function createDirectNode(opts: DirectNodeOptions): Promise<DirectNode> {
	let limits = checkLimits(opts.limits);
	const now = opts.now ?? systemClock;
	const fetchFn: Fetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
	const closing = new AbortController();
	const listeners = new Set<(s: DirectSnapshot) => void>();
	/** Peer id → the contact whose signed entry names it. */
	const bindings = new Map<string, Binding>();
	/** Relay transport parts (`/ip4/…/tcp/…/ws`) this node may dial: mine and contacts'. */
	const allowedRelays = new Set<string>();
	const relayPeers = new Set<string>();
	let upload = new ByteBudget(limits.uploadBytesPerSecond, now);
	let download = new ByteBudget(limits.downloadBytesPerSecond, now);
	let handler: ((envelope: Uint8Array) => Promise<void>) | undefined;
	let status: DirectSnapshot['status'] = 'starting';
	let published: { peer: string; addrs: string[] } | undefined;
	/** The entry of the publish under way, if any. */
	let publishing: { peer: string; addrs: string[] } | undefined;
	let lastState = 0;
	let counts = { sent: 0, received: 0, refused: 0 };
	let error: string | undefined;
	let current: DirectSnapshot | undefined;
	const timers = new Set<ReturnType<typeof setTimeout>>();

	const libp2p: Libp2p<Services> = await createLibp2p({
		addresses: { listen: ['/p2p-circuit', '/webrtc'] },
		transports: [
			webSockets(),
			webRTC({ rtcConfiguration: opts.rtcConfiguration ?? { iceServers: [] } }),
			circuitRelayTransport({ reservationCompletionTimeout: DIAL_TIMEOUT_MS })
		],
		connectionEncrypters: [noise()],
		streamMuxers: [yamux()],
		services: { identify: identify(), ping: ping() },
		peerDiscovery: [],
		connectionGater: {
			// Only relays I chose or a contact's signed entry names; libp2p's browser default would
			// also refuse loopback and LAN relays, which a LAN relay needs.
			denyDialMultiaddr: (ma: Multiaddr) => {
				const text = ma.toString();
				if (text.includes('/webrtc') && !text.includes('/p2p-circuit')) return false; // the WebRTC leg itself
				return !allowedRelays.has(relayPart(ma));
			}
		},
		connectionManager: { maxConnections: limits.maxPeers * 2 + MAX_DIRECT_RELAYS }
	});

	const directConnection = (peer: string): Connection | undefined =>
		libp2p
			.getConnections()
			.find((c) => c.remotePeer.toString() === peer && c.status === 'open' && c.limits === undefined);

	const snapshot = (): DirectSnapshot => {
		if (current) return current;
		const peers: DirectPeer[] = [];
		const relayed: RelayedPeer[] = [];
		for (const [peer, b] of bindings) {
			const direct = directConnection(peer);
			if (direct && connectionPath(direct) === 'webrtc') {
				peers.push({ contact: b.entry.id, peer, address: direct.remoteAddr.toString(), ...b.stats });
				continue;
			}
			const viaRelay = libp2p
				.getConnections()
				.find((c) => c.remotePeer.toString() === peer && c.status === 'open' && connectionPath(c) === 'relayed');
			if (viaRelay) relayed.push({ contact: b.entry.id, peer, address: viaRelay.remoteAddr.toString() });
		}
		current = Object.freeze({
			status,
			peerId: libp2p.peerId.toString(),
			addrs: Object.freeze([...(published?.addrs ?? [])]),
			peers: Object.freeze(peers),
			relayed: Object.freeze(relayed),
			...counts,
			error
		});
		return current;
	};
	const changed = (): void => {
		current = undefined;
		const s = snapshot();
		for (const l of listeners) l(s);
	};
	const fail = (e: unknown): void => {
		if (closing.signal.aborted) return;
		error = e instanceof Error ? e.message : String(e);
		changed();
	};

	const bind = (entry: DirectEntry): void => {
		for (const ma of entry.addrs) allowedRelays.add(relayPart(ma));
		const held = bindings.get(entry.peer);
		if (held && held.entry.id === entry.id) {
			held.entry = entry;
			return;
		}
		// A peer id names one identity: a newer entry of another contact naming it replaces it.
		bindings.set(entry.peer, {
			entry,
			stats: { latencyMs: undefined, bytesIn: 0, bytesOut: 0, envelopesIn: 0, envelopesOut: 0 }
		});
		for (const [peer, b] of bindings) if (b.entry.id === entry.id && peer !== entry.peer) bindings.delete(peer);
	};

	// ——— Relays and my entry ———

	// What I publish: circuit addresses a browser can dial (a relay's raw-TCP address is of no use
	// to one), secure ones first so that contacts on https pages find theirs within the cap.
	const myAddrs = (): string[] =>
		libp2p
			.getMultiaddrs()
			.filter((ma) => ma.toString().includes('/p2p-circuit/webrtc/p2p/') && webSocketDialable(ma, false))
			.sort((a, b) => Number(isSecureWebSocket(b)) - Number(isSecureWebSocket(a)))
			.map((ma) => ma.toString())
			.slice(0, MAX_P2P_ADDRS);

	let publishTimer: ReturnType<typeof setTimeout> | undefined;
	const publishSoon = (): void => {
		if (publishTimer !== undefined || closing.signal.aborted) return;
		publishTimer = setTimeout(() => {
			publishTimer = undefined;
			const addrs = myAddrs();
			if (addrs.length === 0) return;
			const entry = { peer: libp2p.peerId.toString(), addrs };
			publishing = entry;
			publishDirectEntry(opts.records, opts.identity, entry, {
				lastState,
				now,
				signal: closing.signal,
				...(opts.ed25519 ? { ed25519: opts.ed25519 } : {})
			})
				.then((state) => {
					lastState = Math.max(lastState, state);
					published = entry;
					changed();
				})
				.catch(fail)
				.finally(() => {
					if (publishing === entry) publishing = undefined;
				});
		}, REPUBLISH_DELAY_MS);
	};

	/** Each relay URL's libp2p peer id, from its last /health answer. */
	const relayPeerOf = new Map<string, string>();
	const connectedTo = (peer: string): boolean => libp2p.getConnections().some((c) => c.remotePeer.toString() === peer);

	const connectRelays = async (): Promise<void> => {
		const urls = opts.relays().slice(0, MAX_DIRECT_RELAYS);
		await Promise.all(
			urls.map(async (url) => {
				// Still connected to the peer this URL named last time: nothing to ask or dial.
				const known = relayPeerOf.get(url);
				if (known !== undefined && connectedTo(known)) return;
				try {
					const res = await fetchFn(`${url}/health`, {
						signal: AbortSignal.any([closing.signal, AbortSignal.timeout(DIAL_TIMEOUT_MS)])
					});
					const addrs = relayP2pAddrs(await readJson(res, MAX_RELAY_HEALTH_BYTES, 'The relay health answer'));
					if (addrs.length === 0) throw new Error(`${url} offers no libp2p WebSocket address`);
					for (const ma of addrs) {
						allowedRelays.add(relayPart(ma));
						const id = ma.getComponents().at(-1)?.value;
						if (id === undefined) continue;
						relayPeers.add(id);
						relayPeerOf.set(url, id);
					}
					const peer = relayPeerOf.get(url);
					if (peer !== undefined && connectedTo(peer)) return;
					await libp2p.dial(addrs, { signal: AbortSignal.any([closing.signal, AbortSignal.timeout(DIAL_TIMEOUT_MS)]) });
				} catch (e) {
					fail(e);
				}
			})
		);
	};

	// Someone wrote my entry without my direct part: put it back. The profile service carries the
	// part over (p2p-merge.ts), so its writes pass unanswered: no second write, no gap.
	const unsubscribeMine = opts.records.subscribe(
		soulFor('dir', opts.identity.id),
		(record) => {
			// My own write may come back before its publish settled: it is not a loss.
			const republish =
				mustRepublish(record, published, lastState) &&
				(publishing === undefined || mustRepublish(record, publishing, lastState));
			if (record.kind === 'dir' && record.key === DIRECTORY_KEY) lastState = Math.max(lastState, record.state);
			if (republish) publishSoon();
		},
		{ signal: closing.signal }
	);

	// ——— Contacts ———

	const dialing = new Set<MiaouId>();
	const dialContacts = async (): Promise<void> => {
		const connected = new Set<MiaouId>();
		for (const [peer, b] of bindings) if (directConnection(peer)) connected.add(b.entry.id);
		const wanted = opts.contacts().filter((id) => id !== opts.identity.id);
		const room = Math.max(0, limits.maxPeers - connected.size);
		const todo = wanted.filter((id) => !connected.has(id) && !dialing.has(id)).slice(0, room);
		await Promise.all(
			todo.map(async (id) => {
				dialing.add(id);
				try {
					const entry = await readDirectEntry(opts.records, id, { signal: closing.signal });
					if (!entry || entry.peer === libp2p.peerId.toString()) return;
					bind(entry);
					if (directConnection(entry.peer)) return;
					const signal = AbortSignal.any([closing.signal, AbortSignal.timeout(DIAL_TIMEOUT_MS)]);
					const conn = await libp2p.dial(entry.addrs, { signal });
					// noise checked the remote key against the `/p2p/<peer>` the address ends with.
					if (conn.remotePeer.toString() !== entry.peer) await conn.close();
				} catch {
					// Offline or unreachable (no common network path): the mailbox path carries on.
				} finally {
					dialing.delete(id);
					changed();
				}
			})
		);
	};

	/** Resolve a peer that connected to me directly, through my contacts' entries. */
	let lastRebind = Number.NEGATIVE_INFINITY;
	const identifyInbound = async (conn: Connection): Promise<void> => {
		const peer = conn.remotePeer.toString();
		if (bindings.has(peer) || relayPeers.has(peer)) return changed();
		if (now() - lastRebind >= REBIND_INTERVAL_MS) {
			lastRebind = now();
			const wanted = opts.contacts().slice(0, MAX_PEERS * 4);
			await Promise.all(
				wanted.map(async (id) => {
					const entry = await readDirectEntry(opts.records, id, { signal: closing.signal }).catch(() => undefined);
					if (entry) bind(entry);
				})
			);
		}
		if (!bindings.has(peer)) await conn.close();
		changed();
	};

	libp2p.addEventListener('connection:open', (evt) => {
		const conn = evt.detail;
		if (conn.limits !== undefined) return changed(); // relayed: signalling only, listed as such
		const directCount = libp2p
			.getConnections()
			.filter((c) => c.limits === undefined && !relayPeers.has(c.remotePeer.toString())).length;
		if (!relayPeers.has(conn.remotePeer.toString()) && directCount > limits.maxPeers) {
			void conn.close().catch(() => {});
			return;
		}
		void identifyInbound(conn).catch(fail);
	});
	libp2p.addEventListener('connection:close', () => changed());
	libp2p.addEventListener('self:peer:update', () => publishSoon());

	// ——— Envelopes ———

	await libp2p.handle(
		ENVELOPE_PROTOCOL,
		async (stream, connection) => {
			const binding = bindings.get(connection.remotePeer.toString());
			if (!binding || connection.limits !== undefined || !handler) {
				stream.abort(new Error('not a direct connection of a contact'));
				return;
			}
			const take = handler;
			const signal = AbortSignal.any([closing.signal, AbortSignal.timeout(DIRECT_SEND_TIMEOUT_MS)]);
			try {
				const outcome = await receiveEnvelope(
					stream,
					download,
					async (envelope) => {
						binding.stats.bytesIn += envelope.length;
						binding.stats.envelopesIn++;
						counts = { ...counts, received: counts.received + 1 };
						changed();
						await take(envelope);
					},
					signal
				);
				if (outcome !== 'accepted') {
					counts = { ...counts, refused: counts.refused + 1 };
					changed();
				}
			} catch (e) {
				stream.abort(e instanceof Error ? e : new Error(String(e)));
			}
		},
		{ maxInboundStreams: MAX_ENVELOPE_STREAMS, maxOutboundStreams: MAX_ENVELOPE_STREAMS }
	);

	// ——— Latency ———

	const pingPeers = async (): Promise<void> => {
		for (const [peer, b] of bindings) {
			const conn = directConnection(peer);
			if (!conn) continue;
			try {
				b.stats.latencyMs = Math.round(
					await libp2p.services.ping.ping(conn.remotePeer as PeerId, {
						signal: AbortSignal.timeout(PEER_PING_INTERVAL_MS)
					})
				);
			} catch {
				b.stats.latencyMs = undefined;
			}
		}
		changed();
	};

	const every = (ms: number, task: () => Promise<void>): void => {
		const run = (): void => {
			if (closing.signal.aborted) return;
			void task()
				.catch(fail)
				.finally(() => {
					if (closing.signal.aborted) return;
					const timer = setTimeout(() => {
						timers.delete(timer);
						run();
					}, ms);
					timers.add(timer);
				});
		};
		run();
	};

	status = 'running';
	every(DIAL_INTERVAL_MS, async () => {
		await connectRelays();
		await dialContacts();
	});
	every(PEER_PING_INTERVAL_MS, pingPeers);
	changed();

	return {
		async send(to, envelope, signal) {
			let found: [string, Binding] | undefined;
			for (const pair of bindings) if (pair[1].entry.id === to && directConnection(pair[0])) found = pair;
			if (!found) return false;
			const [peer, binding] = found;
			const conn = directConnection(peer);
			if (!conn || !upload.take(envelope.length + LENGTH_PREFIX_BYTES)) return false;
			const s = AbortSignal.any([
				closing.signal,
				AbortSignal.timeout(DIRECT_SEND_TIMEOUT_MS),
				...(signal ? [signal] : [])
			]);
			try {
				const stream = await conn.newStream(ENVELOPE_PROTOCOL, { signal: s });
				const taken = await pushEnvelope(stream, envelope, s);
				if (taken) {
					binding.stats.bytesOut += envelope.length;
					binding.stats.envelopesOut++;
					counts = { ...counts, sent: counts.sent + 1 };
					changed();
				}
				return taken;
			} catch {
				return false;
			}
		},
		onEnvelope(h) {
			handler = h;
			return () => {
				if (handler === h) handler = undefined;
			};
		},
		refresh() {
			void dialContacts().catch(fail);
		},
		setLimits(next) {
			limits = checkLimits(next);
			upload = new ByteBudget(limits.uploadBytesPerSecond, now);
			download = new ByteBudget(limits.downloadBytesPerSecond, now);
			changed();
		},
		snapshot,
		onChange(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		async stop(o = {}) {
			if (closing.signal.aborted) return;
			if (o.withdraw && published) {
				await publishDirectEntry(opts.records, opts.identity, undefined, {
					lastState,
					now,
					signal: AbortSignal.timeout(DIAL_TIMEOUT_MS),
					...(opts.ed25519 ? { ed25519: opts.ed25519 } : {})
				}).catch(() => {});
			}
			closing.abort();
			for (const t of timers) clearTimeout(t);
			timers.clear();
			if (publishTimer !== undefined) clearTimeout(publishTimer);
			unsubscribeMine();
			await libp2p.stop();
			status = 'stopped';
			bindings.clear();
			changed();
		}
	};
}

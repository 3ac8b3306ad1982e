/**
 * Direct-peer discovery through the signed `dir` record (docs/net.md §Direct peers,
 * docs/records.md §dir): my browser publishes its libp2p peer id and its circuit addresses on my
 * relays in my own `dir` entry, signed by my Miaou key; a contact's browser reads that entry,
 * which the record store returns only once it verified against the id in the soul, and dials
 * nothing else. The peer id in the entry is what binds a libp2p connection to a Miaou identity:
 * libp2p's noise handshake proves the remote holds the key of the peer id it dialled, and the
 * entry proves the Miaou identity named that peer id.
 *
 * Core (`records.ts`) checks the entry's shape and sizes; this module parses the addresses as
 * multiaddrs and keeps only the ones a browser can use: `<relay>/p2p/<relay-id>/p2p-circuit/webrtc/p2p/<peer>`
 * over WebSockets.
 */
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { tweetnaclEd25519, type Ed25519 } from '../core/ed25519.ts';
import type { Identity, MiaouId } from '../core/identity.ts';
import { systemClock, type Clock } from '../core/random.ts';
import {
	DIRECTORY_KEY,
	MAX_P2P_ADDRS,
	signRecord,
	soulFor,
	type DirectoryBody,
	type VerifiedRecord
} from '../core/records.ts';
import { DIRECT_CAPABILITY, mergeDirectoryBody } from './p2p-merge.ts';
import type { CallOptions, RecordStore } from './record-store.ts';

export { DIRECT_CAPABILITY };

/** A contact's verified direct-connection entry. */
export interface DirectEntry {
	/** The Miaou id that signed the entry. */
	id: MiaouId;
	/** The libp2p peer id the entry names. */
	peer: string;
	/** The addresses a browser can dial, each ending in `/p2p/<peer>`. */
	addrs: Multiaddr[];
	/** The entry's Gun state (ms): when it was published. */
	publishedAt: number;
}

/**
 * Whether this page is served over https: there the browser refuses plain `ws:` sockets to
 * anything but loopback (mixed content), so only secure WebSocket addresses are worth dialling.
 * @returns true on an https page; false on http and outside a browser
 */
export function isSecurePage(): boolean {
	return (globalThis as { location?: { protocol?: string } }).location?.protocol === 'https:';
}

/** The components of an address before its first `/p2p/…`: the relay's transport part. */
function transportNames(ma: Multiaddr): { names: string[]; host: string | undefined } {
	const components = ma.getComponents();
	const end = components.findIndex((c) => c.name === 'p2p');
	const head = end < 0 ? components : components.slice(0, end);
	return { names: head.map((c) => c.name), host: head[0]?.value };
}

/**
 * Whether an address's transport part is a secure WebSocket (`wss`, `tls/ws`, `tls/sni/…/ws`).
 * @param ma - a relay address or a circuit address through one
 * @returns true for a TLS WebSocket
 */
export function isSecureWebSocket(ma: Multiaddr): boolean {
	const { names } = transportNames(ma);
	return names.includes('wss') || (names.includes('tls') && names.at(-1) === 'ws');
}

/**
 * Whether this page can open the WebSocket an address's transport part names: a host (IP or DNS
 * name), TCP, then `ws`, `wss`, `tls/ws` or `tls/sni/<name>/ws`. On an https page a plain `ws` is
 * kept only to loopback (browsers let a secure page reach `ws://localhost`).
 * @param ma - a relay address or a circuit address through one
 * @param secure - whether the page is https
 * @returns true when worth dialling
 */
export function webSocketDialable(ma: Multiaddr, secure: boolean): boolean {
	const { names, host } = transportNames(ma);
	const [family, tcp, ...rest] = names;
	if (!['ip4', 'ip6', 'dns', 'dns4', 'dns6'].includes(family ?? '') || tcp !== 'tcp') return false;
	const tail = rest.join('/');
	if (tail === 'wss' || tail === 'tls/ws' || tail === 'tls/sni/ws') return true;
	if (tail !== 'ws') return false;
	return !secure || host === 'localhost' || host === '::1' || /^127\./.test(host ?? '');
}

/** libp2p addresses of a relay's /health looked at (a relay lists a handful). */
export const MAX_HEALTH_LIBP2P_ADDRS = 64;
/** Longest such address read, in characters. */
export const MAX_HEALTH_ADDR_CHARS = 512;

/**
 * The addresses of a relay's /health where a browser can reserve a circuit-relay slot: WebSocket
 * addresses ending in the relay's peer id, not themselves circuits, that a page can dial.
 * @param addrs - `ipfs.libp2p.addrs` of /health (outside data: bounded in count and length)
 * @param secure - whether the page is https (then only `wss` / `tls/ws`, or plain `ws` to localhost)
 * @returns the usable addresses, in the relay's order
 */
export function relayWebSocketAddrs(addrs: unknown, secure: boolean): Multiaddr[] {
	if (!Array.isArray(addrs)) return [];
	const out: Multiaddr[] = [];
	for (const text of addrs.slice(0, MAX_HEALTH_LIBP2P_ADDRS)) {
		if (typeof text !== 'string' || text.length > MAX_HEALTH_ADDR_CHARS) continue;
		let ma: Multiaddr;
		try {
			ma = multiaddr(text);
		} catch {
			continue;
		}
		const names = ma.getComponents().map((c) => c.name);
		if (names.at(-1) !== 'p2p' || names.includes('p2p-circuit') || !webSocketDialable(ma, secure)) continue;
		out.push(ma);
	}
	return out;
}

/**
 * Keep the direct addresses of a `dir` body that this page can dial: each must parse as a
 * multiaddr, go through a relay over WebSockets (`…/ws/p2p/<relay>/p2p-circuit`; on an https page
 * secure WebSockets only, see {@link webSocketDialable}), ask for WebRTC and end with the entry's
 * peer id. Anything else is dropped, never dialled.
 * @param body - a verified `dir` body
 * @param secure - whether the page is https (default: as `location` says)
 * @returns the peer id and the usable addresses, or undefined when there is no usable address
 */
export function directAddresses(
	body: DirectoryBody,
	secure = isSecurePage()
): { peer: string; addrs: Multiaddr[] } | undefined {
	const p2p = body.p2p;
	if (p2p === undefined) return undefined;
	const addrs: Multiaddr[] = [];
	for (const text of p2p.addrs.slice(0, MAX_P2P_ADDRS)) {
		let ma: Multiaddr;
		try {
			ma = multiaddr(text);
		} catch {
			continue;
		}
		const components = ma.getComponents();
		const last = components.at(-1);
		const beforeLast = components.at(-2);
		if (last?.name !== 'p2p' || last.value !== p2p.peer || beforeLast?.name !== 'webrtc') continue;
		// Through a relay (`…/p2p/<relay>/p2p-circuit/…`) reached over a WebSocket this page may open.
		const names = components.map((c) => c.name);
		const circuit = names.indexOf('p2p-circuit');
		if (circuit < 1 || names[circuit - 1] !== 'p2p' || !webSocketDialable(ma, secure)) continue;
		addrs.push(ma);
	}
	return addrs.length === 0 ? undefined : { peer: p2p.peer, addrs };
}

/**
 * Read a contact's direct-connection entry from their verified `dir` record.
 * @param records - the record store (returns verified records only)
 * @param id - the contact's Miaou id
 * @param opts - AbortSignal
 * @returns the entry, or undefined when none verifies or it has no usable address
 * @throws what `RecordStore.read` throws (AbortError, InvalidIdError)
 */
export async function readDirectEntry(
	records: RecordStore,
	id: MiaouId,
	opts: CallOptions = {}
): Promise<DirectEntry | undefined> {
	const record = await records.read(soulFor('dir', id), DIRECTORY_KEY, opts);
	// The store checked the signature against the id in the soul; the author check is belt and braces.
	if (record?.kind !== 'dir' || record.author !== id) return undefined;
	const found = directAddresses((record as VerifiedRecord<'dir'>).body);
	return found && { id, ...found, publishedAt: record.state };
}

/** Options of {@link publishDirectEntry}. */
export interface PublishDirectOptions extends CallOptions {
	now?: Clock;
	ed25519?: Ed25519;
	/** The state of my last write, so a new one outranks it (Gun keeps the highest state). */
	lastState?: number;
}

/**
 * Publish my `dir` entry with my direct-connection part (or without it, to withdraw it), keeping
 * the relays and capabilities the entry already lists (profile.ts writes those).
 * @param records - the record store
 * @param identity - my identity (signs the entry)
 * @param p2p - my peer id and circuit addresses, or undefined to withdraw them
 * @param opts - clock, Ed25519, AbortSignal, the state of my last write
 * @returns the state the entry was published with
 * @throws {MalformedError} when an address breaks the record rules (too long, wrong peer id)
 * @throws what `RecordStore.publish` throws (RelayRefusedError, RelayTimeoutError, NoRelayError, AbortError)
 */
export async function publishDirectEntry(
	records: RecordStore,
	identity: Pick<Identity, 'id' | 'signing'>,
	p2p: { peer: string; addrs: readonly string[] } | undefined,
	opts: PublishDirectOptions = {}
): Promise<number> {
	const now = opts.now ?? systemClock;
	const call: CallOptions = opts.signal ? { signal: opts.signal } : {};
	const soul = soulFor('dir', identity.id);
	const held = await records.read(soul, DIRECTORY_KEY, call);
	const current = held?.kind === 'dir' ? (held as VerifiedRecord<'dir'>).body : undefined;
	const state = Math.max(now(), (opts.lastState ?? 0) + 1, (held?.state ?? 0) + 1);
	// The merge rule of p2p-merge.ts: relays and capabilities stay the profile service's.
	const body = mergeDirectoryBody({
		relays: current?.relays ?? [],
		capabilities: current?.capabilities ?? [],
		p2p: p2p && { peer: p2p.peer, addrs: [...p2p.addrs] },
		lastSeen: state
	});
	const record = await signRecord('dir', {
		author: identity.id,
		key: DIRECTORY_KEY,
		body,
		state,
		signer: identity.signing,
		ed25519: opts.ed25519 ?? tweetnaclEd25519
	});
	await records.publish(record, call);
	return state;
}

/**
 * Whether a verified `dir` body already carries exactly my direct-connection part.
 * @param body - my `dir` body as read back
 * @param p2p - what I mean to publish
 * @returns true when nothing needs publishing
 */
export function sameDirectEntry(body: DirectoryBody, p2p: { peer: string; addrs: readonly string[] }): boolean {
	const held = body.p2p;
	if (held === undefined || held.peer !== p2p.peer || held.addrs.length !== p2p.addrs.length) return false;
	return held.addrs.every((a, i) => a === p2p.addrs[i]) && body.capabilities.includes(DIRECT_CAPABILITY);
}

/**
 * The direct node's rule on seeing my own `dir` entry change (a write by the profile service, or
 * by another of my browsers): publish again only when a newer entry lost or changed my direct
 * part. Since the profile service carries that part over (p2p-merge.ts), its writes pass
 * unanswered; only a writer that dropped it (an older client, another device) is answered.
 * @param record - my `dir` record as the store delivers it (verified)
 * @param published - what I last published, or undefined before my first publish
 * @param lastState - the state of my last write
 * @returns true when my direct part must be published again
 */
export function mustRepublish(
	record: VerifiedRecord,
	published: { peer: string; addrs: readonly string[] } | undefined,
	lastState: number
): boolean {
	if (record.kind !== 'dir' || record.key !== DIRECTORY_KEY || !published) return false;
	return record.state > lastState && !sameDirectEntry((record as VerifiedRecord<'dir'>).body, published);
}

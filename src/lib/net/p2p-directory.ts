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
import type { CallOptions, RecordStore } from './record-store.ts';

/** The capability a `dir` entry lists when its author takes direct connections. */
export const DIRECT_CAPABILITY = 'direct:1';

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

/** Transports a browser reaches a relay with: WebSockets only (no raw TCP in a page). */
function browserDialable(ma: Multiaddr): boolean {
	const names = ma.getComponents().map((c) => c.name);
	const circuit = names.indexOf('p2p-circuit');
	if (circuit < 0) return false;
	const relayPart = names.slice(0, circuit);
	return (
		['ip4', 'ip6', 'dns', 'dns4', 'dns6'].includes(relayPart[0] ?? '') &&
		relayPart[1] === 'tcp' &&
		(relayPart.includes('ws') || relayPart.includes('wss') || relayPart.includes('tls')) &&
		relayPart.at(-1) === 'p2p'
	);
}

/**
 * Keep the direct addresses of a `dir` body that a browser can dial: each must parse as a
 * multiaddr, go through a relay over WebSockets (`…/ws/p2p/<relay>/p2p-circuit`), ask for WebRTC
 * and end with the entry's peer id. Anything else is dropped, never dialled.
 * @param body - a verified `dir` body
 * @returns the peer id and the usable addresses, or undefined when there is no usable address
 */
export function directAddresses(body: DirectoryBody): { peer: string; addrs: Multiaddr[] } | undefined {
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
		if (!browserDialable(ma)) continue;
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
	const capabilities = (current?.capabilities ?? []).filter((c) => c !== DIRECT_CAPABILITY);
	const body: DirectoryBody = {
		relays: current?.relays ?? [],
		capabilities: p2p ? [...capabilities, DIRECT_CAPABILITY] : capabilities,
		lastSeen: state
	};
	if (p2p) body.p2p = { peer: p2p.peer, addrs: p2p.addrs.slice(0, MAX_P2P_ADDRS) };
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

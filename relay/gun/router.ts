/**
 * Where the relay forwards a write: to the clients that asked for that soul, and to peer relays.
 *
 * Gun's mesh without AXE floods every put to every connected peer, which on a public relay sends
 * each mailbox entry to every user (bandwidth O(clients) per write, and a view of everyone's
 * traffic). A client here receives only the souls it has read (`get`), as with AXE's routing;
 * peer relays receive everything under the namespace: the relay dials its `--peers` and treats
 * them as such, and a relay that dials us subscribes with a prefix read of the whole namespace
 * (`get: {'#': {'*': 'miaou/v1/'}}`), capped by MAX_PREFIX_SUBSCRIBERS.
 *
 * Memory is bounded per connection (MAX_SUBSCRIPTIONS_PER_PEER, oldest dropped first).
 */
import type { GunPeer } from './load-gun.ts';

/** Souls one connection may follow at once; the oldest subscription is dropped beyond it. */
export const MAX_SUBSCRIPTIONS_PER_PEER = 4096;
/** Connections allowed to follow a whole prefix (peer relays); more are refused. */
export const MAX_PREFIX_SUBSCRIBERS = 32;

/** Routing table of one relay. */
export interface Router {
	/** `peer` follows `soul` from now on. */
	subscribe(peer: GunPeer, soul: string): void;
	/**
	 * `peer` follows every soul starting with `prefix`.
	 * @returns false when MAX_PREFIX_SUBSCRIBERS is reached
	 */
	subscribePrefix(peer: GunPeer, prefix: string): boolean;
	/** Mark a connection as a peer relay (receives every write). */
	addRelay(peer: GunPeer): void;
	/** Forget everything about a closed connection. */
	remove(peer: GunPeer): void;
	/** The peers a write to these souls goes to, keyed by peer id (Gun's `mesh.say` peer map). */
	targetsForPut(souls: Iterable<string>): Record<string, GunPeer>;
	/** Peer relays, keyed by id: where reads the relay cannot answer are forwarded. */
	relays(): Record<string, GunPeer>;
	readonly subscriptions: number;
}

/**
 * Create an empty routing table.
 * @returns a {@link Router}
 */
export function createRouter(): Router {
	const bySoul = new Map<string, Set<GunPeer>>();
	const byPeer = new Map<GunPeer, Set<string>>();
	const prefixes = new Map<GunPeer, Set<string>>();
	const relayPeers = new Set<GunPeer>();
	let count = 0;

	function unsubscribe(peer: GunPeer, soul: string): void {
		const peers = bySoul.get(soul);
		if (peers?.delete(peer)) count--;
		if (peers && peers.size === 0) bySoul.delete(soul);
	}

	return {
		subscribe(peer, soul) {
			let souls = byPeer.get(peer);
			if (!souls) byPeer.set(peer, (souls = new Set()));
			if (souls.has(soul)) {
				// Refresh its position: Set order is the eviction order.
				souls.delete(soul);
				souls.add(soul);
				return;
			}
			if (souls.size >= MAX_SUBSCRIPTIONS_PER_PEER) {
				const oldest = souls.values().next().value;
				if (oldest !== undefined) {
					souls.delete(oldest);
					unsubscribe(peer, oldest);
				}
			}
			souls.add(soul);
			let peers = bySoul.get(soul);
			if (!peers) bySoul.set(soul, (peers = new Set()));
			peers.add(peer);
			count++;
		},
		subscribePrefix(peer, prefix) {
			const mine = prefixes.get(peer);
			if (mine) {
				if (mine.size < 8) mine.add(prefix);
				return true;
			}
			if (prefixes.size >= MAX_PREFIX_SUBSCRIBERS) return false;
			prefixes.set(peer, new Set([prefix]));
			return true;
		},
		addRelay(peer) {
			relayPeers.add(peer);
		},
		remove(peer) {
			for (const soul of byPeer.get(peer) ?? []) unsubscribe(peer, soul);
			byPeer.delete(peer);
			prefixes.delete(peer);
			relayPeers.delete(peer);
		},
		targetsForPut(souls) {
			const out: Record<string, GunPeer> = {};
			const add = (p: GunPeer): void => {
				if (p.id) out[p.id] = p;
			};
			for (const p of relayPeers) add(p);
			const list = [...souls];
			for (const soul of list) for (const p of bySoul.get(soul) ?? []) add(p);
			for (const [p, set] of prefixes) {
				if (p.id && out[p.id]) continue;
				if (list.some((soul) => [...set].some((prefix) => soul.startsWith(prefix)))) add(p);
			}
			return out;
		},
		relays() {
			const out: Record<string, GunPeer> = {};
			for (const p of relayPeers) if (p.id) out[p.id] = p;
			return out;
		},
		get subscriptions() {
			return count;
		}
	};
}

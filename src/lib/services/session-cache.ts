/**
 * Live ratchet sessions by peer, over a {@link SessionStorage}: loaded once, kept newest-used
 * first, and written back after every change (session.ts: "store `session.export()` … after
 * each"). A stored session that no longer opens or parses is skipped and reported, not fatal: the
 * peer's next first contact starts a fresh one.
 */
import { equalBytes } from '../core/bytes.ts';
import type { MiaouId } from '../core/identity.ts';
import { importSession, type Session, type SessionOptions } from '../core/session.ts';
import { MAX_SESSIONS_PER_PEER, type SessionStorage } from './sessions.ts';

/** Sessions in use, by peer. */
export interface SessionCache {
	/**
	 * The sessions with a peer, newest-used first (the same objects every time).
	 * @param peer - the peer's id
	 */
	get(peer: MiaouId): Promise<Session[]>;
	/**
	 * Put a session first in its peer's list and store the list.
	 * @param peer - the peer's id
	 * @param session - a session that just encrypted or decrypted
	 * @throws what the storage throws
	 */
	touch(peer: MiaouId, session: Session): Promise<void>;
	/** Drop what is cached (a restart reads the storage again). */
	clear(): void;
}

/**
 * Create a session cache.
 * @param storage - where exported sessions are kept (sealed at rest by the caller's choice of adapter)
 * @param options - randomness and clock for revived sessions
 * @param onError - told of a stored session that could not be read
 * @returns the cache
 */
export function createSessionCache(
	storage: SessionStorage,
	options: SessionOptions = {},
	onError: (error: unknown) => void = () => {}
): SessionCache {
	const cache = new Map<MiaouId, Promise<Session[]>>();
	const load = async (peer: MiaouId): Promise<Session[]> => {
		let stored: Uint8Array[];
		try {
			stored = await storage.load(peer);
		} catch (error) {
			onError(error);
			return [];
		}
		const out: Session[] = [];
		for (const bytes of stored) {
			try {
				out.push(importSession(bytes, options));
			} catch (error) {
				onError(error);
			}
		}
		return out;
	};
	const get = (peer: MiaouId): Promise<Session[]> => {
		let list = cache.get(peer);
		if (!list) {
			list = load(peer);
			cache.set(peer, list);
		}
		return list;
	};
	return {
		get,
		async touch(peer, session) {
			const list = await get(peer);
			const index = list.indexOf(session);
			if (index >= 0) list.splice(index, 1);
			// A session revived from storage is a new object for the same run of X3DH: replace it.
			const same = list.findIndex(
				(s) => s.initiator === session.initiator && equalBytes(s.initialEphemeral, session.initialEphemeral)
			);
			if (same >= 0) list.splice(same, 1);
			list.unshift(session);
			if (list.length > MAX_SESSIONS_PER_PEER) list.length = MAX_SESSIONS_PER_PEER;
			await storage.save(
				peer,
				list.map((s) => s.export())
			);
		},
		clear() {
			cache.clear();
		}
	};
}

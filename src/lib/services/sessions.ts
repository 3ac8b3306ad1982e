/**
 * Where ratchet sessions are kept between runs (docs/messaging.md §Sessions). A session is the
 * output of `Session.export()` (docs/protocol.md §Local state formats): secret keys, so every
 * adapter that writes to disk or IndexedDB goes through {@link sealedSessionStorage}.
 *
 * Several sessions may exist with one peer (both started one at once, or the peer reinstalled);
 * they are kept newest-used first and tried in that order (session.ts `SessionLookup`).
 */
import type { MiaouId } from '../core/identity.ts';
import { randomBytes as defaultRandom, type RandomBytes } from '../core/random.ts';
import { MAX_SESSION_STATE_BYTES } from '../core/session.ts';
import { AT_REST_OVERHEAD, openAtRest, sealAtRest } from './at-rest.ts';

/** Sessions kept per peer; older ones are dropped (each costs a few X25519 to try). */
export const MAX_SESSIONS_PER_PEER = 3;
/** Largest stored session, sealed or not. */
export const MAX_STORED_SESSION_BYTES = MAX_SESSION_STATE_BYTES + AT_REST_OVERHEAD + 128;

/** Options every storage call accepts. */
export interface StorageCallOptions {
	signal?: AbortSignal;
}

/** Exported sessions by peer. */
export interface SessionStorage {
	/**
	 * The sessions kept with a peer, newest-used first.
	 * @param peer - the peer's id
	 * @returns exported sessions (empty when none)
	 * @throws {DecryptError} (sealed adapter) when a stored session does not open with this identity
	 */
	load(peer: MiaouId, opts?: StorageCallOptions): Promise<Uint8Array[]>;
	/**
	 * Replace the sessions kept with a peer; an empty list forgets the peer.
	 * @param peer - the peer's id
	 * @param sessions - exported sessions, newest-used first, at most {@link MAX_SESSIONS_PER_PEER}
	 */
	save(peer: MiaouId, sessions: readonly Uint8Array[], opts?: StorageCallOptions): Promise<void>;
}

function checkList(sessions: readonly Uint8Array[]): void {
	if (!Array.isArray(sessions) || sessions.length > MAX_SESSIONS_PER_PEER)
		throw new RangeError(`at most ${MAX_SESSIONS_PER_PEER} sessions are kept per peer`);
	for (const s of sessions) {
		if (!(s instanceof Uint8Array)) throw new TypeError('a session must be a Uint8Array');
		if (s.length > MAX_STORED_SESSION_BYTES)
			throw new RangeError(`a stored session is at most ${MAX_STORED_SESSION_BYTES} bytes`);
	}
}

/**
 * Sessions in memory (tests; a browser tab that must not persist). Values are copied in and out.
 * @returns the storage, plus a view of what it holds for tests
 */
export function memorySessionStorage(): SessionStorage & { readonly raw: ReadonlyMap<string, Uint8Array[]> } {
	const held = new Map<string, Uint8Array[]>();
	return {
		async load(peer) {
			return (held.get(peer) ?? []).map((s) => s.slice());
		},
		async save(peer, sessions) {
			checkList(sessions);
			if (sessions.length === 0) held.delete(peer);
			else
				held.set(
					peer,
					sessions.map((s) => s.slice())
				);
		},
		raw: held
	};
}

/**
 * Seal every session before it reaches `inner` (at-rest.ts), bound to its peer: a session file
 * copied under another peer's name does not open.
 * @param inner - where the sealed bytes go (memory, a file, IndexedDB)
 * @param key - `deriveAtRestKey(identity, 'sessions')`
 * @param random - nonce source
 * @returns a storage that reads and writes plain exported sessions
 * @example const sessions = sealedSessionStorage(fileSessionStorage(dir), deriveAtRestKey(me, 'sessions'))
 */
export function sealedSessionStorage(
	inner: SessionStorage,
	key: Uint8Array,
	random: RandomBytes = defaultRandom
): SessionStorage {
	const context = (peer: MiaouId) => `session:${peer}`;
	return {
		async load(peer, opts) {
			const sealed = await inner.load(peer, opts);
			return sealed.map((s) => openAtRest(key, s, context(peer)));
		},
		async save(peer, sessions, opts) {
			checkList(sessions);
			await inner.save(
				peer,
				sessions.map((s) => sealAtRest(key, s, context(peer), random)),
				opts
			);
		}
	};
}

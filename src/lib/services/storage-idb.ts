/**
 * The messaging state in IndexedDB, for the web app: one database per identity with two object
 * stores — `slots` (one value each: the sealed prekeys, contacts…, see slot.ts) and `sessions`
 * (the sealed sessions of one peer per record, keyed by a hash of the peer's id, so the keys do not
 * list the contacts — the same name session-file.ts gives the file). These adapters store bytes
 * as they get them: wrap them as for a file (`sealedSessionStorage`, `slotPrekeyStorage`,
 * `slotContactStorage`) so IndexedDB holds only sealed values (at-rest.ts).
 *
 * Writes ask for `durability: 'strict'` (IndexedDB 3.0 §2.7.2): a transaction completes only once
 * flushed, so a session the messenger saved survives a browser crash — which matters, since a
 * lost ratchet state cannot decrypt the next message.
 *
 * This module imports nothing but browser/idb.ts and errors.ts at run time, so it runs unbundled.
 */
import { committed, openDatabase, settle } from '../browser/idb.ts';
import { BrowserStorageError } from '../core/errors.ts';
import type { MiaouId } from '../core/identity.ts';
import type { SessionStorage } from './sessions.ts';
import type { ByteSlot } from './slot.ts';

/** Schema version of the messaging database. */
export const MESSAGING_DB_VERSION = 1;
/** Object store of the byte slots. */
export const SLOTS_STORE = 'slots';
/** Object store of the sessions. */
export const SESSIONS_STORE = 'sessions';

/** The messaging state of one identity in IndexedDB. */
export interface IndexedDbMessagingStore {
	/**
	 * A byte slot in the `slots` store.
	 * @param name - the slot's key (e.g. `prekeys`, `contacts`)
	 * @returns the slot, plus `clear()` to remove its value (history-idb.ts empties the old history slot)
	 */
	slot(name: string): ByteSlot & { clear(): Promise<void> };
	/** Sessions by peer in the `sessions` store. */
	sessions: SessionStorage;
	/** Close the database (the next call opens it again). */
	close(): void;
}

/**
 * Open (lazily) the messaging database of one identity.
 * @param dbName - e.g. `miaou-messaging-<short fingerprint>`
 * @param factory - the IndexedDB factory (default: the global `indexedDB`)
 * @returns the store; each call throws {@link BrowserStorageError} when IndexedDB is missing or refuses
 */
export function indexedDbMessagingStore(
	dbName: string,
	factory: IDBFactory | undefined = globalThis.indexedDB
): IndexedDbMessagingStore {
	let opening: Promise<IDBDatabase> | undefined;
	const db = (): Promise<IDBDatabase> =>
		(opening ??= openDatabase(factory, dbName, MESSAGING_DB_VERSION, (database) => {
			if (!database.objectStoreNames.contains(SLOTS_STORE)) database.createObjectStore(SLOTS_STORE);
			if (!database.objectStoreNames.contains(SESSIONS_STORE)) database.createObjectStore(SESSIONS_STORE);
		}).catch((error: unknown) => {
			opening = undefined;
			throw error;
		}));

	const get = async (store: string, key: string, what: string): Promise<unknown> => {
		const tx = (await db()).transaction(store, 'readonly');
		return settle(tx.objectStore(store).get(key), what);
	};
	const put = async (store: string, key: string, value: unknown, what: string): Promise<void> => {
		const tx = (await db()).transaction(store, 'readwrite', { durability: 'strict' });
		const done = committed(tx, what);
		if (value === undefined) tx.objectStore(store).delete(key);
		else tx.objectStore(store).put(value, key);
		await done;
	};
	// sessionFileName's hash, computed with WebCrypto so this module needs no hashing library.
	const peerKey = async (peer: MiaouId): Promise<string> => {
		const digest = await globalThis.crypto.subtle.digest(
			'SHA-256',
			new TextEncoder().encode(`miaou/v1/session-file\n${peer}`)
		);
		return [...new Uint8Array(digest, 0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('');
	};
	const bytes = (value: unknown, what: string): Uint8Array => {
		if (!(value instanceof Uint8Array)) throw new BrowserStorageError(`${what} holds something else than bytes`);
		return value;
	};

	return {
		slot(name) {
			return {
				async read() {
					const value = await get(SLOTS_STORE, name, `reading ${name}`);
					return value === undefined ? undefined : bytes(value, name);
				},
				async write(value) {
					if (!(value instanceof Uint8Array)) throw new TypeError('a slot holds a Uint8Array');
					await put(SLOTS_STORE, name, value.slice(), `writing ${name}`);
				},
				async clear() {
					await put(SLOTS_STORE, name, undefined, `clearing ${name}`);
				}
			};
		},
		sessions: {
			async load(peer: MiaouId) {
				const value = await get(SESSIONS_STORE, await peerKey(peer), 'reading sessions');
				if (value === undefined) return [];
				if (!Array.isArray(value)) throw new BrowserStorageError('the stored sessions are not a list');
				return value.map((v) => bytes(v, 'a stored session'));
			},
			async save(peer: MiaouId, sessions: readonly Uint8Array[]) {
				const list = sessions.map((s) => s.slice());
				await put(SESSIONS_STORE, await peerKey(peer), list.length > 0 ? list : undefined, 'saving sessions');
			}
		},
		close() {
			void opening?.then((database) => database.close()).catch(() => {});
			opening = undefined;
		}
	};
}

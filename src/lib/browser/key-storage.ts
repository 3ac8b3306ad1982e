/**
 * Where the browser keeps the identity between visits: ONLY the encrypted key backup text made
 * by keystore.ts (scrypt + authenticated encryption), beside public facts (id, display name,
 * dates). Secret keys are never written in clear; unlocking decrypts the backup in memory.
 *
 * One interface, two adapters: IndexedDB for the app, memory for the state tests. Both check what
 * they read back with parseStoredIdentity, because storage is outside input too (another version
 * of the app, a browser extension or a damaged profile may have written it).
 */
import { MalformedError, TooLargeError } from '../core/errors.ts';
import { isMiaouId, type MiaouId } from '../core/identity.ts';
import { committed, openDatabase, settle } from './idb.ts';

/** IndexedDB database holding the key backup; separate from the net layer's databases. */
export const KEY_DB_NAME = 'miaou-keys';

/** Schema version of KEY_DB_NAME. */
export const KEY_DB_VERSION = 1;

const STORE = 'identity';
const CURRENT = 'current';

/** Largest encrypted backup text accepted (characters), from a file, a paste or storage. */
export const MAX_BACKUP_TEXT_LENGTH = 64 * 1024;

/** Longest display name, in characters (code points). */
export const MAX_DISPLAY_NAME_LENGTH = 64;

/** What is stored for the identity of this browser profile. */
export interface StoredIdentity {
	/** Record layout version. */
	version: 1;
	/** The identity's public id (not secret). */
	id: MiaouId;
	/** The name shown to others (not secret: it is published in the profile). */
	displayName: string;
	/** The encrypted backup from exportIdentity — the only form secret keys are stored in. */
	backup: string;
	/** When the identity was made (ms since the epoch). */
	createdAt: number;
	/** When this record was last written (ms since the epoch). */
	savedAt: number;
}

/** Storage of the one identity of this browser profile. */
export interface KeyStorage {
	/**
	 * @returns the stored identity, or undefined if none
	 * @throws {BrowserStorageError} if storage cannot be read
	 * @throws {MalformedError} if what is stored is not a valid record
	 */
	load(): Promise<StoredIdentity | undefined>;
	/**
	 * Store (replace) the identity; resolves once durable.
	 * @throws {BrowserStorageError} if storage refuses the write
	 */
	save(record: StoredIdentity): Promise<void>;
	/**
	 * Delete the stored identity.
	 * @throws {BrowserStorageError} if storage refuses
	 */
	clear(): Promise<void>;
}

function isTime(value: unknown): value is number {
	return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Check a stored identity record read back from storage.
 * @param value - what storage returned
 * @returns the same record, typed
 * @throws {TooLargeError} if the backup text is over MAX_BACKUP_TEXT_LENGTH
 * @throws {MalformedError} if a field is missing or of the wrong type
 */
export function parseStoredIdentity(value: unknown): StoredIdentity {
	if (typeof value !== 'object' || value === null) throw new MalformedError('Stored identity', 'not an object');
	const r = value as Record<string, unknown>;
	if (r.version !== 1) throw new MalformedError('Stored identity', 'unknown version');
	if (typeof r.backup !== 'string') throw new MalformedError('Stored identity', 'no backup text');
	if (r.backup.length > MAX_BACKUP_TEXT_LENGTH)
		throw new TooLargeError('Stored key backup', r.backup.length, MAX_BACKUP_TEXT_LENGTH);
	if (!isMiaouId(r.id)) throw new MalformedError('Stored identity', 'bad id');
	if (typeof r.displayName !== 'string' || [...r.displayName].length > MAX_DISPLAY_NAME_LENGTH)
		throw new MalformedError('Stored identity', 'bad display name');
	if (!isTime(r.createdAt) || !isTime(r.savedAt)) throw new MalformedError('Stored identity', 'bad date');
	return {
		version: 1,
		id: r.id,
		displayName: r.displayName,
		backup: r.backup,
		createdAt: r.createdAt,
		savedAt: r.savedAt
	};
}

/**
 * In-memory KeyStorage (for tests and for browsers without IndexedDB): same checks, nothing kept
 * after the page closes.
 * @returns a fresh, empty storage
 */
export function memoryKeyStorage(): KeyStorage {
	let stored: unknown;
	return {
		load: async () => (stored === undefined ? undefined : parseStoredIdentity(structuredClone(stored))),
		save: async (record) => {
			stored = structuredClone(parseStoredIdentity(record));
		},
		clear: async () => {
			stored = undefined;
		}
	};
}

/** Options of indexedDbKeyStorage. */
export interface IndexedDbKeyStorageOptions {
	/** Database name (tests use their own); default KEY_DB_NAME. */
	name?: string;
	/** The IDBFactory; default the page's `indexedDB`. */
	factory?: IDBFactory;
}

/**
 * KeyStorage in IndexedDB: one record under a fixed key. The database opens on first use, so
 * importing this module costs nothing.
 * @param options - database name and factory
 * @returns the storage
 */
export function indexedDbKeyStorage(options: IndexedDbKeyStorageOptions = {}): KeyStorage {
	const name = options.name ?? KEY_DB_NAME;
	const open = () =>
		openDatabase(options.factory ?? globalThis.indexedDB, name, KEY_DB_VERSION, (db) => {
			if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE);
		});
	async function withStore<T>(mode: IDBTransactionMode, what: string, run: (store: IDBObjectStore) => IDBRequest<T>) {
		const db = await open();
		try {
			const tx = db.transaction(STORE, mode);
			// Both awaited together so that a failed request (which also aborts the transaction)
			// never leaves a rejected promise unobserved.
			const [result] = await Promise.all([settle(run(tx.objectStore(STORE)), what), committed(tx, what)]);
			return result;
		} finally {
			db.close();
		}
	}
	return {
		async load() {
			const value: unknown = await withStore('readonly', 'reading the identity', (s) => s.get(CURRENT));
			return value === undefined ? undefined : parseStoredIdentity(value);
		},
		async save(record) {
			const checked = parseStoredIdentity(record);
			await withStore('readwrite', 'saving the identity', (s) => s.put(checked, CURRENT));
		},
		async clear() {
			await withStore('readwrite', 'removing the identity', (s) => s.delete(CURRENT));
		}
	};
}

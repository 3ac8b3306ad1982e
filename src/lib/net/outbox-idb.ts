/**
 * Outbox storage in IndexedDB, for the web app: one object store keyed by item id. Writes ask
 * for `durability: 'strict'` (IndexedDB 3.0 §2.7.2), so a transaction reports completion only
 * once the data is flushed: an item the outbox said it saved survives a browser crash.
 */
import { BrowserStorageError } from '../core/errors.ts';
import type { OutboxItem, OutboxStorage } from './outbox.ts';

/** Name of the object store. */
export const OUTBOX_STORE = 'outbox';
/** Schema version of the database. */
export const OUTBOX_DB_VERSION = 1;

function promised<T>(request: IDBRequest<T>, what: string): Promise<T> {
	return new Promise((resolve, reject) => {
		request.onsuccess = () => resolve(request.result);
		request.onerror = () =>
			reject(
				new BrowserStorageError(`${what}: ${request.error?.message ?? 'unknown error'}`, { cause: request.error })
			);
	});
}

function completed(tx: IDBTransaction, what: string): Promise<void> {
	return new Promise((resolve, reject) => {
		tx.oncomplete = () => resolve();
		const fail = (): void =>
			reject(
				new BrowserStorageError(`${what}: ${tx.error?.message ?? 'the transaction was aborted'}`, { cause: tx.error })
			);
		tx.onerror = fail;
		tx.onabort = fail;
	});
}

/**
 * Outbox storage in an IndexedDB database.
 * @param dbName - the database name (one per identity, e.g. `miaou-outbox-<fingerprint>`)
 * @param factory - the IndexedDB factory (default: the global `indexedDB`)
 * @returns the storage
 * @throws {BrowserStorageError} from each call when IndexedDB is missing or refuses
 */
export function indexedDbOutboxStorage(
	dbName: string,
	factory: IDBFactory | undefined = globalThis.indexedDB
): OutboxStorage {
	let opening: Promise<IDBDatabase> | undefined;
	const db = (): Promise<IDBDatabase> =>
		(opening ??= new Promise<IDBDatabase>((resolve, reject) => {
			if (!factory) {
				reject(new BrowserStorageError('IndexedDB is not available in this browser'));
				return;
			}
			const request = factory.open(dbName, OUTBOX_DB_VERSION);
			request.onupgradeneeded = () => {
				if (!request.result.objectStoreNames.contains(OUTBOX_STORE))
					request.result.createObjectStore(OUTBOX_STORE, { keyPath: 'id' });
			};
			request.onblocked = () => reject(new BrowserStorageError('the outbox database is held open by an older tab'));
			request.onsuccess = () => {
				const database = request.result;
				// Another tab upgrading the schema: step aside rather than block it.
				database.onversionchange = () => database.close();
				resolve(database);
			};
			request.onerror = () =>
				reject(
					new BrowserStorageError(`cannot open the outbox: ${request.error?.message ?? 'unknown error'}`, {
						cause: request.error
					})
				);
		}).catch((error: unknown) => {
			opening = undefined;
			throw error;
		}));

	const write = async (what: string, apply: (store: IDBObjectStore) => void): Promise<void> => {
		const tx = (await db()).transaction(OUTBOX_STORE, 'readwrite', { durability: 'strict' });
		const done = completed(tx, what);
		apply(tx.objectStore(OUTBOX_STORE));
		await done;
	};

	return {
		async load() {
			const tx = (await db()).transaction(OUTBOX_STORE, 'readonly');
			return (await promised(tx.objectStore(OUTBOX_STORE).getAll(), 'reading the outbox')) as OutboxItem[];
		},
		save: (item) => write('saving to the outbox', (store) => store.put(structuredClone(item))),
		remove: (id) => write('removing from the outbox', (store) => store.delete(id))
	};
}

/**
 * The few IndexedDB calls the app's key storage needs, as promises. Failures become BrowserStorageError
 * (ERR_BROWSER_STORAGE) with the browser's reason as the cause, so the UI says "storage refused" rather
 * than showing a DOMException name.
 */
import { BrowserStorageError } from '../core/errors.ts';

/**
 * Wait for an IDBRequest.
 * @param request - a request just made
 * @param what - what it does, for the error message
 * @returns its result
 * @throws {BrowserStorageError} if the request fails
 */
export function settle<T>(request: IDBRequest<T>, what: string): Promise<T> {
	return new Promise((resolve, reject) => {
		request.onsuccess = () => resolve(request.result);
		request.onerror = () =>
			reject(new BrowserStorageError(`${what} (${request.error?.name ?? 'unknown'})`, { cause: request.error }));
	});
}

/**
 * Wait for a transaction to commit, so a write is durable before the caller goes on.
 * @param tx - the transaction
 * @param what - what it does, for the error message
 * @throws {BrowserStorageError} if it aborts or fails
 */
export function committed(tx: IDBTransaction, what: string): Promise<void> {
	return new Promise((resolve, reject) => {
		tx.oncomplete = () => resolve();
		const fail = () => reject(new BrowserStorageError(`${what} (${tx.error?.name ?? 'aborted'})`, { cause: tx.error }));
		tx.onerror = fail;
		tx.onabort = fail;
	});
}

/**
 * Open (creating or upgrading) a database.
 * @param factory - `indexedDB`, or another IDBFactory
 * @param name - database name
 * @param version - schema version
 * @param upgrade - creates the object stores the version needs
 * @returns the open database
 * @throws {BrowserStorageError} when IndexedDB is unavailable or the open is refused or blocked
 */
export function openDatabase(
	factory: IDBFactory | undefined,
	name: string,
	version: number,
	upgrade: (db: IDBDatabase, oldVersion: number) => void
): Promise<IDBDatabase> {
	if (!factory) return Promise.reject(new BrowserStorageError('IndexedDB is not available in this browser'));
	return new Promise((resolve, reject) => {
		let request: IDBOpenDBRequest;
		try {
			request = factory.open(name, version);
		} catch (cause) {
			reject(new BrowserStorageError(`opening ${name} was refused`, { cause }));
			return;
		}
		request.onupgradeneeded = (event) => upgrade(request.result, event.oldVersion);
		request.onsuccess = () => {
			const db = request.result;
			// Another tab upgrading the schema: close so it can proceed; this tab reopens next call.
			db.onversionchange = () => db.close();
			resolve(db);
		};
		request.onerror = () =>
			reject(
				new BrowserStorageError(`opening ${name} failed (${request.error?.name ?? 'unknown'})`, {
					cause: request.error
				})
			);
		request.onblocked = () => reject(new BrowserStorageError(`opening ${name} is blocked by another tab`));
	});
}

/**
 * The web app's history in IndexedDB, one sealed record per message (docs/messaging.md §History
 * at rest, issue 4 "long histories without slowdown"): adding a message writes one record of a
 * few hundred bytes, whatever the length of the history, and every read touches only what it
 * returns.
 *
 * Database `miaou-history-<identity id>`, version {@link HISTORY_DB_VERSION}:
 * - `messages`, key `[c, t, m]` = [conversation tag, sentAt, message tag] (history-record.ts), value
 *   `{ c, t, m, s: sealed message, u?: c when unread incoming, p?: 1 when unsettled outgoing }`.
 *   The key order is the conversation's order, so "latest N" and "N before X" are one cursor walk
 *   from a bound: O(log n + page). Indexes: `id` on `[c, m]` (one message, for receipts: O(log n)),
 *   `unread` on `u` (count and list of a conversation's unread), `unsettled` on `p`.
 * - `unread`, one record per conversation: key = its tag, value = how many incoming messages are
 *   unread, kept in the transaction that adds or updates a message, so a summary reads one number
 *   instead of counting a range, and the list of conversations is this store's keys.
 * - `processed`, key `e` = entry tag, value `{ e, d: mailbox day }`, index `day` on `d`.
 * - `meta`: `syncedDay` (a day number) and `migrated` (the old slot was imported).
 *
 * What IndexedDB shows without the key: how many records, their sizes, each message's send time
 * and which records share a conversation (same tag), which are unread incoming or unsettled
 * outgoing; not the contacts, ids, texts, directions or statuses.
 *
 * Writes ask for `durability: 'strict'` like storage-idb.ts: the messenger marks a box entry
 * handled after adding its message, and a ratchet key once used cannot open it again.
 *
 * Messages with the same `sentAt` are filed in tag order; every page is sorted by
 * {@link compareMessages} before it is returned.
 */
import { committed, openDatabase, settle } from '../browser/idb.ts';
import { BrowserStorageError, DecryptError } from '../core/errors.ts';
import type { RandomBytes } from '../core/random.ts';
import { openAtRest } from './at-rest.ts';
import {
	compareMessages,
	MAX_HISTORY_PAGE,
	type ChatMessage,
	type ConversationSummary,
	type HistorySnapshot,
	type HistoryStorage
} from './history.ts';
import { historyTagger, openHistoryRecord, sealHistoryRecord, type RecordPlace } from './history-record.ts';
import { decodeHistory } from './history-slot.ts';
import type { ByteSlot } from './slot.ts';

/** Schema version of the history database. */
export const HISTORY_DB_VERSION = 1;
/** Object store of the messages. */
export const MESSAGES_STORE = 'messages';
/** Object store of the handled mailbox entries. */
export const PROCESSED_STORE = 'processed';
/** Object store of the unread count of each conversation. */
export const UNREAD_STORE = 'unread';
/** Object store of the few single values. */
export const META_STORE = 'meta';
/** Messages imported per transaction from the old slot. */
export const MIGRATION_CHUNK = 2000;
/** The at-rest context of the old single-slot history (history-slot.ts). */
const SLOT_CONTEXT = 'history';

/** A stored message record. */
interface MessageRecord extends RecordPlace {
	s: Uint8Array;
	u?: string;
	p?: 1;
}

/** The old single-slot history, to import once. */
export interface LegacyHistorySlot extends ByteSlot {
	/** Remove the value; without it, an empty value is written in its place. */
	clear?(): Promise<void>;
}

/** Options of {@link indexedDbHistoryStorage}. */
export interface IndexedDbHistoryOptions {
	/** Database name, e.g. `miaou-history-<identity id>`. */
	dbName: string;
	/** `deriveAtRestKey(identity, 'history')`. */
	key: Uint8Array;
	/** The slot history-slot.ts kept the whole history in: imported on first open, then cleared. */
	legacy?: LegacyHistorySlot;
	/** The IndexedDB factory (default: the global `indexedDB`). */
	factory?: IDBFactory;
	/** Nonce source (default: WebCrypto). */
	random?: RandomBytes;
}

/** The history in IndexedDB. */
export interface IndexedDbHistory extends HistoryStorage {
	/**
	 * Open the database and import the old slot if one is left; every other call does it first.
	 * @returns how many messages were imported (0 when there was nothing to import)
	 */
	ready(): Promise<number>;
	/** Close the database (the next call opens it again). */
	close(): void;
}

const flags = (message: ChatMessage, c: string): Pick<MessageRecord, 'u' | 'p'> => ({
	...(message.direction === 'in' && message.status === 'received' ? { u: c } : {}),
	...(message.direction === 'out' && (message.status === 'pending' || message.status === 'sent')
		? { p: 1 as const }
		: {})
});

/**
 * The history in IndexedDB, one sealed record per message.
 * @param opts - database name, key, and the old slot to migrate from
 * @returns the storage; calls throw {@link BrowserStorageError} when IndexedDB refuses,
 *   {@link DecryptError} when a record was altered or moved (that record only: the others still read)
 * @throws {TypeError | RangeError} when the key is not 32 bytes
 */
export function indexedDbHistoryStorage(opts: IndexedDbHistoryOptions): IndexedDbHistory {
	const { key, random } = opts;
	const tags = historyTagger(key);
	const factory = opts.factory ?? globalThis.indexedDB;
	let opening: Promise<IDBDatabase> | undefined;
	let preparing: Promise<number> | undefined;

	const database = (): Promise<IDBDatabase> => {
		if (opening) return opening;
		const attempt: Promise<IDBDatabase> = openDatabase(factory, opts.dbName, HISTORY_DB_VERSION, (db) => {
			if (!db.objectStoreNames.contains(MESSAGES_STORE)) {
				const messages = db.createObjectStore(MESSAGES_STORE, { keyPath: ['c', 't', 'm'] });
				messages.createIndex('id', ['c', 'm'], { unique: true });
				messages.createIndex('unread', 'u');
				messages.createIndex('unsettled', 'p');
			}
			if (!db.objectStoreNames.contains(UNREAD_STORE)) db.createObjectStore(UNREAD_STORE);
			if (!db.objectStoreNames.contains(PROCESSED_STORE))
				db.createObjectStore(PROCESSED_STORE, { keyPath: 'e' }).createIndex('day', 'd');
			if (!db.objectStoreNames.contains(META_STORE)) db.createObjectStore(META_STORE);
		}).then(
			(db) => {
				// Closed by another tab's upgrade (idb.ts) or by the browser: the next call opens again.
				const forget = () => {
					if (opening === attempt) opening = undefined;
				};
				db.addEventListener('versionchange', forget);
				db.addEventListener('close', forget);
				return db;
			},
			(error: unknown) => {
				if (opening === attempt) opening = undefined;
				throw error;
			}
		);
		return (opening = attempt);
	};

	const record = (message: ChatMessage): MessageRecord => {
		const c = tags.conversation(message.contact);
		const place = { c, t: message.sentAt, m: tags.message(message.contact, message.id) };
		return { ...place, s: sealHistoryRecord(key, message, place, random), ...flags(message, c) };
	};
	const open = (value: unknown): ChatMessage => {
		const r = value as MessageRecord;
		if (typeof r !== 'object' || r === null || typeof r.c !== 'string' || typeof r.m !== 'string')
			throw new BrowserStorageError('a history record is not a record');
		return openHistoryRecord(key, r.s, { c: r.c, t: r.t, m: r.m });
	};

	// The old slot is imported, then `migrated` is set; the slot is cleared only after that
	// commits. A crash before leaves the slot whole (imported again next time); a crash after it
	// leaves `migrated` set, so the next open only clears the slot.
	const migrate = async (db: IDBDatabase): Promise<number> => {
		const legacy = opts.legacy;
		if (!legacy) return 0;
		const sealed = await legacy.read();
		if (!sealed || sealed.length === 0) return 0;
		const done = await settle(db.transaction(META_STORE).objectStore(META_STORE).get('migrated'), 'reading history');
		let imported = 0;
		if (done !== true) {
			const snapshot: HistorySnapshot = decodeHistory(openAtRest(key, sealed, SLOT_CONTEXT));
			const conversations = new Set<string>();
			// Chunks of MIGRATION_CHUNK messages, each sealed then written in its own transaction:
			// one transaction of 50,000 puts is slower, and holds every sealed record at once. A
			// crash between chunks leaves `migrated` unset, so the next open imports again, over the
			// same keys (`put`); the unread counts are then counted from the `unread` index, which
			// holds each record once whatever was there before: nothing twice, nothing lost.
			for (let at = 0; at < snapshot.messages.length; at += MIGRATION_CHUNK) {
				const records = snapshot.messages.slice(at, at + MIGRATION_CHUNK).map(record);
				for (const r of records) conversations.add(r.c);
				const tx = db.transaction(MESSAGES_STORE, 'readwrite', { durability: 'strict' });
				const commit = committed(tx, 'importing the history');
				const messages = tx.objectStore(MESSAGES_STORE);
				for (const r of records) messages.put(r);
				await commit;
			}
			const entries = snapshot.processed.map(([entry, d]) => ({ e: tags.entry(entry), d }));
			const tx = db.transaction([MESSAGES_STORE, UNREAD_STORE, PROCESSED_STORE, META_STORE], 'readwrite', {
				durability: 'strict'
			});
			const commit = committed(tx, 'importing the history');
			const counts = tx.objectStore(UNREAD_STORE);
			const index = tx.objectStore(MESSAGES_STORE).index('unread');
			for (const c of conversations) {
				const n = index.count(c);
				n.onsuccess = () => counts.put(n.result, c);
			}
			const processed = tx.objectStore(PROCESSED_STORE);
			for (const e of entries) processed.put(e);
			const meta = tx.objectStore(META_STORE);
			if (snapshot.syncedDay !== undefined) meta.put(snapshot.syncedDay, 'syncedDay');
			meta.put(true, 'migrated');
			await commit;
			imported = snapshot.messages.length;
		}
		await (legacy.clear ? legacy.clear() : legacy.write(new Uint8Array(0)));
		return imported;
	};

	const ready = (): Promise<number> =>
		(preparing ??= database()
			.then(migrate)
			.catch((error: unknown) => {
				preparing = undefined;
				throw error;
			}));

	/**
	 * Run `fn` in a transaction once ready; resolves, after the commit, with what `fn` passed to
	 * `done`. Request callbacks go through `guard`: what they throw aborts the transaction and is
	 * what the call throws.
	 */
	const transact = async <T>(
		stores: string | string[],
		mode: IDBTransactionMode,
		what: string,
		fn: (tx: IDBTransaction, done: (value: T) => void, guard: (cb: () => void) => () => void) => void
	): Promise<T> => {
		await ready();
		const db = await database();
		let tx: IDBTransaction;
		try {
			tx = db.transaction(stores, mode, mode === 'readwrite' ? { durability: 'strict' } : undefined);
		} catch (cause) {
			opening = undefined; // closed under us: open again on the next call
			throw new BrowserStorageError(`${what} (the database was closed)`, { cause });
		}
		const commit = committed(tx, what);
		let result: T | undefined;
		let failure: unknown;
		const guard = (cb: () => void) => () => {
			try {
				cb();
			} catch (error) {
				failure ??= error;
				tx.abort();
			}
		};
		guard(() => fn(tx, (value) => (result = value), guard))();
		try {
			await commit;
		} catch (error) {
			failure ??= error;
		}
		if (failure !== undefined) throw failure;
		return result as T;
	};

	/** Add `delta` to a conversation's unread count, inside the transaction that changed it. */
	const count = (tx: IDBTransaction, c: string, delta: number, guard: (cb: () => void) => () => void) => {
		const counts = tx.objectStore(UNREAD_STORE);
		const request = counts.get(c);
		request.onsuccess = guard(() => {
			if (typeof request.result === 'number' && delta === 0) return;
			counts.put(Math.max(0, (typeof request.result === 'number' ? request.result : 0) + delta), c);
		});
	};

	const conversationRange = (c: string, before?: number) =>
		IDBKeyRange.bound([c], before === undefined ? [c, []] : [c, before], false, true);

	return {
		ready,
		async add(message) {
			const r = record(message);
			return transact<boolean>([MESSAGES_STORE, UNREAD_STORE], 'readwrite', 'saving a message', (tx, done, guard) => {
				const store = tx.objectStore(MESSAGES_STORE);
				const found = store.index('id').getKey([r.c, r.m]);
				found.onsuccess = guard(() => {
					if (found.result !== undefined) return done(false);
					store.put(r);
					count(tx, r.c, r.u !== undefined ? 1 : 0, guard);
					done(true);
				});
			});
		},
		async get(contact, id) {
			const c = tags.conversation(contact);
			const value = await transact<unknown>(MESSAGES_STORE, 'readonly', 'reading a message', (tx, done) => {
				const request = tx
					.objectStore(MESSAGES_STORE)
					.index('id')
					.get([c, tags.message(contact, id)]);
				request.onsuccess = () => done(request.result);
			});
			if (value === undefined) return undefined;
			const message = open(value);
			if (message.contact !== contact || message.id !== id) throw new DecryptError('a stored message (not its own)');
			return message;
		},
		async update(contact, id, patch) {
			const c = tags.conversation(contact);
			return transact<ChatMessage | undefined>(
				[MESSAGES_STORE, UNREAD_STORE],
				'readwrite',
				'updating a message',
				(tx, done, guard) => {
					const store = tx.objectStore(MESSAGES_STORE);
					const request = store.index('id').get([c, tags.message(contact, id)]);
					// Read, open, patch, seal and put in one transaction: two updates never interleave.
					request.onsuccess = guard(() => {
						if (request.result === undefined) return done(undefined);
						const message = open(request.result);
						message.status = patch.status;
						if (patch.error) message.error = { ...patch.error };
						else delete message.error;
						const next = record(message);
						store.put(next);
						const was = (request.result as MessageRecord).u !== undefined;
						if (was !== (next.u !== undefined)) count(tx, c, was ? -1 : 1, guard);
						done(message);
					});
				}
			);
		},
		async list(contact, o = {}) {
			const limit = Math.max(0, Math.min(o.limit ?? MAX_HISTORY_PAGE, MAX_HISTORY_PAGE));
			if (limit === 0) return [];
			const range = conversationRange(tags.conversation(contact), o.before);
			const values = await transact<unknown[]>(MESSAGES_STORE, 'readonly', 'reading messages', (tx, done) => {
				const out: unknown[] = [];
				const cursor = tx.objectStore(MESSAGES_STORE).openCursor(range, 'prev');
				cursor.onsuccess = () => {
					const at = cursor.result;
					if (at) out.push(at.value);
					if (at && out.length < limit) at.continue();
					else done(out);
				};
			});
			return values.map(open).sort(compareMessages);
		},
		async unread(contact) {
			const c = tags.conversation(contact);
			const values = await transact<unknown[]>(MESSAGES_STORE, 'readonly', 'reading unread messages', (tx, done) => {
				const request = tx.objectStore(MESSAGES_STORE).index('unread').getAll(c);
				request.onsuccess = () => done(request.result);
			});
			return values.map(open).sort(compareMessages);
		},
		async unsettled() {
			const values = await transact<unknown[]>(MESSAGES_STORE, 'readonly', 'reading unsent messages', (tx, done) => {
				const request = tx.objectStore(MESSAGES_STORE).index('unsettled').getAll(1);
				request.onsuccess = () => done(request.result);
			});
			return values.map(open).sort(compareMessages);
		},
		async conversations() {
			// One record per conversation in `unread`; each one's last message is the first step of a
			// backward cursor from the end of its key range: O(conversations · log n).
			const found = await transact<{ last: unknown; unread: unknown }[]>(
				[MESSAGES_STORE, UNREAD_STORE],
				'readonly',
				'reading conversations',
				(tx, done) => {
					const messages = tx.objectStore(MESSAGES_STORE);
					const out: { last: unknown; unread: unknown }[] = [];
					const cursor = tx.objectStore(UNREAD_STORE).openCursor();
					cursor.onsuccess = () => {
						const at = cursor.result;
						if (!at) return done(out);
						const entry = { last: undefined as unknown, unread: at.value };
						out.push(entry);
						const last = messages.openCursor(conversationRange(String(at.key)), 'prev');
						last.onsuccess = () => (entry.last = last.result?.value);
						at.continue();
					};
				}
			);
			const out: ConversationSummary[] = [];
			for (const f of found) {
				if (f.last === undefined) continue;
				const last = open(f.last);
				out.push({ contact: last.contact, last, unread: typeof f.unread === 'number' ? f.unread : 0 });
			}
			return out.sort((a, b) => compareMessages(b.last, a.last));
		},
		async isProcessed(entry) {
			const e = tags.entry(entry);
			return transact<boolean>(PROCESSED_STORE, 'readonly', 'reading handled entries', (tx, done) => {
				const request = tx.objectStore(PROCESSED_STORE).getKey(e);
				request.onsuccess = () => done(request.result !== undefined);
			});
		},
		async markProcessed(entry, day) {
			const e = tags.entry(entry);
			await transact<void>(PROCESSED_STORE, 'readwrite', 'saving a handled entry', (tx) => {
				tx.objectStore(PROCESSED_STORE).put({ e, d: day });
			});
		},
		async forgetProcessed(beforeDay) {
			await transact<void>(PROCESSED_STORE, 'readwrite', 'forgetting handled entries', (tx) => {
				const cursor = tx.objectStore(PROCESSED_STORE).index('day').openCursor(IDBKeyRange.upperBound(beforeDay, true));
				cursor.onsuccess = () => {
					const at = cursor.result;
					if (!at) return;
					at.delete();
					at.continue();
				};
			});
		},
		async syncedDay() {
			const value = await transact<unknown>(META_STORE, 'readonly', 'reading the synced day', (tx, done) => {
				const request = tx.objectStore(META_STORE).get('syncedDay');
				request.onsuccess = () => done(request.result);
			});
			if (value !== undefined && !Number.isSafeInteger(value))
				throw new BrowserStorageError('the synced day is not an integer');
			return value as number | undefined;
		},
		async setSyncedDay(day) {
			await transact<void>(META_STORE, 'readwrite', 'saving the synced day', (tx) => {
				tx.objectStore(META_STORE).put(day, 'syncedDay');
			});
		},
		close() {
			const closing = opening;
			opening = undefined;
			preparing = undefined;
			void closing?.then((db) => db.close()).catch(() => {});
		}
	};
}

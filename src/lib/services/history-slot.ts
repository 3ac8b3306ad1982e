/**
 * History kept in one sealed byte slot (the web app's store until history-idb.ts replaced it with
 * one sealed IndexedDB record per message, and migrates it from here). The whole history is held in memory (history.ts) and written
 * back, sealed (at-rest.ts), after every change before the call returns; writes are serialized
 * and coalesced. Fit for the CLI's histories (thousands of messages), not for 10⁶.
 *
 * Snapshot format, version 1: UTF-8 JSON `{ "v": 1, "messages": ChatMessage[], "processed":
 * [entry, day][], "syncedDay"?: number }`, every field checked on load.
 */
import { fromUtf8, utf8 } from '../core/bytes.ts';
import { MalformedError, TooLargeError, UnsupportedVersionError } from '../core/errors.ts';
import type { RandomBytes } from '../core/random.ts';
import { openAtRest, sealAtRest } from './at-rest.ts';
import { memoryHistoryStorage, type ChatMessage, type HistorySnapshot, type HistoryStorage } from './history.ts';
import { checkHistoryMessage } from './history-record.ts';
import type { ByteSlot } from './slot.ts';

/** Version of the snapshot format. */
export const HISTORY_SNAPSHOT_VERSION = 1;
/** Largest snapshot read, checked before parsing. */
export const MAX_HISTORY_SNAPSHOT_BYTES = 64 * 1024 * 1024;

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Encode a history snapshot.
 * @param snapshot - from `memoryHistoryStorage().snapshot()`
 * @returns UTF-8 JSON
 */
export function encodeHistory(snapshot: HistorySnapshot): Uint8Array {
	return utf8(JSON.stringify({ v: HISTORY_SNAPSHOT_VERSION, ...snapshot }));
}

/**
 * Decode a history snapshot, size-checked first, every message checked.
 * @param bytes - what {@link encodeHistory} wrote
 * @returns the snapshot
 * @throws {TooLargeError} over {@link MAX_HISTORY_SNAPSHOT_BYTES}
 * @throws {UnsupportedVersionError} on another version
 * @throws {MalformedError} on anything else that is wrong
 */
export function decodeHistory(bytes: Uint8Array): HistorySnapshot {
	if (bytes.length > MAX_HISTORY_SNAPSHOT_BYTES)
		throw new TooLargeError('History', bytes.length, MAX_HISTORY_SNAPSHOT_BYTES);
	let raw: unknown;
	try {
		raw = JSON.parse(fromUtf8(bytes));
	} catch {
		throw new MalformedError('History', 'not JSON');
	}
	if (typeof raw !== 'object' || raw === null) throw new MalformedError('History', 'not an object');
	const o = raw as Record<string, unknown>;
	if (o.v !== HISTORY_SNAPSHOT_VERSION) throw new UnsupportedVersionError('History', String(o.v));
	if (!Array.isArray(o.messages) || !Array.isArray(o.processed)) throw new MalformedError('History', 'bad lists');
	const processed = o.processed.map((p): [string, number] => {
		if (!Array.isArray(p) || typeof p[0] !== 'string' || p[0].length > 256 || !isTime(p[1]))
			throw new MalformedError('History', 'bad processed entry');
		return [p[0], p[1]];
	});
	if (o.syncedDay !== undefined && !isTime(o.syncedDay)) throw new MalformedError('History', 'bad synced day');
	return {
		messages: o.messages.map(checkHistoryMessage),
		processed,
		...(o.syncedDay !== undefined ? { syncedDay: o.syncedDay as number } : {})
	};
}

/**
 * History sealed into a byte slot.
 * @param slot - where the sealed snapshot goes
 * @param key - `deriveAtRestKey(identity, 'history')`
 * @param random - nonce source
 * @returns the storage; the first call loads the slot (DecryptError with another identity's key)
 */
export function slotHistoryStorage(slot: ByteSlot, key: Uint8Array, random?: RandomBytes): HistoryStorage {
	const context = 'history';
	let inner: (HistoryStorage & { snapshot(): HistorySnapshot }) | undefined;
	let loading: Promise<HistoryStorage & { snapshot(): HistorySnapshot }> | undefined;
	let dirty = false;
	let writing: Promise<void> = Promise.resolve();

	const ready = () =>
		(loading ??= (async () => {
			const sealed = await slot.read();
			const initial = sealed ? decodeHistory(openAtRest(key, sealed, context)) : undefined;
			inner = memoryHistoryStorage({ ...(initial ? { initial } : {}), onChange: () => (dirty = true) });
			return inner;
		})().catch((error: unknown) => {
			loading = undefined;
			throw error;
		}));

	// Every change is on disk before the call that made it returns; changes made while a write
	// runs go out together in the next one.
	const persist = (): Promise<void> => {
		const run = writing.then(async () => {
			if (!dirty || !inner) return;
			dirty = false;
			await slot.write(sealAtRest(key, encodeHistory(inner.snapshot()), context, random));
		});
		writing = run.catch(() => {
			dirty = true;
		});
		return run;
	};

	const read =
		<A extends unknown[], R>(fn: (h: HistoryStorage, ...args: A) => Promise<R>) =>
		async (...args: A): Promise<R> =>
			fn(await ready(), ...args);
	const write =
		<A extends unknown[], R>(fn: (h: HistoryStorage, ...args: A) => Promise<R>) =>
		async (...args: A): Promise<R> => {
			const result = await fn(await ready(), ...args);
			await persist();
			return result;
		};

	return {
		add: write((h, message: ChatMessage) => h.add(message)),
		get: read((h, contact: ChatMessage['contact'], id: string) => h.get(contact, id)),
		update: write((h, contact: ChatMessage['contact'], id: string, patch: Parameters<HistoryStorage['update']>[2]) =>
			h.update(contact, id, patch)
		),
		list: read((h, contact: ChatMessage['contact'], o?: Parameters<HistoryStorage['list']>[1]) => h.list(contact, o)),
		unread: read((h, contact: ChatMessage['contact']) => h.unread(contact)),
		unsettled: read((h) => h.unsettled()),
		conversations: read((h) => h.conversations()),
		isProcessed: read((h, entry: string) => h.isProcessed(entry)),
		markProcessed: write((h, entry: string, day: number) => h.markProcessed(entry, day)),
		forgetProcessed: write((h, day: number) => h.forgetProcessed(day)),
		syncedDay: read((h) => h.syncedDay()),
		setSyncedDay: write((h, day: number) => h.setSyncedDay(day))
	};
}

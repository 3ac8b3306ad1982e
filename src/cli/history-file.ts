/**
 * The CLI's message history in one sealed file (docs/cli.md "Data directory"): the services'
 * in-memory history (src/lib/services/history.ts) loaded from, and saved to, a byte slot
 * (a file, written atomically) sealed under the identity's at-rest key for `history`
 * (src/lib/services/at-rest.ts), so a copied data directory shows nothing without the passphrase.
 *
 * Saving is coalesced: changes mark the history dirty and one write runs at a time; `flush`
 * waits until every change is on disk (a command calls it before it exits).
 */
import { fromUtf8, utf8 } from '../lib/core/bytes.ts';
import { MalformedError, UnsupportedVersionError } from '../lib/core/errors.ts';
import { isMiaouId } from '../lib/core/identity.ts';
import { openAtRest, sealAtRest } from '../lib/services/at-rest.ts';
import {
	memoryHistoryStorage,
	type ChatMessage,
	type HistorySnapshot,
	type HistoryStorage
} from '../lib/services/history.ts';
import type { ByteSlot } from '../lib/services/slot.ts';

/** Version of the sealed history content. */
export const HISTORY_FILE_VERSION = 1;
/** Most messages kept in the file (the oldest are dropped beyond it). */
export const MAX_HISTORY_MESSAGES = 20_000;
/** Most handled mailbox entries remembered. */
export const MAX_PROCESSED_ENTRIES = 100_000;

const CONTEXT = 'cli-history';
const STATUSES = new Set(['pending', 'sent', 'stored', 'delivered', 'read', 'failed', 'received']);

/** A history kept in a file. */
export interface FileHistory extends HistoryStorage {
	/** Write every change made so far; resolves once it is on disk. */
	flush(): Promise<void>;
}

function bad(detail: string): MalformedError {
	return new MalformedError('The history file', detail);
}

function checkMessage(value: unknown): ChatMessage {
	if (typeof value !== 'object' || value === null) throw bad('a message is not an object');
	const m = value as Record<string, unknown>;
	if (typeof m.id !== 'string' || m.id.length > 64) throw bad('a message id is not a short string');
	if (!isMiaouId(m.contact)) throw bad('a message contact is not a Miaou id');
	if (m.direction !== 'in' && m.direction !== 'out') throw bad('a message direction is unknown');
	if (typeof m.text !== 'string') throw bad('a message text is not a string');
	if (typeof m.sentAt !== 'number' || !Number.isSafeInteger(m.sentAt)) throw bad('a message time is not an integer');
	if (m.receivedAt !== undefined && (typeof m.receivedAt !== 'number' || !Number.isSafeInteger(m.receivedAt)))
		throw bad('a message receive time is not an integer');
	if (typeof m.status !== 'string' || !STATUSES.has(m.status)) throw bad('a message status is unknown');
	const message: ChatMessage = {
		id: m.id,
		contact: m.contact,
		direction: m.direction,
		text: m.text,
		sentAt: m.sentAt,
		status: m.status as ChatMessage['status']
	};
	if (typeof m.receivedAt === 'number') message.receivedAt = m.receivedAt;
	const error = m.error as { code?: unknown; message?: unknown } | undefined;
	if (error !== undefined) {
		if (typeof error?.code !== 'string' || typeof error.message !== 'string') throw bad('a message error is malformed');
		message.error = { code: error.code, message: error.message };
	}
	return message;
}

/**
 * Decode the plaintext of a history file.
 * @param bytes - the opened (decrypted) content
 * @returns the snapshot
 * @throws {MalformedError | UnsupportedVersionError} when it is not a history of this version
 */
export function decodeHistory(bytes: Uint8Array): HistorySnapshot {
	let data: unknown;
	try {
		data = JSON.parse(fromUtf8(bytes));
	} catch {
		throw bad('not JSON');
	}
	if (typeof data !== 'object' || data === null) throw bad('not an object');
	const d = data as Record<string, unknown>;
	if (d.v !== HISTORY_FILE_VERSION) throw new UnsupportedVersionError('The history file', String(d.v));
	if (!Array.isArray(d.messages) || d.messages.length > MAX_HISTORY_MESSAGES) throw bad('its messages are not a list');
	if (!Array.isArray(d.processed) || d.processed.length > MAX_PROCESSED_ENTRIES)
		throw bad('its handled entries are not a list');
	const processed: [string, number][] = d.processed.map((p: unknown) => {
		if (!Array.isArray(p) || typeof p[0] !== 'string' || typeof p[1] !== 'number')
			throw bad('a handled entry is malformed');
		return [p[0], p[1]];
	});
	const snapshot: HistorySnapshot = { messages: d.messages.map(checkMessage), processed };
	if (d.syncedDay !== undefined) {
		if (typeof d.syncedDay !== 'number' || !Number.isSafeInteger(d.syncedDay))
			throw bad('its synced day is not an integer');
		snapshot.syncedDay = d.syncedDay;
	}
	return snapshot;
}

/**
 * Encode a history snapshot (before sealing), keeping the latest MAX_HISTORY_MESSAGES messages.
 * @param snapshot - from `memoryHistoryStorage().snapshot()`
 * @returns UTF-8 JSON
 */
export function encodeHistory(snapshot: HistorySnapshot): Uint8Array {
	const messages =
		snapshot.messages.length > MAX_HISTORY_MESSAGES
			? [...snapshot.messages].sort((a, b) => a.sentAt - b.sentAt).slice(-MAX_HISTORY_MESSAGES)
			: snapshot.messages;
	return utf8(
		JSON.stringify({
			v: HISTORY_FILE_VERSION,
			messages,
			processed: snapshot.processed.slice(-MAX_PROCESSED_ENTRIES),
			...(snapshot.syncedDay !== undefined ? { syncedDay: snapshot.syncedDay } : {})
		})
	);
}

/**
 * Open the history kept in a slot.
 * @param slot - where the sealed history is (a file)
 * @param key - `deriveAtRestKey(identity, 'history')`
 * @returns the history; call `flush` before exiting
 * @throws {DecryptError} when the file does not open with this identity's key
 * @throws {MalformedError | UnsupportedVersionError | TooLargeError | FileAccessError}
 */
export async function openFileHistory(slot: ByteSlot, key: Uint8Array): Promise<FileHistory> {
	const sealed = await slot.read();
	const initial = sealed ? decodeHistory(openAtRest(key, sealed, CONTEXT)) : undefined;
	let dirty = false;
	let writing: Promise<void> = Promise.resolve();
	const memory = memoryHistoryStorage({
		...(initial ? { initial } : {}),
		onChange: () => {
			dirty = true;
		}
	});
	const flush = (): Promise<void> => {
		const next = writing.then(async () => {
			if (!dirty) return;
			dirty = false;
			try {
				await slot.write(sealAtRest(key, encodeHistory(memory.snapshot()), CONTEXT));
			} catch (error) {
				dirty = true; // still to be written by the next flush
				throw error;
			}
		});
		writing = next.catch(() => {});
		return next;
	};
	return { ...memory, flush };
}

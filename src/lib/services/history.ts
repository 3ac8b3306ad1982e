/**
 * The local history of conversations (docs/messaging.md §History): every message sent or opened,
 * with its delivery state, plus the messenger's mailbox bookkeeping (which box entries were
 * already handled, and up to which day the mailboxes were read), so that a restart neither shows
 * a message twice nor fetches every envelope again.
 *
 * Messages of a conversation are ordered by the sender's clock (`sentAt`, carried inside the
 * encryption, see chat-content.ts), then by id: the same order on both sides whatever order the
 * relay delivered them in.
 */
import type { MiaouId } from '../core/identity.ts';
import type { StorageCallOptions } from './sessions.ts';

/** States of a message I sent, in the order they are reached (issue 4: sent, stored, delivered, read). */
export const OUTGOING_STATUSES = ['pending', 'sent', 'stored', 'delivered', 'read'] as const;
/** A message I sent: waiting, left this device, stored by a relay, opened by them, read by them; or failed. */
export type OutgoingStatus = (typeof OUTGOING_STATUSES)[number] | 'failed';
/** A message I received: opened (and a delivery receipt sent), then read (a read receipt sent). */
export type IncomingStatus = 'received' | 'read';
export type MessageStatus = OutgoingStatus | IncomingStatus;

/** Most messages one {@link HistoryStorage.list} call returns. */
export const MAX_HISTORY_PAGE = 1000;

/** One message of a conversation. */
export interface ChatMessage {
	/** The message id (16 random bytes, base64url): unique per conversation, used by receipts. */
	id: string;
	/** The other party. */
	contact: MiaouId;
	direction: 'in' | 'out';
	text: string;
	/** The sender's clock when it was sent (ms since the epoch). */
	sentAt: number;
	/** When this device opened it (incoming only). */
	receivedAt?: number;
	status: MessageStatus;
	/** Why it failed (outgoing, status `failed`). */
	error?: { code: string; message: string };
}

/** The summary a chat list shows. */
export interface ConversationSummary {
	contact: MiaouId;
	last: ChatMessage;
	/** Incoming messages not yet marked read. */
	unread: number;
}

/** Where the history and the mailbox bookkeeping are kept. */
export interface HistoryStorage {
	/**
	 * Add a message unless one with the same contact and id is held.
	 * @returns false when it was already there (a duplicate)
	 */
	add(message: ChatMessage, opts?: StorageCallOptions): Promise<boolean>;
	/** One message, or undefined. */
	get(contact: MiaouId, id: string, opts?: StorageCallOptions): Promise<ChatMessage | undefined>;
	/**
	 * Change a message's status (and error).
	 * @returns the updated message, or undefined when it is not held
	 */
	update(
		contact: MiaouId,
		id: string,
		patch: { status: MessageStatus; error?: ChatMessage['error'] },
		opts?: StorageCallOptions
	): Promise<ChatMessage | undefined>;
	/**
	 * A page of a conversation, oldest first: the `limit` latest messages sent before `before`
	 * (default: all the latest). When the page's edge falls among messages of one `sentAt`, which
	 * of them are in it depends on the adapter (IndexedDB files them by a keyed hash): to page
	 * back without a gap, ask with `before` = the oldest held `sentAt` + 1 and drop duplicates.
	 * @param opts.before - a `sentAt`; only older messages are returned
	 * @param opts.limit - at most this many (default and cap {@link MAX_HISTORY_PAGE})
	 */
	list(contact: MiaouId, opts?: StorageCallOptions & { before?: number; limit?: number }): Promise<ChatMessage[]>;
	/** Incoming messages of a conversation still `received` (no read receipt sent), oldest first. */
	unread(contact: MiaouId, opts?: StorageCallOptions): Promise<ChatMessage[]>;
	/** Outgoing messages still `pending` or `sent`, in every conversation. */
	unsettled(opts?: StorageCallOptions): Promise<ChatMessage[]>;
	/** Every conversation with its latest message, latest first. */
	conversations(opts?: StorageCallOptions): Promise<ConversationSummary[]>;
	/** Whether a box entry (`<mailbox>/<entry id>`) was already handled. */
	isProcessed(entry: string, opts?: StorageCallOptions): Promise<boolean>;
	/** Remember a handled box entry, filed under its mailbox day (for {@link forgetProcessed}). */
	markProcessed(entry: string, day: number, opts?: StorageCallOptions): Promise<void>;
	/** Forget handled entries of days before `day` (their mailboxes are no longer read). */
	forgetProcessed(beforeDay: number, opts?: StorageCallOptions): Promise<void>;
	/** The last day whose mailboxes were read completely, if any. */
	syncedDay(opts?: StorageCallOptions): Promise<number | undefined>;
	/** Record that every mailbox up to `day` was read. */
	setSyncedDay(day: number, opts?: StorageCallOptions): Promise<void>;
}

/**
 * The order of a conversation: by `sentAt`, then by id.
 * @returns negative, zero or positive, as `Array.prototype.sort` expects
 */
export function compareMessages(a: ChatMessage, b: ChatMessage): number {
	return a.sentAt - b.sentAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Everything a {@link memoryHistoryStorage} holds, as plain data (for a persistent adapter). */
export interface HistorySnapshot {
	messages: ChatMessage[];
	processed: [entry: string, day: number][];
	syncedDay?: number;
}

const copy = <T>(value: T): T => structuredClone(value);

/**
 * History in memory: per conversation, a sorted array (insertion by binary search, so appending
 * the latest message costs O(log n) comparisons and a page read is a slice).
 * @param opts.initial - a snapshot to start from
 * @param opts.onChange - called after every change (a persistent adapter saves then)
 * @returns the storage, plus `snapshot()` for persistence and tests
 */
export function memoryHistoryStorage(
	opts: { initial?: HistorySnapshot; onChange?: () => void } = {}
): HistoryStorage & { snapshot(): HistorySnapshot } {
	const conversations = new Map<MiaouId, ChatMessage[]>();
	const byKey = new Map<string, ChatMessage>();
	const processed = new Map<string, number>();
	let synced: number | undefined = opts.initial?.syncedDay;
	const changed = opts.onChange ?? (() => {});
	const key = (contact: MiaouId, id: string) => `${contact}\u0000${id}`;

	const insert = (message: ChatMessage): boolean => {
		if (byKey.has(key(message.contact, message.id))) return false;
		let list = conversations.get(message.contact);
		if (!list) conversations.set(message.contact, (list = []));
		let lo = 0;
		let hi = list.length;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (compareMessages(list[mid]!, message) <= 0) lo = mid + 1;
			else hi = mid;
		}
		list.splice(lo, 0, message);
		byKey.set(key(message.contact, message.id), message);
		return true;
	};
	for (const m of opts.initial?.messages ?? []) insert(copy(m));
	for (const [entry, day] of opts.initial?.processed ?? []) processed.set(entry, day);

	return {
		async add(message) {
			const added = insert(copy(message));
			if (added) changed();
			return added;
		},
		async get(contact, id) {
			const m = byKey.get(key(contact, id));
			return m && copy(m);
		},
		async update(contact, id, patch) {
			const m = byKey.get(key(contact, id));
			if (!m) return undefined;
			m.status = patch.status;
			if (patch.error) m.error = { ...patch.error };
			else delete m.error;
			changed();
			return copy(m);
		},
		async list(contact, o = {}) {
			const list = conversations.get(contact) ?? [];
			const limit = Math.max(0, Math.min(o.limit ?? MAX_HISTORY_PAGE, MAX_HISTORY_PAGE));
			let end = list.length;
			if (o.before !== undefined) {
				let lo = 0;
				let hi = list.length;
				while (lo < hi) {
					const mid = (lo + hi) >> 1;
					if (list[mid]!.sentAt < o.before) lo = mid + 1;
					else hi = mid;
				}
				end = lo;
			}
			return list.slice(Math.max(0, end - limit), end).map(copy);
		},
		async unread(contact) {
			return (conversations.get(contact) ?? [])
				.filter((m) => m.direction === 'in' && m.status === 'received')
				.map(copy);
		},
		async unsettled() {
			return [...byKey.values()]
				.filter((m) => m.direction === 'out' && (m.status === 'pending' || m.status === 'sent'))
				.sort(compareMessages)
				.map(copy);
		},
		async conversations() {
			const out: ConversationSummary[] = [];
			for (const [contact, list] of conversations) {
				const last = list[list.length - 1];
				if (!last) continue;
				const unread = list.filter((m) => m.direction === 'in' && m.status === 'received').length;
				out.push({ contact, last: copy(last), unread });
			}
			return out.sort((a, b) => compareMessages(b.last, a.last));
		},
		async isProcessed(entry) {
			return processed.has(entry);
		},
		async markProcessed(entry, day) {
			processed.set(entry, day);
			changed();
		},
		async forgetProcessed(beforeDay) {
			let removed = false;
			for (const [entry, day] of processed)
				if (day < beforeDay) {
					processed.delete(entry);
					removed = true;
				}
			if (removed) changed();
		},
		async syncedDay() {
			return synced;
		},
		async setSyncedDay(day) {
			synced = day;
			changed();
		},
		snapshot() {
			const messages = [...conversations.values()].flat().map(copy);
			return { messages, processed: [...processed], ...(synced !== undefined ? { syncedDay: synced } : {}) };
		}
	};
}

/**
 * The messenger (docs/messaging.md): one-to-one chats over the record store (mailbox pointers)
 * and the blob store (the envelopes), with the ratchet sessions, the outbox and the history.
 *
 * Sending: the session with the contact (or a new one from their verified profile) encrypts the
 * chat body (chat-content.ts) into an envelope (docs/protocol.md); the session is saved, the
 * message goes to the history as `pending` and to the outbox, which — now and on every retry —
 * puts the envelope in the blob store, signs a sealed `box` entry with a one-time key and proof of
 * work (records.ts `signRecord`) pointing at its CID, and publishes it in the recipient's mailbox
 * for that day (mailbox.ts): their first-contact inbox until they answered, then our pair mailbox.
 * States: pending → sent (the envelope is on a relay) → stored (a relay acknowledged the box
 * entry) → delivered (their delivery receipt) → read (their read receipt); or failed.
 *
 * Receiving: the messenger follows my inbox and the pair mailboxes with every contact, for today
 * and yesterday, and reads back older days it missed while away (mailbox.ts `CATCH_UP_DAYS`).
 * Each new entry's envelope is fetched by CID (verified block by block), opened (openEnvelope,
 * with my prekeys and sessions), deduplicated by message id, stored, and answered with a
 * delivery receipt. What fails any step is dropped and counted by error code, never shown; a
 * failure affects that entry only.
 */
import { fromBase64url, toBase64url } from '../core/bytes.ts';
import { signingKeyPairFromSeed, tweetnaclEd25519, type Ed25519 } from '../core/ed25519.ts';
import { decodeReceipt, encodeReceipt, MAX_RECEIPT_IDS, type ContentType } from '../core/envelope.ts';
import { BlockedContactError, MiaouError, ReplayError } from '../core/errors.ts';
import { idFromSigningKey, signingKeyFromId, type Identity, type MiaouId } from '../core/identity.ts';
import { randomBytes as defaultRandom, systemClock, type Clock, type RandomBytes } from '../core/random.ts';
import { DEFAULT_BOX_POW_BITS, MAX_CLOCK_SKEW_MS, signRecord } from '../core/records.ts';
import { openEnvelope, startSession, type OpenedMessage, type Session } from '../core/session.ts';
import type { BlobStore } from '../net/blob-store.ts';
import { createOutbox, type Outbox, type OutboxItem, type OutboxStorage } from '../net/outbox.ts';
import type { CallOptions, RecordStore } from '../net/record-store.ts';
import { systemTimers, type Timers } from '../net/timers.ts';
import { checkText, decodeChatContent, encodeChatContent } from './chat-content.ts';
import { createContactBook, memoryContactStorage, type ContactBook } from './contacts.ts';
import type { ChatMessage, HistoryStorage, MessageStatus } from './history.ts';
import { inboxMailbox, mailboxDay, pairMailbox, pairMailboxKey } from './mailbox.ts';
import { createMailboxReader } from './mailbox-reader.ts';
import type { PrekeyKeeper } from './prekeys.ts';
import { createProfileService, type ProfileService } from './profile.ts';
import { createSessionCache } from './session-cache.ts';
import type { SessionStorage } from './sessions.ts';

/** The drop code of an envelope that opened as sent by this very identity. */
export const FROM_SELF = 'ERR_FROM_SELF';
/** Box entry ids: 16 random bytes (docs/records.md §2). */
export const ENTRY_ID_BYTES = 16;

/** The outbox payload of one envelope to deliver (persisted as JSON). */
export interface DeliveryPayload {
	kind: 'message' | 'receipt';
	to: MiaouId;
	/** `inbox`: the recipient's first-contact inbox; `pair`: our pair mailbox. */
	route: 'inbox' | 'pair';
	/** The box entry id, the same on every attempt. */
	entry: string;
	/** The envelope, base64url. */
	envelope: string;
	/** The message id, for a chat message. */
	message?: string;
}

/** What {@link Messenger.onMessage} listeners get. */
export interface MessageEvent {
	message: ChatMessage;
	/** True when the sender was not a contact before this message. */
	newContact: boolean;
}

/** What {@link Messenger.onStatus} listeners get. */
export interface StatusEvent {
	contact: MiaouId;
	/** The message id. */
	id: string;
	status: MessageStatus;
	error?: { code: string; message: string };
}

/** Counters since the messenger was created. */
export interface MessengerStats {
	/** Chat messages opened and added to the history. */
	received: number;
	/** Receipts opened. */
	receipts: number;
	/** Envelopes or messages already handled (replays, a second box entry for one envelope). */
	duplicates: number;
	/** Entries dropped because a step failed, by error code. */
	dropped: number;
	droppedByCode: Readonly<Record<string, number>>;
	/** Messages from blocked contacts, hidden. */
	blocked: number;
}

/** Dependencies and settings of {@link createMessenger}. */
export interface MessengerOptions {
	identity: Identity;
	records: RecordStore;
	blobs: BlobStore;
	/** Where unsent envelopes wait (IndexedDB, a file, memory). */
	outbox: OutboxStorage;
	/** Where ratchet sessions are kept; use a sealed adapter for anything on disk. */
	sessions: SessionStorage;
	history: HistoryStorage;
	prekeys: PrekeyKeeper;
	/** The contact list (default: a new one in memory). */
	contacts?: ContactBook;
	/** Profiles (default: one over `records` and `prekeys`). */
	profiles?: ProfileService;
	now?: Clock;
	random?: RandomBytes;
	ed25519?: Ed25519;
	timers?: Timers;
	/** Proof-of-work bits of my box entries: at least what the relays require (default {@link DEFAULT_BOX_POW_BITS}). */
	powBits?: number;
	/** Told of failures in the background (storage, profile refresh) that no call returns. */
	onError?: (error: unknown) => void;
	/** A direct path to contacts' browsers, tried besides the relays (docs/net.md §Direct peers). */
	direct?: DirectPath;
}

/**
 * A faster path beside the mailboxes (docs/net.md §Direct peers): a direct connection to the
 * contact's browser. It carries the same envelopes; the relay path stays, and an envelope that
 * arrives both ways is handled once (ratchet replay check, message ids).
 */
export interface DirectPath {
	/**
	 * Push an envelope to a contact directly, if a direct connection is open.
	 * @returns true when their browser took it; false otherwise (never throws)
	 */
	send(to: MiaouId, envelope: Uint8Array, signal?: AbortSignal): Promise<boolean>;
	/**
	 * Where envelopes received directly go.
	 * @returns a function that stops them
	 */
	onEnvelope(handler: (envelope: Uint8Array) => Promise<void>): () => void;
}

/** One-to-one messaging. */
export interface Messenger {
	/** The contact list the messenger keeps up to date. */
	readonly contacts: ContactBook;
	/** The profile service it fetches bundles with. */
	readonly profiles: ProfileService;
	/**
	 * Load state, resume the outbox, follow my mailboxes and read back the days missed.
	 * @param opts - an AbortSignal for the loading and the catch-up reads
	 * @throws {Error} after `stop` (make a new messenger)
	 * @throws what the storages throw while loading
	 */
	start(opts?: CallOptions): Promise<void>;
	/** Stop following mailboxes and sending; what is unsent stays in the outbox for the next start. */
	stop(): Promise<void>;
	/**
	 * Send a chat message.
	 * @param contact - the recipient's id
	 * @param text - the message
	 * @returns the message as stored in the history (status `pending`)
	 * @throws {InvalidIdError} on a bad id; {@link RangeError} for my own id
	 * @throws {MalformedError | TooLargeError} for an empty or too long text
	 * @throws {BlockedContactError} when I blocked the contact
	 * @throws {NoProfileError} when there is no session yet and they publish no profile
	 * @throws what the storages throw
	 */
	send(contact: MiaouId, text: string, opts?: CallOptions): Promise<ChatMessage>;
	/**
	 * Send a read receipt for every message of a conversation not yet marked read.
	 * @param contact - the conversation
	 * @returns how many messages were marked
	 * @throws what the history storage or the outbox throws
	 */
	markRead(contact: MiaouId, opts?: CallOptions): Promise<number>;
	/**
	 * Send a failed message again (the same message id, so the recipient shows it once). A message
	 * that is unknown, incoming or not failed is left alone.
	 * @param contact - the conversation
	 * @param id - the message id
	 * @throws {NoProfileError} when it must be encrypted again and no session or profile is left
	 */
	retry(contact: MiaouId, id: string, opts?: CallOptions): Promise<void>;
	/**
	 * Read every followed mailbox now and resolve once what was found is handled (`miaou recv`).
	 * @throws {Error} before `start` or after `stop`
	 */
	sync(opts?: CallOptions): Promise<void>;
	/**
	 * Be told of each new incoming chat message.
	 * @returns a function that stops it
	 */
	onMessage(listener: (event: MessageEvent) => void): () => void;
	/**
	 * Be told of each state change of a message I sent.
	 * @returns a function that stops it
	 */
	onStatus(listener: (event: StatusEvent) => void): () => void;
	stats(): MessengerStats;
	/**
	 * How many envelopes (messages and receipts) are queued and not yet stored by a relay; failed
	 * ones are not counted (they wait for `retry`).
	 * @returns the count
	 */
	pending(): number;
	/**
	 * Wait until no envelope is left to store — what a command does before it exits (`miaou send`).
	 * Nothing is sent faster: the outbox keeps its own pace and backoff.
	 * @param opts - `timeoutMs` (default {@link FLUSH_TIMEOUT_MS}) and an AbortSignal
	 * @returns true once nothing is pending; false when the time ran out or the signal fired first
	 */
	flush(opts?: CallOptions & { timeoutMs?: number }): Promise<boolean>;
}

/** How long {@link Messenger.flush} waits by default. */
export const FLUSH_TIMEOUT_MS = 30_000;

const RANK: Record<MessageStatus, number> = {
	pending: 0,
	sent: 1,
	stored: 2,
	delivered: 3,
	read: 4,
	failed: -1,
	received: 0
};

/** Whether an outgoing message may move from `current` to `next` (states never go back). */
function advances(current: MessageStatus, next: MessageStatus): boolean {
	if (next === 'failed') return current === 'pending' || current === 'sent';
	if (current === 'failed') return next === 'pending' || next === 'sent' || next === 'stored';
	return RANK[next] > RANK[current];
}

function errorCode(error: unknown): string {
	return error instanceof MiaouError ? error.code : 'ERR_INTERNAL';
}

/**
 * Create a messenger. Call `start()` to receive; `send` works before it (the outbox waits).
 * @param opts - see {@link MessengerOptions}
 * @returns the messenger
 * @example
 * const messenger = createMessenger({ identity, records, blobs, outbox: memoryOutboxStorage(),
 *   sessions: memorySessionStorage(), history: memoryHistoryStorage(), prekeys })
 * await messenger.start(); await messenger.send(bob, 'hello')
 */
export function createMessenger(opts: MessengerOptions): Messenger {
	const { identity, records, blobs, history, prekeys } = opts;
	const me = identity.id;
	const now = opts.now ?? systemClock;
	const random = opts.random ?? defaultRandom;
	const ed25519 = opts.ed25519 ?? tweetnaclEd25519;
	const timers = opts.timers ?? systemTimers;
	const powBits = opts.powBits ?? DEFAULT_BOX_POW_BITS;
	const reportError = opts.onError ?? (() => {});
	const contacts = opts.contacts ?? createContactBook({ me, storage: memoryContactStorage(), now });
	const profiles = opts.profiles ?? createProfileService({ identity, records, prekeys, now, random, ed25519 });
	const sessions = createSessionCache(opts.sessions, { random, now }, reportError);

	const messageListeners = new Set<(event: MessageEvent) => void>();
	const statusListeners = new Set<(event: StatusEvent) => void>();
	const counters = { received: 0, receipts: 0, duplicates: 0, dropped: 0, blocked: 0 };
	const droppedByCode: Record<string, number> = {};
	const pairKeys = new Map<MiaouId, Uint8Array>();
	const pendingDelivered = new Map<MiaouId, string[]>();
	const controller = new AbortController();
	let started = false;
	let stopped = false;
	let unfollowContacts: (() => void) | undefined;
	let unfollowDirect: (() => void) | undefined;
	let lastStamp = 0;

	// One chain for everything that reads or advances a ratchet, so sessions never race.
	let lock: Promise<unknown> = Promise.resolve();
	const exclusive = <T>(task: () => Promise<T>): Promise<T> => {
		const run = lock.then(task, task);
		lock = run.catch(() => {});
		return run;
	};
	// The contact list must be loaded before anything reads or changes it, started or not.
	let loading: Promise<void> | undefined;
	const loaded = (o: CallOptions = {}): Promise<void> =>
		(loading ??= contacts.load(o).catch((error: unknown) => {
			loading = undefined;
			throw error;
		}));

	// Status changes are applied in order, so a late "stored" cannot overwrite "delivered".
	let statusChain: Promise<void> = Promise.resolve();

	// Gun states of my box entries and the send times of my messages only move forward.
	const stamp = (): number => (lastStamp = Math.max(now(), lastStamp + 1));

	const emit = <E>(listeners: Set<(event: E) => void>, event: E): void => {
		for (const listener of [...listeners]) {
			try {
				listener(structuredClone(event));
			} catch {
				// A listener's failure must not stop the messenger.
			}
		}
	};

	const dropCode = (code: string): void => {
		counters.dropped++;
		droppedByCode[code] = (droppedByCode[code] ?? 0) + 1;
	};
	const drop = (error: unknown): void => {
		dropCode(errorCode(error));
		if (!(error instanceof MiaouError)) reportError(error);
	};

	const pairKey = (contact: MiaouId): Uint8Array | undefined => {
		const known = pairKeys.get(contact);
		if (known) return known;
		const text = contacts.get(contact)?.agreementKey;
		if (!text) return undefined;
		const key = pairMailboxKey(identity, fromBase64url(text));
		pairKeys.set(contact, key);
		return key;
	};

	const mailboxFor = (payload: DeliveryPayload, day: number): string => {
		if (payload.route === 'inbox') return inboxMailbox(payload.to, day);
		const key = pairKey(payload.to);
		// Without their agreement key only the public inbox can be computed.
		return key ? pairMailbox(key, payload.to, day) : inboxMailbox(payload.to, day);
	};

	// ——— Sending ———

	const deliver = async (item: Readonly<OutboxItem<DeliveryPayload>>, ctx: { signal: AbortSignal; sent(): void }) => {
		const payload = item.payload;
		const envelope = fromBase64url(payload.envelope);
		// The direct push is an extra: the envelope goes to the mailbox whatever it returns.
		if (opts.direct) void opts.direct.send(payload.to, envelope, ctx.signal).catch(() => false);
		const cid = await blobs.put(envelope, { signal: ctx.signal });
		ctx.sent();
		const state = stamp();
		const record = await signRecord('box', {
			author: mailboxFor(payload, mailboxDay(state)),
			key: payload.entry,
			body: { cid: cid.toString(), size: envelope.length },
			state,
			signer: signingKeyPairFromSeed(random(32)),
			ed25519,
			powBits,
			signal: ctx.signal
		});
		await records.publish(record, { signal: ctx.signal });
	};

	const outbox: Outbox<DeliveryPayload> = createOutbox<DeliveryPayload>({
		storage: opts.outbox,
		send: deliver,
		now,
		timers,
		randomBytes: random,
		onError: reportError
	});

	const applyStatus = (contact: MiaouId, id: string, next: MessageStatus, error?: StatusEvent['error']) => {
		statusChain = statusChain
			.then(async () => {
				const message = await history.get(contact, id);
				if (!message || message.direction !== 'out' || !advances(message.status, next)) return;
				await history.update(contact, id, { status: next, ...(error ? { error } : {}) });
				emit(statusListeners, { contact, id, status: next, ...(error ? { error } : {}) });
			})
			.catch(reportError);
		return statusChain;
	};

	outbox.onChange((item) => {
		const p = item.payload;
		if (p.kind !== 'message' || !p.message) return;
		const error = item.failure ? { code: item.failure.code, message: item.failure.message } : undefined;
		void applyStatus(p.to, p.message, item.state === 'failed' ? 'failed' : item.state, error);
	});

	const outboxId = (contact: MiaouId, id: string) => `m:${contact}:${id}`;
	const waiting = (): number => outbox.list().filter((i) => i.state === 'pending' || i.state === 'sent').length;

	/** The session to send on: the newest that can, or a new one from their profile. Inside the lock. */
	const sendingSession = async (contact: MiaouId, o: CallOptions): Promise<Session> => {
		const usable = (await sessions.get(contact)).find((s) => s.canSend);
		if (usable) return usable;
		const { bundle, profile } = await profiles.bundle(contact, o);
		const session = await startSession({ me: identity, bundle, random, now, ed25519 });
		await contacts.add(contact, { name: profile.name, agreementKey: toBase64url(profile.agreementKey) });
		return session;
	};

	/** Encrypt, save the session, queue the envelope. Inside the lock. */
	const seal = async (
		contact: MiaouId,
		session: Session,
		body: Uint8Array,
		kind: DeliveryPayload['kind'],
		type: ContentType,
		messageId?: Uint8Array
	): Promise<{ id: string; payload: DeliveryPayload }> => {
		const sealed = session.encrypt(body, { type, ...(messageId ? { messageId } : {}) });
		await sessions.touch(contact, session);
		const id = toBase64url(sealed.messageId);
		const payload: DeliveryPayload = {
			kind,
			to: contact,
			route: session.awaitingReply ? 'inbox' : 'pair',
			entry: toBase64url(random(ENTRY_ID_BYTES)),
			envelope: toBase64url(sealed.envelope),
			...(kind === 'message' ? { message: id } : {})
		};
		return { id, payload };
	};

	const sendReceipts = async (contact: MiaouId, type: 'delivered' | 'read', ids: readonly string[]): Promise<void> => {
		for (let i = 0; i < ids.length; i += MAX_RECEIPT_IDS) {
			const chunk = ids.slice(i, i + MAX_RECEIPT_IDS).map((id) => fromBase64url(id));
			await exclusive(async () => {
				const session = (await sessions.get(contact)).find((s) => s.canSend);
				if (!session) return; // no session: nothing was received from them either
				const { payload } = await seal(contact, session, encodeReceipt(chunk), 'receipt', type);
				await outbox.add(payload);
			});
		}
	};

	const flushDelivered = async (): Promise<void> => {
		const batches = [...pendingDelivered];
		pendingDelivered.clear();
		for (const [contact, ids] of batches) {
			try {
				await sendReceipts(contact, 'delivered', ids);
			} catch (error) {
				reportError(error);
			}
		}
	};

	// ——— Receiving ———

	const handleOpened = async (opened: OpenedMessage): Promise<void> => {
		const sender = idFromSigningKey(opened.senderIdentityKey);
		// Only this identity's keys can make such an envelope, and it never writes to itself.
		if (sender === me) return dropCode(FROM_SELF);
		if (contacts.isBlocked(sender)) {
			counters.blocked++;
			return;
		}
		await sessions.touch(sender, opened.session);
		const newContact = contacts.get(sender) === undefined;
		await contacts.add(sender, { agreementKey: toBase64url(opened.senderAgreementKey), origin: 'them' });
		if (newContact) {
			// Their name, for the contact list; a failure only leaves the name empty.
			void profiles
				.fetch(sender, { signal: controller.signal })
				.then((p) => (p ? contacts.update(sender, { name: p.name }) : undefined))
				.catch(() => {});
		}
		if (opened.type === 'message') {
			const content = decodeChatContent(opened.body);
			const t = now();
			const message: ChatMessage = {
				id: toBase64url(opened.messageId),
				contact: sender,
				direction: 'in',
				text: content.text,
				// A sender's clock cannot put a message in the future, where it would stay last forever.
				sentAt: Math.min(content.sentAt, t + MAX_CLOCK_SKEW_MS),
				receivedAt: t,
				status: 'received'
			};
			if (!(await history.add(message))) {
				counters.duplicates++;
				return;
			}
			counters.received++;
			emit(messageListeners, { message, newContact });
			const queue = pendingDelivered.get(sender) ?? [];
			queue.push(message.id);
			pendingDelivered.set(sender, queue);
			return;
		}
		counters.receipts++;
		const status = opened.type === 'read' ? 'read' : 'delivered';
		for (const id of decodeReceipt(opened.body)) await applyStatus(sender, toBase64url(id), status);
	};

	const open = (envelope: Uint8Array): Promise<void> =>
		exclusive(async () => {
			let opened: OpenedMessage;
			try {
				opened = await openEnvelope({
					envelope,
					me: identity,
					prekeys: prekeys.store,
					sessions: (key) => sessions.get(idFromSigningKey(key)),
					random,
					now,
					ed25519
				});
			} catch (error) {
				if (error instanceof ReplayError) counters.duplicates++;
				else drop(error);
				return;
			}
			try {
				await handleOpened(opened);
			} catch (error) {
				drop(error);
			}
		});

	/** Once no entry is being handled: send the delivery receipts, republish used prekeys. */
	const afterBatch = async (): Promise<void> => {
		await flushDelivered();
		if (prekeys.stale && !stopped) await profiles.refresh({ signal: controller.signal }).catch(reportError);
	};

	/** The mailboxes addressed to me on one day: my inbox and each contact's pair mailbox. */
	const mailboxesOf = (day: number): string[] => {
		const out = [inboxMailbox(me, day)];
		for (const c of contacts.list()) {
			if (contacts.isBlocked(c.id)) continue;
			const key = pairKey(c.id);
			if (key) out.push(pairMailbox(key, me, day));
		}
		return out;
	};

	const reader = createMailboxReader({
		records,
		blobs,
		history,
		mailboxes: mailboxesOf,
		open,
		drop,
		idle: afterBatch,
		now,
		timers,
		onError: reportError
	});

	/** Mark messages that never reached the outbox (the app closed in between) as failed. */
	const reconcile = async (): Promise<void> => {
		for (const m of await history.unsettled()) {
			if (outbox.get(outboxId(m.contact, m.id))) continue;
			await applyStatus(m.contact, m.id, 'failed', {
				code: 'ERR_NOT_QUEUED',
				message: 'The message was not handed to the outbox before the app closed; send it again.'
			});
		}
	};

	return {
		contacts,
		profiles,
		async start(o = {}) {
			if (started) return;
			if (stopped) throw new Error('a stopped messenger cannot start again; create a new one');
			started = true;
			await loaded(o);
			await prekeys.open(o);
			await outbox.start();
			await reconcile();
			unfollowContacts = contacts.onChange((contact, removed) => {
				if (removed || contacts.isBlocked(contact.id)) pairKeys.delete(contact.id);
				reader.refresh();
			});
			await reader.start(o);
			// An envelope pushed directly is handled as one read from a mailbox, then its batch ends.
			unfollowDirect = opts.direct?.onEnvelope(async (envelope) => {
				if (stopped) return;
				await open(envelope);
				await afterBatch();
			});
		},
		async stop() {
			if (stopped) return;
			stopped = true;
			unfollowContacts?.();
			unfollowDirect?.();
			controller.abort();
			await reader.stop();
			await flushDelivered();
			await lock;
			await outbox.close();
			await statusChain;
		},
		async send(contact, text, o = {}) {
			signingKeyFromId(contact);
			if (contact === me) throw new RangeError('you cannot send a message to yourself');
			checkText(text);
			await loaded(o);
			if (contacts.isBlocked(contact)) throw new BlockedContactError(contact);
			return exclusive(async () => {
				const session = await sendingSession(contact, o);
				const sentAt = stamp();
				const { id, payload } = await seal(contact, session, encodeChatContent({ text, sentAt }), 'message', 'message');
				const message: ChatMessage = { id, contact, direction: 'out', text, sentAt, status: 'pending' };
				await history.add(message);
				try {
					await outbox.add(payload, { id: outboxId(contact, id) });
				} catch (error) {
					const reason = { code: errorCode(error), message: error instanceof Error ? error.message : String(error) };
					await applyStatus(contact, id, 'failed', reason);
					throw error;
				}
				return message;
			});
		},
		async markRead(contact) {
			const unread = await history.unread(contact);
			if (unread.length === 0) return 0;
			await sendReceipts(
				contact,
				'read',
				unread.map((m) => m.id)
			);
			for (const m of unread) await history.update(contact, m.id, { status: 'read' });
			return unread.length;
		},
		async retry(contact, id, o = {}) {
			const queued = outbox.get(outboxId(contact, id));
			if (queued) return outbox.retry(queued.id);
			const message = await history.get(contact, id);
			if (!message || message.direction !== 'out' || message.status !== 'failed') return;
			// Nothing queued (lost before the outbox had it): encrypt again under the same id.
			await exclusive(async () => {
				const session = await sendingSession(contact, o);
				const body = encodeChatContent({ text: message.text, sentAt: message.sentAt });
				const { payload } = await seal(contact, session, body, 'message', 'message', fromBase64url(id));
				await outbox.add(payload, { id: outboxId(contact, id) });
			});
			await applyStatus(contact, id, 'pending');
		},
		async sync(o = {}) {
			if (!started || stopped) throw new Error('start the messenger first');
			await reader.sync(o);
		},
		onMessage(listener) {
			messageListeners.add(listener);
			return () => messageListeners.delete(listener);
		},
		onStatus(listener) {
			statusListeners.add(listener);
			return () => statusListeners.delete(listener);
		},
		stats: () => ({ ...counters, droppedByCode: { ...droppedByCode } }),
		pending: waiting,
		flush(o = {}) {
			return new Promise<boolean>((resolve) => {
				if (waiting() === 0 || o.signal?.aborted) return resolve(waiting() === 0);
				const finish = (done: boolean): void => {
					timers.clearTimeout(timer);
					off();
					o.signal?.removeEventListener('abort', abort);
					resolve(done);
				};
				const abort = (): void => finish(false);
				// Every change of an item is emitted after the outbox updated its list.
				const off = outbox.onChange(() => {
					if (waiting() === 0) finish(true);
				});
				const timer = timers.setTimeout(() => finish(waiting() === 0), o.timeoutMs ?? FLUSH_TIMEOUT_MS);
				o.signal?.addEventListener('abort', abort, { once: true });
			});
		}
	};
}

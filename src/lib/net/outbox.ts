/**
 * The outbox: what the user sent but no relay has stored yet (docs/net.md §Outbox). Items are
 * written to storage before anything is sent, so they survive a reload or a crash; each is
 * retried with exponential backoff and jitter until a relay acknowledges it, a relay refuses it
 * for good, or it is 7 days old (ARCHITECTURE.md §Messages).
 *
 * States: `pending` (waiting for its next attempt) → `sent` (the data left this device) →
 * `stored` (a relay acknowledged it; the item then leaves the outbox), or `failed` (expired or
 * refused; kept until the user retries or discards it). What "sending" means is the caller's
 * `send` function, so the same outbox serves messages, receipts and profile updates.
 */
import { toBase64url } from '../core/bytes.ts';
import { AbortError, MiaouError, RelayRefusedError, RelayTimeoutError } from '../core/errors.ts';
import { randomBytes, systemClock, type Clock, type RandomBytes } from '../core/random.ts';
import { backoffDelay, type BackoffOptions, type RandomUnit } from './backoff.ts';
import { deadline, systemTimers, type TimerHandle, type Timers } from './timers.ts';

/** Retry schedule: 2 s, 4 s, 8 s … up to 10 min, each between half and all of that. */
export const OUTBOX_BACKOFF: BackoffOptions = { baseMs: 2_000, capMs: 10 * 60_000, jitter: 0.5 };
/** An item not stored by a relay within this long after it was added fails as expired. */
export const OUTBOX_EXPIRY_MS = 7 * 24 * 3600_000;
/** Sends in flight at once. */
export const MAX_CONCURRENT_SENDS = 4;
/** A send still unsettled after this long is aborted and counted as a failed attempt. */
export const SEND_TIMEOUT_MS = 2 * 60_000;
/** Most items an outbox holds (pending and failed together). */
export const MAX_OUTBOX_ITEMS = 10_000;
/** Longest item id. */
export const MAX_OUTBOX_ID_LENGTH = 128;

/**
 * Error codes that mean "this will never be accepted": resending the same bytes cannot help.
 * Anything else (timeouts, no relay, rate limits, a full relay, a clock ahead) is retried.
 */
export const FINAL_ERROR_CODES: ReadonlySet<string> = new Set([
	'ERR_MALFORMED',
	'ERR_BAD_SIGNATURE',
	'ERR_NAMESPACE',
	'ERR_TOO_LARGE',
	'ERR_UNSUPPORTED_VERSION',
	'ERR_PROOF_OF_WORK',
	'ERR_STALE_RECORD',
	'ERR_CID',
	'ERR_UNSUPPORTED_CODEC',
	'ERR_UNSUPPORTED_HASH',
	'ERR_INCOMPLETE_DAG',
	'ERR_TRUST_LEVEL',
	'ERR_INVALID_ID'
]);

/** Where an item is in its life. */
export type OutboxState = 'pending' | 'sent' | 'stored' | 'failed';

/** An error as kept with an item: stable code plus the sentence. */
export interface OutboxError {
	code: string;
	message: string;
}

/** One thing to send. `payload` must be JSON-compatible (it is persisted). */
export interface OutboxItem<P = unknown> {
	id: string;
	payload: P;
	state: OutboxState;
	/** When it was added (ms since the epoch). */
	createdAt: number;
	/** When it fails as expired, unless stored before. */
	expiresAt: number;
	/** Attempts made so far. */
	attempts: number;
	/** When the next attempt is due, while pending. */
	nextAttemptAt: number;
	/** The last attempt's error. */
	lastError?: OutboxError;
	/** Why it failed, once failed. */
	failure?: { reason: 'expired' | 'refused' } & OutboxError;
}

/** Where outbox items are kept between runs. */
export interface OutboxStorage {
	/** All items saved so far. */
	load(): Promise<OutboxItem[]>;
	/** Insert or replace an item (by id). */
	save(item: OutboxItem): Promise<void>;
	/** Delete an item; an unknown id is not an error. */
	remove(id: string): Promise<void>;
}

/** What `send` gets besides the item. */
export interface SendContext {
	/** Aborts when the outbox closes or the send takes longer than its time limit. */
	signal: AbortSignal;
	/** Call when the data has left this device (e.g. the upload finished, the put went out). */
	sent(): void;
}

/** Sends one item; resolves once a relay stored it, rejects with the reason otherwise. */
export type OutboxSend<P> = (item: Readonly<OutboxItem<P>>, ctx: SendContext) => Promise<void>;

/** Options of {@link createOutbox}. */
export interface OutboxOptions<P> {
	storage: OutboxStorage;
	send: OutboxSend<P>;
	now?: Clock;
	timers?: Timers;
	random?: RandomUnit;
	randomBytes?: RandomBytes;
	backoff?: BackoffOptions;
	expiryMs?: number;
	concurrency?: number;
	sendTimeoutMs?: number;
	/** Whether an error is worth another attempt (default {@link isRetryable}). */
	retryable?: (error: unknown) => boolean;
	/** Told of storage failures in the background (the item stays in memory meanwhile). */
	onError?: (error: unknown) => void;
}

/** A persistent queue of things to send. */
export interface Outbox<P> {
	/** Load saved items (an item caught mid-send is pending again) and start sending. */
	start(): Promise<void>;
	/**
	 * Add an item; it is saved before this resolves. Adding an id already present returns it.
	 * @param payload - JSON-compatible data for `send`
	 * @param opts - an id (default: random)
	 * @returns the new item
	 * @throws {RangeError} when the outbox holds {@link MAX_OUTBOX_ITEMS}
	 * @throws whatever the storage throws (nothing was queued then)
	 */
	add(payload: P, opts?: { id?: string }): Promise<OutboxItem<P>>;
	/** Send a failed or waiting item now, with a fresh expiry and backoff. Unknown ids are ignored. */
	retry(id: string): Promise<void>;
	/** Drop an item (e.g. a failed message the user deletes). */
	discard(id: string): Promise<void>;
	/** One item, as a copy. */
	get(id: string): OutboxItem<P> | undefined;
	/** All items, oldest first, as copies. */
	list(): OutboxItem<P>[];
	/**
	 * Be told of every state change.
	 * @returns a function that stops it
	 */
	onChange(listener: (item: OutboxItem<P>) => void): () => void;
	/** Stop: abort sends in flight (they stay pending) and wait for them to settle. */
	close(): Promise<void>;
}

/**
 * The default retry rule: refusals in {@link FINAL_ERROR_CODES} (from a relay or local) are
 * final, everything else is worth another attempt.
 * @param error - what `send` threw
 * @returns whether to retry
 */
export function isRetryable(error: unknown): boolean {
	if (error instanceof RelayRefusedError) return !FINAL_ERROR_CODES.has(error.reason);
	if (error instanceof MiaouError) return !FINAL_ERROR_CODES.has(error.code);
	return true;
}

function describe(error: unknown): OutboxError {
	if (error instanceof MiaouError) return { code: error.code, message: error.message };
	return { code: 'ERR_SEND', message: error instanceof Error ? error.message : String(error) };
}

const copy = <T>(item: T): T => structuredClone(item);

/**
 * Create an outbox. Call `start()` before use.
 * @param opts - storage, send function, and the injectable clock, timers and randomness
 * @returns the outbox
 * @example const outbox = createOutbox({ storage: memoryOutboxStorage(), send: (item) => store.publish(item.payload) })
 */
export function createOutbox<P>(opts: OutboxOptions<P>): Outbox<P> {
	const { storage, send } = opts;
	const now = opts.now ?? systemClock;
	const timers = opts.timers ?? systemTimers;
	const random = opts.random ?? Math.random;
	const rand = opts.randomBytes ?? randomBytes;
	const backoff = opts.backoff ?? OUTBOX_BACKOFF;
	const expiryMs = opts.expiryMs ?? OUTBOX_EXPIRY_MS;
	const concurrency = opts.concurrency ?? MAX_CONCURRENT_SENDS;
	const sendTimeoutMs = opts.sendTimeoutMs ?? SEND_TIMEOUT_MS;
	const retryable = opts.retryable ?? isRetryable;
	const onError = opts.onError ?? (() => {});

	const items = new Map<string, OutboxItem<P>>();
	// Order of arrival, to break ties between items added in the same millisecond.
	const order = new Map<string, number>();
	let sequence = 0;
	const keep = (item: OutboxItem<P>): void => {
		items.set(item.id, item);
		if (!order.has(item.id)) order.set(item.id, sequence++);
	};
	const forget = (id: string): void => {
		items.delete(id);
		order.delete(id);
	};
	const oldestFirst = (a: OutboxItem<P>, b: OutboxItem<P>): number =>
		a.createdAt - b.createdAt || (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0);
	const inflight = new Map<string, { controller: AbortController; done: Promise<void> }>();
	const listeners = new Set<(item: OutboxItem<P>) => void>();
	let timer: TimerHandle | undefined;
	let started = false;
	let closed = false;

	const emit = (item: OutboxItem<P>): void => {
		for (const listener of [...listeners]) {
			try {
				listener(copy(item));
			} catch {
				// A listener's failure must not stop the outbox.
			}
		}
	};
	const persist = (item: OutboxItem<P>): Promise<void> => storage.save(copy(item) as OutboxItem).catch(onError);

	const fail = async (item: OutboxItem<P>, reason: 'expired' | 'refused', error: OutboxError): Promise<void> => {
		item.state = 'failed';
		item.failure = { reason, ...error };
		await persist(item);
		emit(item);
	};

	const attempt = async (item: OutboxItem<P>): Promise<void> => {
		const controller = new AbortController();
		const limit = deadline(sendTimeoutMs, controller.signal, timers);
		let settle!: () => void;
		inflight.set(item.id, { controller, done: new Promise((resolve) => (settle = resolve)) });
		// A send that ignores its signal must not hold a slot (or `close`) forever: race the signal.
		let onAbort = (): void => {};
		const aborted = new Promise<never>((_, reject) => {
			onAbort = () => reject(new AbortError('Sending the item'));
			limit.signal.addEventListener('abort', onAbort, { once: true });
		});
		try {
			await Promise.race([
				send(copy(item), {
					signal: limit.signal,
					sent: () => {
						if (item.state !== 'pending' || controller.signal.aborted) return;
						item.state = 'sent';
						emit(item);
					}
				}),
				aborted
			]);
			if (controller.signal.aborted && closed) return;
			item.state = 'stored';
			await storage.remove(item.id).catch(onError);
			forget(item.id);
			emit(item);
		} catch (error) {
			// Closing is not a failed attempt: the item is simply sent again next time.
			if (closed) {
				item.state = 'pending';
				return;
			}
			// Discarded while in flight: nothing left to record.
			if (items.get(item.id) !== item) return;
			item.attempts++;
			const reason = limit.timedOut() ? describe(new RelayTimeoutError('the item', sendTimeoutMs)) : describe(error);
			item.lastError = reason;
			if (!limit.timedOut() && !retryable(error)) {
				await fail(item, 'refused', reason);
			} else if (now() >= item.expiresAt) {
				await fail(item, 'expired', reason);
			} else {
				item.state = 'pending';
				item.nextAttemptAt = now() + backoffDelay(item.attempts - 1, backoff, random);
				await persist(item);
				emit(item);
			}
		} finally {
			limit.signal.removeEventListener('abort', onAbort);
			limit.dispose();
			inflight.delete(item.id);
			settle();
			pump();
		}
	};

	/** Start due items up to the concurrency limit, expire old ones, and set the next wake-up. */
	function pump(): void {
		if (!started || closed) return;
		if (timer !== undefined) timers.clearTimeout(timer);
		timer = undefined;
		const t = now();
		const waiting = [...items.values()].filter((i) => i.state === 'pending' && !inflight.has(i.id)).sort(oldestFirst); // oldest first, whatever their backoff
		let next = Infinity;
		for (const item of waiting) {
			if (t >= item.expiresAt) {
				void fail(item, 'expired', item.lastError ?? { code: 'ERR_EXPIRED', message: 'It was never sent.' });
				continue;
			}
			if (item.nextAttemptAt <= t && inflight.size < concurrency) {
				void attempt(item);
				continue;
			}
			next = Math.min(next, Math.max(item.nextAttemptAt, t), item.expiresAt);
		}
		if (next !== Infinity && inflight.size < concurrency) timer = timers.setTimeout(pump, Math.max(0, next - t));
	}

	const isItem = (value: unknown): value is OutboxItem<P> => {
		if (typeof value !== 'object' || value === null) return false;
		const v = value as Record<string, unknown>;
		return (
			typeof v.id === 'string' &&
			v.id.length > 0 &&
			v.id.length <= MAX_OUTBOX_ID_LENGTH &&
			['pending', 'sent', 'stored', 'failed'].includes(v.state as string) &&
			[v.createdAt, v.expiresAt, v.attempts, v.nextAttemptAt].every((n) => typeof n === 'number' && Number.isFinite(n))
		);
	};

	return {
		async start() {
			if (started || closed) return;
			const saved = await storage.load();
			for (const raw of saved) {
				if (!isItem(raw)) continue;
				const item = copy(raw);
				if (item.state === 'stored') {
					await storage.remove(item.id).catch(onError);
					continue;
				}
				// Caught mid-send by a reload or a crash: whether a relay got it is unknown, so send again.
				if (item.state === 'sent') item.state = 'pending';
				keep(item);
			}
			started = true;
			pump();
		},
		async add(payload, o = {}) {
			if (closed) throw new Error('the outbox is closed');
			const id = o.id ?? toBase64url(rand(16));
			if (typeof id !== 'string' || id.length === 0 || id.length > MAX_OUTBOX_ID_LENGTH)
				throw new RangeError(`an outbox id is 1 to ${MAX_OUTBOX_ID_LENGTH} characters`);
			const existing = items.get(id);
			if (existing) return copy(existing);
			if (items.size >= MAX_OUTBOX_ITEMS)
				throw new RangeError(
					`the outbox holds ${MAX_OUTBOX_ITEMS} items; wait for them to be sent or discard failed ones`
				);
			const t = now();
			const item: OutboxItem<P> = {
				id,
				payload: copy(payload),
				state: 'pending',
				createdAt: t,
				expiresAt: t + expiryMs,
				attempts: 0,
				nextAttemptAt: t
			};
			await storage.save(copy(item) as OutboxItem);
			keep(item);
			emit(item);
			pump();
			return copy(item);
		},
		async retry(id) {
			const item = items.get(id);
			if (!item || inflight.has(id)) return;
			const t = now();
			item.state = 'pending';
			delete item.failure;
			item.attempts = 0;
			item.expiresAt = t + expiryMs;
			item.nextAttemptAt = t;
			await persist(item);
			emit(item);
			pump();
		},
		async discard(id) {
			const item = items.get(id);
			if (!item) return;
			inflight.get(id)?.controller.abort();
			forget(id);
			await storage.remove(id);
			pump();
		},
		get: (id) => {
			const item = items.get(id);
			return item && copy(item);
		},
		list: () => [...items.values()].sort(oldestFirst).map(copy),
		onChange(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		async close() {
			if (closed) return;
			closed = true;
			if (timer !== undefined) timers.clearTimeout(timer);
			timer = undefined;
			const running = [...inflight.values()];
			for (const r of running) r.controller.abort();
			await Promise.all(running.map((r) => r.done));
			listeners.clear();
		}
	};
}

/**
 * Outbox storage in memory (tests; or a session that must not persist).
 * @returns the storage
 */
export function memoryOutboxStorage(): OutboxStorage & { readonly size: number } {
	const saved = new Map<string, string>();
	return {
		async load() {
			return [...saved.values()].map((text) => JSON.parse(text) as OutboxItem);
		},
		async save(item) {
			// Stored as JSON text, like the file and close to IndexedDB: no shared references.
			saved.set(item.id, JSON.stringify(item));
		},
		async remove(id) {
			saved.delete(id);
		},
		get size() {
			return saved.size;
		}
	};
}

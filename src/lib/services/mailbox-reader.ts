/**
 * The mailbox reader (docs/messaging.md §Receiving): follows the mailboxes addressed to me for
 * today and yesterday, reads back the days missed while away, and hands each new box entry's
 * envelope — fetched by CID, every block verified by the blob store — to the messenger, once.
 *
 * - Each entry (`<mailbox>/<entry id>`) is handled once: entries already handled are remembered
 *   in the history storage, filed by mailbox day, and forgotten once their day is no longer read.
 * - An envelope a relay does not have (yet) is fetched again with a doubling delay, up to
 *   {@link MAX_FETCH_ATTEMPTS} times; then it waits for the next start's catch-up.
 * - An entry announcing more than an envelope can hold, or whose blob does not verify, is dropped
 *   and counted; nothing else is affected.
 * - At each UTC midnight the followed mailboxes move on by a day.
 */
import { AbortError, ContentNotFoundError, NoRelayError, RelayTimeoutError, TooLargeError } from '../core/errors.ts';
import { MAX_ENVELOPE_BYTES } from '../core/envelope.ts';
import { systemClock, type Clock } from '../core/random.ts';
import { soulFor, type VerifiedRecord } from '../core/records.ts';
import type { BlobStore } from '../net/blob-store.ts';
import type { CallOptions, RecordStore } from '../net/record-store.ts';
import { systemTimers, type TimerHandle, type Timers } from '../net/timers.ts';
import type { HistoryStorage } from './history.ts';
import { CATCH_UP_DAYS, MAILBOX_DAY_MS, mailboxDay, WATCHED_DAYS, watchedDays } from './mailbox.ts';

/** Attempts to fetch an envelope a relay does not have (yet) before giving up until the next start. */
export const MAX_FETCH_ATTEMPTS = 5;
/** Delay before the first new attempt to fetch a missing envelope; doubles each time. */
export const FETCH_RETRY_MS = 5_000;
/** Mailboxes read at once when catching up or syncing. */
export const READ_CONCURRENCY = 8;

/** Dependencies of {@link createMailboxReader}. */
export interface MailboxReaderOptions {
	records: RecordStore;
	blobs: BlobStore;
	/** Keeps which entries were handled and up to which day the mailboxes were read. */
	history: HistoryStorage;
	/** The mailbox ids addressed to me on a day (my inbox, the pair mailboxes). */
	mailboxes: (day: number) => string[];
	/** Handle one fetched envelope; failures are the handler's to count. */
	open: (envelope: Uint8Array) => Promise<void>;
	/** Count an entry dropped before it reached `open` (too large, a blob that does not verify). */
	drop: (error: unknown) => void;
	/** Called when no entry is being handled any more (a batch is over). */
	idle?: () => Promise<void>;
	now?: Clock;
	timers?: Timers;
	onError?: (error: unknown) => void;
}

/** Follows my mailboxes. */
export interface MailboxReader {
	/** Follow today's and yesterday's mailboxes, then read back missed days. */
	start(opts?: CallOptions): Promise<void>;
	/** The set of mailboxes changed (a contact added or blocked): follow the new set. */
	refresh(): void;
	/** Read every followed mailbox now; resolves once what was found is handled. */
	sync(opts?: CallOptions): Promise<void>;
	/** Stop following and fetching; waits for the entries being handled. */
	stop(): Promise<void>;
}

/** Errors worth fetching again later: the content may reach a relay yet. */
function transient(error: unknown): boolean {
	return (
		error instanceof ContentNotFoundError ||
		error instanceof NoRelayError ||
		error instanceof RelayTimeoutError ||
		error instanceof AbortError
	);
}

/**
 * Create a mailbox reader.
 * @param opts - stores, the mailbox list, the envelope handler, clock and timers
 * @returns the reader
 */
export function createMailboxReader(opts: MailboxReaderOptions): MailboxReader {
	const { records, blobs, history } = opts;
	const now = opts.now ?? systemClock;
	const timers = opts.timers ?? systemTimers;
	const reportError = opts.onError ?? (() => {});
	const watches = new Map<string, () => void>();
	const inflight = new Map<string, Promise<void>>();
	const attempts = new Map<string, number>();
	const retryTimers = new Set<TimerHandle>();
	const controller = new AbortController();
	let dayTimer: TimerHandle | undefined;
	let started = false;
	let stopped = false;

	const handle = (record: VerifiedRecord<'box'>, day: number): Promise<void> => {
		const entry = `${record.author}/${record.key}`;
		const running = inflight.get(entry);
		if (running) return running;
		const task = (async () => {
			if (await history.isProcessed(entry)) return;
			if (record.body.size > MAX_ENVELOPE_BYTES) {
				opts.drop(new TooLargeError('Envelope', record.body.size, MAX_ENVELOPE_BYTES));
				await history.markProcessed(entry, day);
				return;
			}
			let envelope: Uint8Array;
			try {
				envelope = await blobs.get(record.body.cid, { signal: controller.signal });
			} catch (error) {
				if (stopped) return;
				if (!transient(error)) {
					opts.drop(error);
					await history.markProcessed(entry, day);
					return;
				}
				const tries = (attempts.get(entry) ?? 0) + 1;
				if (tries >= MAX_FETCH_ATTEMPTS) {
					attempts.delete(entry);
					opts.drop(error); // not marked handled: the next start's catch-up tries again
					return;
				}
				attempts.set(entry, tries);
				const timer = timers.setTimeout(
					() => {
						retryTimers.delete(timer);
						if (!stopped) void handle(record, day);
					},
					FETCH_RETRY_MS * 2 ** (tries - 1)
				);
				retryTimers.add(timer);
				return;
			}
			attempts.delete(entry);
			await opts.open(envelope);
			await history.markProcessed(entry, day);
		})()
			.catch(reportError)
			.finally(() => {
				inflight.delete(entry);
				if (inflight.size === 0 && !stopped) void opts.idle?.().catch(reportError);
			});
		inflight.set(entry, task);
		return task;
	};

	const follow = (): void => {
		if (!started || stopped) return;
		const wanted = new Map<string, number>();
		for (const day of watchedDays(now())) for (const m of opts.mailboxes(day)) wanted.set(soulFor('box', m), day);
		for (const [soul, unsubscribe] of watches)
			if (!wanted.has(soul)) {
				unsubscribe();
				watches.delete(soul);
			}
		for (const [soul, day] of wanted) {
			if (watches.has(soul)) continue;
			const onRecord = (record: VerifiedRecord): void => {
				if (record.kind === 'box' && !stopped) void handle(record as VerifiedRecord<'box'>, day);
			};
			watches.set(soul, records.subscribe(soul, onRecord, { signal: controller.signal }));
		}
	};

	const readDays = async (days: number[], o: CallOptions): Promise<void> => {
		const souls = days.flatMap((day) => opts.mailboxes(day).map((m) => ({ soul: soulFor('box', m), day })));
		const tasks: Promise<void>[] = [];
		// A few reads at a time: each may wait for every relay to answer (net/record-store-gun.ts).
		let next = 0;
		const worker = async (): Promise<void> => {
			for (let i = next++; i < souls.length; i = next++) {
				const { soul, day } = souls[i]!;
				const found = await records.readAll(soul, o);
				// Oldest first: the order they were written in, as far as the states tell.
				found.sort((a, b) => a.state - b.state);
				for (const r of found) if (r.kind === 'box') tasks.push(handle(r as VerifiedRecord<'box'>, day));
			}
		};
		await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, souls.length) }, worker));
		await Promise.all(tasks);
	};

	/** Read the days between the last complete read and the ones followed live (at most CATCH_UP_DAYS back). */
	const catchUp = async (o: CallOptions): Promise<void> => {
		const today = mailboxDay(now());
		const last = today - WATCHED_DAYS;
		const synced = await history.syncedDay();
		const days: number[] = [];
		for (let d = Math.max(today - CATCH_UP_DAYS + 1, synced ?? 0, 0); d <= last; d++) days.push(d);
		await readDays(days, o);
		if (last >= 0) await history.setSyncedDay(last);
		await history.forgetProcessed(today - CATCH_UP_DAYS);
	};

	const scheduleDay = (): void => {
		const t = now();
		const next = (mailboxDay(t) + 1) * MAILBOX_DAY_MS;
		dayTimer = timers.setTimeout(
			() => {
				dayTimer = undefined;
				if (stopped) return;
				follow();
				// The day that just left the followed window was read live in full.
				const today = mailboxDay(now());
				void history
					.setSyncedDay(today - WATCHED_DAYS)
					.then(() => history.forgetProcessed(today - CATCH_UP_DAYS))
					.catch(reportError);
				scheduleDay();
			},
			next - t + 1_000
		);
	};

	return {
		async start(o = {}) {
			if (started) return;
			started = true;
			follow();
			scheduleDay();
			await catchUp(o);
		},
		refresh: follow,
		async sync(o = {}) {
			await readDays(watchedDays(now()), o);
			await Promise.allSettled([...inflight.values()]);
			await opts.idle?.();
		},
		async stop() {
			if (stopped) return;
			stopped = true;
			for (const unsubscribe of watches.values()) unsubscribe();
			watches.clear();
			if (dayTimer !== undefined) timers.clearTimeout(dayTimer);
			for (const timer of retryTimers) timers.clearTimeout(timer);
			retryTimers.clear();
			controller.abort();
			await Promise.allSettled([...inflight.values()]);
		}
	};
}

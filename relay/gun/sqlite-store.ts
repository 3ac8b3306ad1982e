/**
 * Durable graph storage for the relay over Node's built-in SQLite (`node:sqlite`, Node ≥ 22.5).
 *
 * Why not Gun's radisk: it acknowledges writes before they reach the disk (no fsync) and the
 * released package has a data-loss bug when a radix file is split. Here a write is acknowledged
 * only after the transaction holding it committed with `synchronous=FULL` (the WAL is fsynced at
 * every commit), so an acknowledged write survives `kill -9` and a power cut alike.
 *
 * Group commit: writes wait in a queue while the writer worker (sqlite-writer.ts) commits the
 * previous batch; when it answers, everything queued meanwhile goes as the next transaction. One
 * fsync is paid per batch, the batch size follows the disk's speed by itself, and the main thread
 * never waits for the disk. Reads run on the main thread on their own connection (WAL lets
 * readers and the writer proceed concurrently) and see committed data only.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DatabaseSync } from 'node:sqlite';
import { openRecordsDb } from './sqlite.ts';
import type { WriteRequest, WriteResult } from './sqlite-writer.ts';

/** Most fields committed in one transaction; a longer queue is split (bounded commit latency). */
export const MAX_FIELDS_PER_TRANSACTION = 4096;
/** Most fields returned for one read; Gun clients page with `%` beyond it. */
export const MAX_FIELDS_PER_READ = 1000;

/** One Gun field as stored: the value is any Gun value (string, number, boolean, null, link). */
export interface StoredField {
	soul: string;
	key: string;
	value: unknown;
	state: number;
}

/** What a read asks for, from Gun's LEX (`get['.']`): one key, a key prefix, or a key range. */
export interface FieldQuery {
	key?: string;
	prefix?: string;
	/** Inclusive lower bound on the key (`>` in LEX). */
	start?: string;
	/** Inclusive upper bound on the key (`<` in LEX). */
	end?: string;
	/** At most this many fields (capped at MAX_FIELDS_PER_READ). */
	limit?: number;
}

/** Sizes for /health and /metrics. */
export interface StoreStats {
	/** Database file size in bytes (pages × page size). */
	bytes: number;
	/** Fields waiting for or in a commit. */
	pending: number;
	/** False once the writer failed; the relay then refuses writes. */
	writable: boolean;
}

/** The relay's record store; one instance owns one database file. */
export interface GraphStore {
	/**
	 * Queue fields for the next group commit.
	 * @param fields - fields to write (older states than stored are ignored by the HAM rule);
	 *   an empty list just waits for everything queued before it
	 * @param done - called once after the commit (or with the error when it failed)
	 */
	put(fields: StoredField[], done: (err?: Error) => void): void;
	/** Fields of one node matching `query`, sorted by key. Synchronous: SQLite reads take µs. */
	read(soul: string, query?: FieldQuery): StoredField[];
	/** The committed state and JSON value of one field, for the relay's replay check. */
	stateOf(soul: string, key: string): { state: number; json: string } | undefined;
	/** Resolves once everything queued so far is committed. */
	flush(): Promise<void>;
	stats(): StoreStats;
	/** Flush, stop the writer, close the database. Idempotent. */
	close(): Promise<void>;
}

/** Hooks for metrics; all optional. */
export interface StoreObserver {
	/** One commit finished: how many fields and how long it took (seconds). */
	onCommit?: (fields: number, seconds: number) => void;
	onError?: (err: Error) => void;
}

interface Pending {
	fields: StoredField[];
	done: (err?: Error) => void;
}

/** The writer worker's entry point. */
const WRITER_URL = new URL('./sqlite-writer.ts', import.meta.url);

/**
 * Open (or create) the store at `path` and start its writer.
 * @param path - database file; its directory is created when missing
 * @param observer - metric hooks
 * @returns a {@link GraphStore}
 * @throws {Error} when the database cannot be opened (permissions, corrupt file)
 * @example const store = sqliteGraphStore('/var/lib/miaou/gun/records.sqlite'); store.put([f], (err) => ack(err))
 */
export function sqliteGraphStore(path: string, observer: StoreObserver = {}): GraphStore {
	mkdirSync(dirname(path), { recursive: true });
	// The main connection creates the schema before the writer opens the file, then only reads.
	const db: DatabaseSync = openRecordsDb(path);
	const selectOne = db.prepare('SELECT key, value, state FROM fields WHERE soul = ? AND key = ?');
	const selectAll = db.prepare('SELECT key, value, state FROM fields WHERE soul = ? ORDER BY key LIMIT ?');
	const selectRange = db.prepare(
		'SELECT key, value, state FROM fields WHERE soul = ? AND key >= ? AND key <= ? ORDER BY key LIMIT ?'
	);
	const selectState = db.prepare('SELECT value, state FROM fields WHERE soul = ? AND key = ?');
	const pageCount = db.prepare('PRAGMA page_count');
	const pageSize = (db.prepare('PRAGMA page_size').get() as { page_size: number }).page_size;

	const worker = new Worker(WRITER_URL, { workerData: { path } });
	let queue: Pending[] = [];
	let queuedFields = 0;
	let inFlight: { id: number; batch: Pending[]; fields: number } | undefined;
	let nextId = 1;
	let scheduled = false;
	let broken: Error | undefined;
	let closed = false;
	const idleWaiters: (() => void)[] = [];

	function settle(batch: Pending[], err: Error | undefined): void {
		for (const p of batch) {
			try {
				p.done(err);
			} catch (e) {
				observer.onError?.(e instanceof Error ? e : new Error(String(e)));
			}
		}
	}

	function fail(err: Error): void {
		if (broken) return;
		broken = err;
		observer.onError?.(err);
		const batch = [...(inFlight?.batch ?? []), ...queue];
		inFlight = undefined;
		queue = [];
		queuedFields = 0;
		settle(batch, err);
		for (const w of idleWaiters.splice(0)) w();
	}

	function pump(): void {
		scheduled = false;
		if (inFlight || broken) return;
		if (queue.length === 0) {
			for (const w of idleWaiters.splice(0)) w();
			return;
		}
		let i = 0;
		let n = 0;
		while (i < queue.length && (i === 0 || n + queue[i]!.fields.length <= MAX_FIELDS_PER_TRANSACTION)) {
			n += queue[i]!.fields.length;
			i++;
		}
		const batch = queue.slice(0, i);
		queue = queue.slice(i);
		queuedFields -= n;
		const rows: WriteRequest['rows'] = [];
		for (const p of batch)
			for (const f of p.fields) rows.push([f.soul, f.key, JSON.stringify(f.value ?? null), f.state]);
		inFlight = { id: nextId++, batch, fields: n };
		const request: WriteRequest = { type: 'write', id: inFlight.id, rows };
		worker.postMessage(request);
	}

	worker.on('message', (msg: WriteResult) => {
		if (!inFlight || msg.id !== inFlight.id) return;
		const { batch, fields } = inFlight;
		inFlight = undefined;
		if (msg.error !== undefined) observer.onError?.(new Error(msg.error));
		else observer.onCommit?.(fields, msg.seconds);
		settle(batch, msg.error !== undefined ? new Error(msg.error) : undefined);
		pump();
	});
	worker.on('error', (err) => fail(err));
	worker.on('exit', (code) => {
		if (!closed) fail(new Error(`the database writer stopped (exit code ${code})`));
	});

	function row(soul: string, r: Record<string, unknown>): StoredField {
		return { soul, key: r.key as string, value: JSON.parse(r.value as string) as unknown, state: r.state as number };
	}

	function flush(): Promise<void> {
		if (!inFlight && queue.length === 0) return Promise.resolve();
		return new Promise<void>((resolve) => {
			idleWaiters.push(resolve);
			if (!scheduled && !inFlight) pump();
		});
	}

	return {
		put(fields, done) {
			if (closed || broken) {
				done(broken ?? new Error('The record store is closed.'));
				return;
			}
			queue.push({ fields, done });
			queuedFields += fields.length;
			// Gather the rest of this event-loop turn's writes into the same batch.
			if (!scheduled && !inFlight) {
				scheduled = true;
				setImmediate(pump);
			}
		},
		read(soul, query = {}) {
			const limit = Math.max(1, Math.min(query.limit ?? MAX_FIELDS_PER_READ, MAX_FIELDS_PER_READ));
			let rows: Record<string, unknown>[];
			if (query.key !== undefined) {
				const r = selectOne.get(soul, query.key) as Record<string, unknown> | undefined;
				rows = r ? [r] : [];
			} else if (query.prefix !== undefined || query.start !== undefined || query.end !== undefined) {
				let lo = query.start ?? '';
				let hi = query.end ?? '\u{10FFFF}';
				if (query.prefix !== undefined) {
					if (query.prefix > lo) lo = query.prefix;
					const top = query.prefix + '\u{10FFFF}';
					if (top < hi) hi = top;
				}
				rows = selectRange.all(soul, lo, hi, limit) as Record<string, unknown>[];
			} else {
				rows = selectAll.all(soul, limit) as Record<string, unknown>[];
			}
			return rows.map((r) => row(soul, r));
		},
		stateOf(soul, key) {
			const r = selectState.get(soul, key) as { value: string; state: number } | undefined;
			return r ? { state: r.state, json: r.value } : undefined;
		},
		flush,
		stats() {
			const pages = (pageCount.get() as { page_count: number }).page_count;
			return { bytes: pages * pageSize, pending: queuedFields + (inFlight?.fields ?? 0), writable: !broken };
		},
		async close() {
			if (closed) return;
			await flush();
			closed = true;
			await new Promise<void>((resolve) => {
				worker.once('exit', () => resolve());
				worker.postMessage({ type: 'close' });
			});
			db.close();
		}
	};
}

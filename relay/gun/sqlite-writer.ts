/**
 * The record store's writer, run in a worker thread (sqlite-store.ts): it receives batches of
 * fields, writes each batch in one transaction and answers only after COMMIT returned, i.e. after
 * the write-ahead log was fsynced (synchronous=FULL). Running it off the main thread means an
 * fsync (0.1 ms on an idle SSD, 5–20 ms on a busy or networked disk) never stalls the relay's
 * signature checks and WebSocket traffic; while one batch commits, the next one fills.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openRecordsDb, UPSERT_SQL } from './sqlite.ts';

/** A batch to commit: rows of [soul, key, JSON value, state]. */
export interface WriteRequest {
	type: 'write';
	id: number;
	rows: [string, string, string, number][];
}
/** Ask the writer to close the database and exit. */
export interface CloseRequest {
	type: 'close';
}
/** The writer's answer to a {@link WriteRequest}. */
export interface WriteResult {
	type: 'done';
	id: number;
	/** The SQLite error message when the transaction failed (and was rolled back). */
	error?: string;
	/** Time the transaction took, fsync included, in seconds. */
	seconds: number;
}

if (parentPort) {
	const port = parentPort;
	const db = openRecordsDb((workerData as { path: string }).path);
	const upsert = db.prepare(UPSERT_SQL);
	port.on('message', (msg: WriteRequest | CloseRequest) => {
		if (msg.type === 'close') {
			db.close();
			port.close();
			return;
		}
		const started = performance.now();
		let error: string | undefined;
		try {
			db.exec('BEGIN');
			for (const r of msg.rows) upsert.run(r[0], r[1], r[2], r[3]);
			db.exec('COMMIT');
		} catch (err) {
			error = err instanceof Error ? err.message : String(err);
			try {
				db.exec('ROLLBACK');
			} catch {
				// The failing statement may already have ended the transaction.
			}
		}
		const result: WriteResult = { type: 'done', id: msg.id, seconds: (performance.now() - started) / 1000 };
		if (error !== undefined) result.error = error;
		port.postMessage(result);
	});
}

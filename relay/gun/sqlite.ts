/**
 * Shared SQLite setup of the record database: loading `node:sqlite` quietly, the pragmas and the
 * schema. Used by the store (reads, main thread) and by its writer worker (writes).
 *
 * One row per (soul, key) field; `value` is the JSON text Gun compares in its conflict rule (HAM),
 * so the upsert applies the same rule in SQL: a higher state wins; on equal states the larger
 * JSON text wins (gun.js `ham`). SQLite compares text as UTF-8 bytes and JavaScript as UTF-16
 * units; they differ only between astral characters and U+E000–U+FFFF, which records (ASCII JSON
 * with base64url keys and signatures) never put in a position where it decides.
 */
import { createRequire } from 'node:module';
import type { DatabaseSync } from 'node:sqlite';

const require = createRequire(import.meta.url);
let sqliteModule: typeof import('node:sqlite') | undefined;

/**
 * Load `node:sqlite` with its ExperimentalWarning silenced, and only that warning: the module is
 * stable enough for us (we pin Node 22.17+), and operators should not learn to ignore warnings.
 * @returns the node:sqlite module
 */
export function loadSqlite(): typeof import('node:sqlite') {
	if (sqliteModule) return sqliteModule;
	const original = process.emitWarning;
	process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
		const text = typeof warning === 'string' ? warning : warning.message;
		const type = typeof rest[0] === 'string' ? rest[0] : ((rest[0] as { type?: string } | undefined)?.type ?? '');
		const name = typeof warning === 'string' ? type : warning.name;
		if ((name === 'ExperimentalWarning' || type === 'ExperimentalWarning') && /SQLite/i.test(text)) return;
		return (original as (...a: unknown[]) => void).call(process, warning, ...rest);
	} as typeof process.emitWarning;
	try {
		sqliteModule = require('node:sqlite') as typeof import('node:sqlite');
	} finally {
		process.emitWarning = original;
	}
	return sqliteModule;
}

/** The upsert implementing Gun's HAM rule; parameters: soul, key, JSON value, state. */
export const UPSERT_SQL = `INSERT INTO fields (soul, key, value, state) VALUES (?, ?, ?, ?)
	ON CONFLICT (soul, key) DO UPDATE SET value = excluded.value, state = excluded.state
	WHERE excluded.state > fields.state OR (excluded.state = fields.state AND excluded.value > fields.value)`;

/**
 * Open the database with the relay's settings and make sure the schema exists.
 * WAL + synchronous=FULL: a commit appends to the log and fsyncs it once, and readers never block
 * the writer (docs/relay.md, "Durable storage", has the measurements behind this choice).
 * @param path - database file
 * @returns the open database
 * @throws {Error} when it cannot be opened
 */
export function openRecordsDb(path: string): DatabaseSync {
	const { DatabaseSync } = loadSqlite();
	const db = new DatabaseSync(path);
	db.exec('PRAGMA journal_mode = WAL');
	db.exec('PRAGMA synchronous = FULL');
	db.exec('PRAGMA busy_timeout = 5000');
	db.exec(
		`CREATE TABLE IF NOT EXISTS fields (
			soul TEXT NOT NULL,
			key TEXT NOT NULL,
			value TEXT NOT NULL,
			state REAL NOT NULL,
			PRIMARY KEY (soul, key)
		) WITHOUT ROWID`
	);
	return db;
}

/**
 * Outbox storage in one JSON file, for the CLI (Node only: it imports node:fs). Every change
 * rewrites the file atomically — write a temporary file in the same directory, fsync it, rename
 * it over the old one, fsync the directory — so a crash leaves either the old or the new
 * outbox, never a torn one (POSIX rename(2) is atomic within a file system). Writes are
 * serialized and coalesced: changes that queue up while a write is in progress go out together.
 */
import { readFile, stat } from 'node:fs/promises';
import { FileAccessError, MalformedError, TooLargeError, UnsupportedVersionError } from '../core/errors.ts';
import type { OutboxItem, OutboxStorage } from './outbox.ts';
import { writeFileAtomic } from '../node/atomic-file.ts';

/** Largest outbox file read. */
export const MAX_OUTBOX_FILE_BYTES = 64 * 1024 * 1024;
/** Format version of the file. */
export const OUTBOX_FILE_VERSION = 1;

interface OutboxFile {
	version: number;
	items: OutboxItem[];
}

function isMissing(error: unknown): boolean {
	return (error as { code?: unknown })?.code === 'ENOENT';
}

/**
 * Outbox storage in a file.
 * @param path - the file (its directory is created, mode 0700; the file is mode 0600)
 * @returns the storage
 * @throws on `load`: {@link TooLargeError}, {@link MalformedError} or {@link UnsupportedVersionError}
 *   for a file that is too big, not an outbox or from a newer version; {@link FileAccessError} when
 *   it cannot be read or written
 * @example const outbox = createOutbox({ storage: fileOutboxStorage(join(home, 'outbox.json')), send })
 */
export function fileOutboxStorage(path: string): OutboxStorage {
	const items = new Map<string, OutboxItem>();
	let loaded: Promise<void> | undefined;
	let changes = 0;
	let written = 0;
	let queue: Promise<void> = Promise.resolve();

	const read = async (): Promise<void> => {
		let size: number;
		try {
			size = (await stat(path)).size;
		} catch (error) {
			if (isMissing(error)) return;
			throw new FileAccessError(path, (error as Error).message);
		}
		if (size > MAX_OUTBOX_FILE_BYTES) throw new TooLargeError(`The outbox file ${path}`, size, MAX_OUTBOX_FILE_BYTES);
		let text: string;
		try {
			text = await readFile(path, 'utf8');
		} catch (error) {
			throw new FileAccessError(path, (error as Error).message);
		}
		let data: unknown;
		try {
			data = JSON.parse(text);
		} catch {
			throw new MalformedError(`The outbox file ${path}`, 'not JSON');
		}
		const file = data as Partial<OutboxFile>;
		if (typeof data !== 'object' || data === null || !Array.isArray(file.items))
			throw new MalformedError(`The outbox file ${path}`, 'no item list');
		if (file.version !== OUTBOX_FILE_VERSION)
			throw new UnsupportedVersionError('The outbox file', String(file.version));
		for (const item of file.items)
			if (typeof item === 'object' && item !== null && typeof item.id === 'string') items.set(item.id, item);
	};

	const write = async (): Promise<void> => {
		if (written === changes) return;
		const target = changes;
		const body: OutboxFile = { version: OUTBOX_FILE_VERSION, items: [...items.values()] };
		try {
			await writeFileAtomic(path, JSON.stringify(body), { mode: 0o600, dirMode: 0o700 });
			written = target;
		} catch (error) {
			throw new FileAccessError(path, (error as Error).message);
		}
	};

	const change = (apply: () => void): Promise<void> => {
		apply();
		changes++;
		const done = queue.then(write);
		queue = done.catch(() => {});
		return done;
	};

	const ready = (): Promise<void> =>
		(loaded ??= read().catch((error: unknown) => {
			loaded = undefined;
			throw error;
		}));

	return {
		async load() {
			await ready();
			return [...items.values()].map((item) => structuredClone(item));
		},
		async save(item) {
			await ready();
			const saved = structuredClone(item);
			return change(() => items.set(saved.id, saved));
		},
		async remove(id) {
			await ready();
			if (!items.has(id)) return;
			return change(() => items.delete(id));
		}
	};
}

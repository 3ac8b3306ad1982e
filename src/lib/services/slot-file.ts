/**
 * A {@link ByteSlot} in one file, for the CLI (Node only: it imports node:fs). A write goes to a
 * temporary file in the same directory, is fsynced, renamed over the old file and the directory
 * fsynced, so a crash leaves the old or the new value, never a torn one (POSIX rename(2) is atomic
 * within a file system). Writes to one slot are serialized. Files are mode 0600 in a 0700 folder.
 */
import { readFile, stat } from 'node:fs/promises';
import { writeFileAtomic as writeAtomic } from '../node/atomic-file.ts';
import { AbortError, FileAccessError, TooLargeError } from '../core/errors.ts';
import type { ByteSlot } from './slot.ts';

/** Default cap on a slot file, checked before it is read. */
export const DEFAULT_MAX_SLOT_FILE_BYTES = 64 * 1024 * 1024;

function isMissing(error: unknown): boolean {
	return (error as { code?: unknown })?.code === 'ENOENT';
}

/**
 * Write a file atomically (temporary file, fsync, rename, fsync of the directory).
 * @param path - the file
 * @param bytes - its new content
 * @throws {FileAccessError} when it cannot be written
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
	try {
		await writeAtomic(path, bytes, { mode: 0o600, dirMode: 0o700 });
	} catch (error) {
		throw new FileAccessError(path, (error as Error).message);
	}
}

/**
 * Read a whole file, size-checked first.
 * @param path - the file
 * @param maxBytes - the largest size accepted
 * @returns its bytes, or undefined when it does not exist
 * @throws {TooLargeError} when it is larger than `maxBytes`
 * @throws {FileAccessError} when it cannot be read or is not a regular file
 */
export async function readFileCapped(path: string, maxBytes: number): Promise<Uint8Array | undefined> {
	let size: number;
	try {
		const info = await stat(path);
		if (!info.isFile()) throw new FileAccessError(path, 'it is not a regular file');
		size = info.size;
	} catch (error) {
		if (error instanceof FileAccessError) throw error;
		if (isMissing(error)) return undefined;
		throw new FileAccessError(path, (error as Error).message);
	}
	if (size > maxBytes) throw new TooLargeError(`The file ${path}`, size, maxBytes);
	try {
		const bytes = await readFile(path);
		if (bytes.length > maxBytes) throw new TooLargeError(`The file ${path}`, bytes.length, maxBytes);
		return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
	} catch (error) {
		if (error instanceof TooLargeError) throw error;
		if (isMissing(error)) return undefined;
		throw new FileAccessError(path, (error as Error).message);
	}
}

/**
 * A slot stored in one file.
 * @param path - the file (its folder is created on the first write)
 * @param opts - `maxBytes`: the largest file read (default {@link DEFAULT_MAX_SLOT_FILE_BYTES})
 * @returns the slot
 * @example const slot = fileSlot(join(home, 'prekeys.bin'))
 */
export function fileSlot(path: string, opts: { maxBytes?: number } = {}): ByteSlot {
	const maxBytes = opts.maxBytes ?? DEFAULT_MAX_SLOT_FILE_BYTES;
	let queue: Promise<void> = Promise.resolve();
	return {
		async read(o = {}) {
			if (o.signal?.aborted) throw new AbortError('Reading the file');
			await queue; // a read after a write sees that write
			return readFileCapped(path, maxBytes);
		},
		write(bytes, o = {}) {
			if (o.signal?.aborted) return Promise.reject(new AbortError('Writing the file'));
			if (bytes.length > maxBytes) return Promise.reject(new TooLargeError(`The file ${path}`, bytes.length, maxBytes));
			const copy = bytes.slice();
			const done = queue.then(() => writeFileAtomic(path, copy));
			queue = done.catch(() => {});
			return done;
		}
	};
}

/**
 * Crash-safe file replacement for the CLI's data directory, the file outbox and the sealed slots
 * (Node only). A crash at any point leaves either the old content or the new one, never a torn file:
 * POSIX rename(2) replaces the target atomically, and the fsync of the file before it and of the
 * directory after it make both the content and the new directory entry durable.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
	/** Mode of the new file (default 0600: most of what Miaou writes touches keys or messages). */
	mode?: number;
	/** When set, the directory is created first (recursively) with this mode. */
	dirMode?: number;
}

/**
 * Replace `path` with `data` atomically and durably.
 * @param path - the target file
 * @param data - its full new content
 * @param opts - file mode; whether to create the directory
 * @throws the underlying Node error (`ENOENT`, `EACCES`, `ENOSPC`, …) after removing the temporary file
 * @example await writeFileAtomic(join(home, 'identity.json'), text, { mode: 0o600 })
 */
export async function writeFileAtomic(
	path: string,
	data: string | Uint8Array,
	opts: AtomicWriteOptions = {}
): Promise<void> {
	const mode = opts.mode ?? 0o600;
	const dir = dirname(path);
	if (opts.dirMode !== undefined) await mkdir(dir, { recursive: true, mode: opts.dirMode });
	const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
	try {
		// O_EXCL: never write through a file or link someone placed at the temporary name.
		const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
		try {
			await handle.chmod(mode); // the umask may have removed bits from `mode`; set it exactly
			await handle.writeFile(data);
			await handle.sync();
		} finally {
			await handle.close();
		}
		await rename(tmp, path);
	} catch (err) {
		await unlink(tmp).catch(() => undefined);
		throw err;
	}
	await syncDirectory(dir);
}

/** fsync a directory so a rename inside it survives a crash; a no-op where the OS refuses (Windows). */
async function syncDirectory(dir: string): Promise<void> {
	let handle;
	try {
		handle = await open(dir, constants.O_RDONLY);
		await handle.sync();
	} catch {
		// Some platforms and file systems cannot fsync a directory; the rename is still atomic there.
	} finally {
		await handle?.close();
	}
}

/**
 * One messaging command at a time per data directory (docs/cli.md "Data directory"): the ratchet
 * sessions, prekeys, contacts, history and outbox files are read at the start of a command and
 * rewritten as it goes, so two commands at once (a `recv --wait` and a `send` in another terminal)
 * would overwrite each other's ratchet state and lose messages. The lock is a file created with
 * O_EXCL holding the owner's process id; a lock whose process is gone is taken over.
 */
import { constants } from 'node:fs';
import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { HomeBusyError } from '../lib/core/errors.ts';
import { fileError, SECRET_FILE_MODE } from './home.ts';

/** The lock file's name in the data directory. */
export const LOCK_FILE_NAME = 'messaging.lock';
/** Largest lock file read (a process id and a newline). */
const MAX_LOCK_BYTES = 64;

/** A held lock. */
export interface HomeLock {
	/** Remove the lock file (idempotent). */
	release(): Promise<void>;
}

/** Whether a process with this id exists (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (err) {
		// EPERM: it exists but belongs to someone else.
		return (err as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/**
 * Take the messaging lock of a data directory.
 * @param home - the data directory (must exist)
 * @returns the lock; release it when the command ends
 * @throws {HomeBusyError} when another live process holds it
 * @throws {FileAccessError} when the lock file cannot be created
 */
export async function lockHome(home: string): Promise<HomeLock> {
	const path = join(home, LOCK_FILE_NAME);
	for (let attempt = 0; attempt < 3; attempt++) {
		try {
			const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, SECRET_FILE_MODE);
			try {
				await handle.writeFile(`${process.pid}\n`);
			} finally {
				await handle.close();
			}
			let released = false;
			return {
				async release() {
					if (released) return;
					released = true;
					await unlink(path).catch(() => undefined);
				}
			};
		} catch (err) {
			if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw fileError(err, path);
		}
		const text = await readFile(path, 'utf8').catch(() => '');
		const pid = Number(text.slice(0, MAX_LOCK_BYTES).trim());
		if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw new HomeBusyError(home, pid);
		// Stale (its process is gone) or unreadable: take it over.
		await unlink(path).catch(() => undefined);
	}
	throw new HomeBusyError(home, undefined);
}

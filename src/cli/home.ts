/**
 * The CLI's data directory and its file discipline (docs/cli.md, "Data directory"):
 *
 * - where: `--home <dir>`, else `MIAOU_HOME`, else `~/.miaou`;
 * - the directory is created private (0700) and secret files are written 0600;
 * - every write is atomic — temporary file in the same directory, fsync, rename, fsync of the
 *   directory — so a crash or a full disk leaves either the old file or the new one, never half of one;
 * - every read is size-checked before the bytes are parsed (STYLE.md habit 6).
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic as writeAtomic } from '../lib/node/atomic-file.ts';
import { FileAccessError, MiaouError, NoSuchFileError, TooLargeError, UsageError } from '../lib/core/errors.ts';

/** The environment variable naming the data directory. */
export const HOME_ENV = 'MIAOU_HOME';
/** The data directory's name under the user's home when neither `--home` nor MIAOU_HOME is given. */
export const DEFAULT_HOME_DIRNAME = '.miaou';
/** Mode of a data directory Miaou creates: only its owner may list or enter it. */
export const HOME_DIR_MODE = 0o700;
/** Mode of every file holding secrets (even encrypted ones): only its owner may read it. */
export const SECRET_FILE_MODE = 0o600;
/** Mode of files that hold nothing secret (signatures). */
export const PUBLIC_FILE_MODE = 0o644;

/**
 * Where the data directory is.
 * @param flag - the `--home` option, if given
 * @param env - the environment (MIAOU_HOME is read; an empty value counts as unset)
 * @param userHome - the user's home directory (default: os.homedir())
 * @returns an absolute path
 * @throws {UsageError} when `--home` is given empty
 */
export function resolveHome(
	flag: string | undefined,
	env: Readonly<Record<string, string | undefined>>,
	userHome: string = homedir()
): string {
	if (flag !== undefined) {
		if (flag.trim() === '') throw new UsageError('The --home option needs a directory.');
		return resolve(flag);
	}
	const fromEnv = env[HOME_ENV];
	if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
	return join(userHome, DEFAULT_HOME_DIRNAME);
}

/**
 * Turn a Node file system error into the named error the CLI prints, naming `path`.
 * @param err - what the fs call threw
 * @param path - the path the user knows (not a temporary name)
 * @returns a MiaouError for errno errors; `err` itself otherwise
 */
export function fileError(err: unknown, path: string): MiaouError | unknown {
	if (err instanceof MiaouError) return err;
	const code = (err as NodeJS.ErrnoException | undefined)?.code;
	if (typeof code !== 'string') return err;
	switch (code) {
		case 'ENOENT':
			return new NoSuchFileError(path);
		case 'EACCES':
		case 'EPERM':
			return new FileAccessError(path, 'permission denied');
		case 'EISDIR':
			return new FileAccessError(path, 'it is a directory, not a file');
		case 'ENOTDIR':
			return new FileAccessError(path, 'a part of the path is not a directory');
		case 'ENOSPC':
			return new FileAccessError(path, 'no space left on the device');
		case 'EROFS':
			return new FileAccessError(path, 'the file system is read-only');
		default:
			return /^E[A-Z]+$/.test(code) ? new FileAccessError(path, `system error ${code}`) : err;
	}
}

/**
 * Create the data directory (and its parents) if missing; a directory Miaou creates is 0700.
 * An existing directory is left as it is: the user chose it and its mode.
 * @param home - absolute path of the data directory
 * @throws {FileAccessError} when it cannot be created or is not a directory
 */
export async function ensureHome(home: string): Promise<void> {
	try {
		await mkdir(home, { recursive: true, mode: HOME_DIR_MODE });
		const info = await stat(home);
		if (!info.isDirectory()) throw new FileAccessError(home, 'it is not a directory');
	} catch (err) {
		throw fileError(err, home);
	}
}

/**
 * True if something exists at `path` (a dangling symbolic link counts: writing there would follow it).
 * @param path - the path to test
 * @returns whether lstat finds it
 */
export async function exists(path: string): Promise<boolean> {
	try {
		await lstat(path);
		return true;
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
		throw fileError(err, path);
	}
}

/**
 * Write a file atomically: a crash at any point leaves either the old content or the new content.
 * POSIX rename(2) replaces the target atomically; the fsync of the file before it and of the
 * directory after it make both the content and the new directory entry durable.
 * @param path - the target
 * @param data - the full new content
 * @param mode - the file mode (SECRET_FILE_MODE for anything touching keys)
 * @throws {NoSuchFileError | FileAccessError} naming `path`, never the temporary file
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode: number): Promise<void> {
	try {
		await writeAtomic(path, data, { mode });
	} catch (err) {
		throw fileError(err, (err as NodeJS.ErrnoException).code === 'ENOENT' ? dirname(path) : path);
	}
}

/**
 * Read a whole file, refusing it before reading when it is larger than `max` bytes.
 * @param path - the file
 * @param max - the largest size accepted
 * @param what - what the file is, for the error message (e.g. "The backup file")
 * @returns its bytes
 * @throws {TooLargeError} when it is larger than `max`
 * @throws {NoSuchFileError | FileAccessError} when it cannot be read
 */
export async function readFileLimited(path: string, max: number, what: string): Promise<Uint8Array> {
	let handle;
	try {
		handle = await open(path, constants.O_RDONLY);
		const info = await handle.stat();
		if (!info.isFile()) throw new FileAccessError(path, 'it is not a regular file');
		if (info.size > max) throw new TooLargeError(what, info.size, max);
		// Read at most max + 1 bytes, so a file that grows after the stat is still caught.
		const buffer = new Uint8Array(max + 1);
		let length = 0;
		for (;;) {
			const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
			if (bytesRead === 0) break;
			length += bytesRead;
			if (length > max) throw new TooLargeError(what, length, max);
		}
		return buffer.slice(0, length);
	} catch (err) {
		throw fileError(err, path);
	} finally {
		await handle?.close();
	}
}

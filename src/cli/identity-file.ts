/**
 * The identity file in the data directory, `identity.json` (docs/cli.md, "Data directory"):
 *
 * ```json
 * { "format": "miaou-cli-identity", "version": 1, "id": "did:key:z6Mk…", "name": "Alice",
 *   "createdAt": 1767225600000, "backup": "<the encrypted key backup, as `miaou id export` prints it>" }
 * ```
 *
 * The public part (id, name, creation time) sits in clear beside the encrypted secrets, so
 * `miaou id show`, `verify` and `safety-number` need no passphrase. The backup is exactly the text
 * the core's `exportIdentity` produced (or the one imported), so exporting is a copy, and the
 * clear id is checked against the id the backup carries every time the file is read.
 */
import { isMiaouId, type MiaouId } from '../lib/core/identity.ts';
import { readBackupId } from '../lib/core/keystore.ts';
import { MalformedError, MiaouError, NoIdentityError, TooLargeError, UsageError } from '../lib/core/errors.ts';
import { fromUtf8 } from '../lib/core/bytes.ts';
import { join } from 'node:path';
import { exists, readFileLimited, SECRET_FILE_MODE, writeFileAtomic } from './home.ts';

/** The identity file's name inside the data directory. */
export const IDENTITY_FILE_NAME = 'identity.json';
/** The `format` tag of an identity file. */
export const IDENTITY_FILE_FORMAT = 'miaou-cli-identity';
/** The identity file version this CLI writes and reads. */
export const IDENTITY_FILE_VERSION = 1;
/** Largest identity file accepted; a real one is about 1 KiB. */
export const MAX_IDENTITY_FILE_BYTES = 64 * 1024;
/** Longest display name, in characters. */
export const MAX_NAME_LENGTH = 64;

/** The content of an identity file. */
export interface IdentityFile {
	id: MiaouId;
	/** A display name chosen by the user, local to this data directory. */
	name?: string;
	/** Milliseconds since the Unix epoch, from the identity itself. */
	createdAt: number;
	/** The encrypted key backup text. */
	backup: string;
}

/**
 * Check a display name given on the command line.
 * @param name - the `--name` value
 * @returns the name, trimmed
 * @throws {UsageError} when empty, too long, or holding control characters
 */
export function checkName(name: string): string {
	const trimmed = name.trim();
	if (trimmed === '') throw new UsageError('The name is empty.');
	if ([...trimmed].length > MAX_NAME_LENGTH)
		throw new UsageError(`The name is longer than ${MAX_NAME_LENGTH} characters.`);
	// eslint-disable-next-line no-control-regex -- the point is to refuse control characters
	if (/[\u0000-\u001f\u007f-\u009f]/.test(trimmed)) throw new UsageError('The name holds control characters.');
	return trimmed;
}

/**
 * Serialise an identity file.
 * @param file - its content
 * @returns pretty-printed JSON with a trailing newline
 */
export function encodeIdentityFile(file: IdentityFile): string {
	const out: Record<string, unknown> = {
		format: IDENTITY_FILE_FORMAT,
		version: IDENTITY_FILE_VERSION,
		id: file.id
	};
	if (file.name !== undefined) out.name = file.name;
	out.createdAt = file.createdAt;
	out.backup = file.backup;
	return `${JSON.stringify(out, null, '\t')}\n`;
}

/**
 * Parse and check an identity file: known format and version, well-formed fields, and a clear
 * `id` equal to the id inside the backup (so an edited id cannot pass itself off as ours).
 * @param text - the file's content
 * @param where - the file's path, for messages
 * @returns the checked content
 * @throws {TooLargeError} over MAX_IDENTITY_FILE_BYTES
 * @throws {MalformedError} for anything else that is wrong
 */
export function parseIdentityFile(text: string, where: string): IdentityFile {
	if (text.length > MAX_IDENTITY_FILE_BYTES) throw new TooLargeError(where, text.length, MAX_IDENTITY_FILE_BYTES);
	const what = `The identity file ${where}`;
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		throw new MalformedError(what, 'not JSON');
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value))
		throw new MalformedError(what, 'not a JSON object');
	const v = value as Record<string, unknown>;
	if (v.format !== IDENTITY_FILE_FORMAT) throw new MalformedError(what, 'not a Miaou identity file');
	if (v.version !== IDENTITY_FILE_VERSION)
		throw new MalformedError(what, `version ${String(v.version)} is not supported`);
	if (!isMiaouId(v.id)) throw new MalformedError(what, 'its id is not a Miaou id');
	if (typeof v.createdAt !== 'number' || !Number.isSafeInteger(v.createdAt) || v.createdAt < 0)
		throw new MalformedError(what, 'its creation time is not a timestamp');
	if (typeof v.backup !== 'string') throw new MalformedError(what, 'it holds no key backup');
	if (v.name !== undefined && (typeof v.name !== 'string' || [...v.name].length > MAX_NAME_LENGTH))
		throw new MalformedError(what, 'its name is not a short string');
	let backupId: string;
	try {
		backupId = readBackupId(v.backup);
	} catch (err) {
		throw new MalformedError(what, `its key backup is unreadable (${err instanceof MiaouError ? err.code : 'error'})`);
	}
	if (backupId !== v.id) throw new MalformedError(what, 'its id does not match the id in its key backup');
	const file: IdentityFile = { id: v.id, createdAt: v.createdAt, backup: v.backup };
	if (typeof v.name === 'string') file.name = v.name;
	return file;
}

/**
 * Path of the identity file in a data directory.
 * @param home - the data directory
 * @returns its identity file's path
 */
export function identityPath(home: string): string {
	return join(home, IDENTITY_FILE_NAME);
}

/**
 * Read the identity of a data directory.
 * @param home - the data directory
 * @returns the checked identity file
 * @throws {NoIdentityError} when there is none
 * @throws {MalformedError | TooLargeError | FileAccessError} when it is damaged or unreadable
 */
export async function loadIdentityFile(home: string): Promise<IdentityFile> {
	const path = identityPath(home);
	if (!(await exists(path))) throw new NoIdentityError(home);
	const bytes = await readFileLimited(path, MAX_IDENTITY_FILE_BYTES, `The identity file ${path}`);
	return parseIdentityFile(fromUtf8(bytes), path);
}

/**
 * Write the identity file atomically, mode 0600.
 * @param home - the data directory (must exist)
 * @param file - the content
 * @throws {FileAccessError} when it cannot be written
 */
export async function saveIdentityFile(home: string, file: IdentityFile): Promise<void> {
	await writeFileAtomic(identityPath(home), encodeIdentityFile(file), SECRET_FILE_MODE);
}

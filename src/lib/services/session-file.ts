/**
 * Session storage in a folder, for the CLI (Node only). One file per peer, named by a hash of
 * the peer's id so a directory listing does not show the contact list; each file is written
 * atomically (slot-file.ts). Wrap it in `sealedSessionStorage` so the files hold only sealed
 * sessions:
 *
 *   const sessions = sealedSessionStorage(fileSessionStorage(join(home, 'sessions')), deriveAtRestKey(me, 'sessions'))
 *
 * File format, version 1: 0x01 ‖ count (u8) ‖ count × (length u32 big-endian ‖ bytes).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { concat, toHex, utf8 } from '../core/bytes.ts';
import { FileAccessError, MalformedError, UnsupportedVersionError } from '../core/errors.ts';
import type { MiaouId } from '../core/identity.ts';
import { MAX_SESSIONS_PER_PEER, MAX_STORED_SESSION_BYTES, type SessionStorage } from './sessions.ts';
import { readFileCapped, writeFileAtomic } from './slot-file.ts';

/** Version byte of a session file. */
export const SESSION_FILE_VERSION = 1;
/** Largest session file read. */
export const MAX_SESSION_FILE_BYTES = 2 + MAX_SESSIONS_PER_PEER * (4 + MAX_STORED_SESSION_BYTES);

/**
 * The file name of a peer's sessions: SHA-256 of the id, 32 hex digits, `.session`.
 * @param peer - the peer's id
 * @returns the base name
 */
export function sessionFileName(peer: MiaouId): string {
	return `${toHex(sha256(utf8(`miaou/v1/session-file\n${peer}`)).subarray(0, 16))}.session`;
}

/**
 * Encode a list of sessions as a session file.
 * @param sessions - the (sealed) sessions
 * @returns the file's bytes
 * @throws {RangeError} on too many sessions or one too large
 */
export function encodeSessionFile(sessions: readonly Uint8Array[]): Uint8Array {
	if (sessions.length > MAX_SESSIONS_PER_PEER) throw new RangeError(`at most ${MAX_SESSIONS_PER_PEER} sessions`);
	const parts: Uint8Array[] = [new Uint8Array([SESSION_FILE_VERSION, sessions.length])];
	for (const s of sessions) {
		if (s.length > MAX_STORED_SESSION_BYTES)
			throw new RangeError(`a stored session is at most ${MAX_STORED_SESSION_BYTES} bytes`);
		const length = new Uint8Array(4);
		new DataView(length.buffer).setUint32(0, s.length);
		parts.push(length, s);
	}
	return concat(...parts);
}

/**
 * Decode a session file, checking every length against what is left.
 * @param bytes - the file's bytes (already size-checked by the reader)
 * @returns the sessions
 * @throws {UnsupportedVersionError} on an unknown version
 * @throws {MalformedError} when it does not parse exactly
 */
export function decodeSessionFile(bytes: Uint8Array): Uint8Array[] {
	if (bytes.length < 2) throw new MalformedError('Session file', 'truncated');
	if (bytes[0] !== SESSION_FILE_VERSION) throw new UnsupportedVersionError('Session file', bytes[0]!);
	const count = bytes[1]!;
	if (count > MAX_SESSIONS_PER_PEER) throw new MalformedError('Session file', 'too many sessions');
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
	const out: Uint8Array[] = [];
	let offset = 2;
	for (let i = 0; i < count; i++) {
		if (offset + 4 > bytes.length) throw new MalformedError('Session file', 'truncated');
		const length = view.getUint32(offset);
		offset += 4;
		if (length > MAX_STORED_SESSION_BYTES || offset + length > bytes.length)
			throw new MalformedError('Session file', 'a session length is out of bounds');
		out.push(bytes.slice(offset, offset + length));
		offset += length;
	}
	if (offset !== bytes.length) throw new MalformedError('Session file', 'trailing bytes');
	return out;
}

/**
 * Sessions stored as files in `dir`.
 * @param dir - the folder (created mode 0700 on the first write)
 * @returns the storage
 * @throws from `load`: {@link TooLargeError}, {@link MalformedError}, {@link UnsupportedVersionError}
 *   for a bad file, {@link FileAccessError} when it cannot be read or written
 */
export function fileSessionStorage(dir: string): SessionStorage {
	const queues = new Map<string, Promise<void>>();
	const path = (peer: MiaouId) => join(dir, sessionFileName(peer));
	return {
		async load(peer) {
			await queues.get(peer);
			const bytes = await readFileCapped(path(peer), MAX_SESSION_FILE_BYTES);
			return bytes ? decodeSessionFile(bytes) : [];
		},
		save(peer, sessions) {
			const file = path(peer);
			let bytes: Uint8Array | undefined;
			try {
				bytes = sessions.length > 0 ? encodeSessionFile(sessions) : undefined;
			} catch (error) {
				return Promise.reject(error);
			}
			const write = async (): Promise<void> => {
				if (bytes) return writeFileAtomic(file, bytes);
				await unlink(file).catch((error: unknown) => {
					if ((error as { code?: unknown })?.code !== 'ENOENT')
						throw new FileAccessError(file, (error as Error).message);
				});
			};
			const done = (queues.get(peer) ?? Promise.resolve()).then(write);
			const settled = done.catch(() => {});
			queues.set(peer, settled);
			void settled.then(() => {
				if (queues.get(peer) === settled) queues.delete(peer);
			});
			return done;
		}
	};
}

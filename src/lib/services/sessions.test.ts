import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DecryptError, MalformedError, TooLargeError, UnsupportedVersionError } from '../core/errors.ts';
import { createIdentity } from '../core/identity.ts';
import { createLoopbackPair, importSession } from '../core/session.ts';
import { deriveAtRestKey } from './at-rest.ts';
import {
	decodeSessionFile,
	encodeSessionFile,
	fileSessionStorage,
	MAX_SESSION_FILE_BYTES,
	sessionFileName
} from './session-file.ts';
import { MAX_SESSIONS_PER_PEER, memorySessionStorage, sealedSessionStorage, type SessionStorage } from './sessions.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
	const d = mkdtempSync(join(tmpdir(), 'miaou-sessions-'));
	dirs.push(d);
	return d;
};

const me = createIdentity();
const peer = createIdentity().id;
const other = createIdentity().id;
const key = deriveAtRestKey(me, 'sessions');

async function roundTrip(storage: SessionStorage) {
	const { alice } = await createLoopbackPair();
	const exported = alice.session.export();
	expect(await storage.load(peer)).toEqual([]);
	await storage.save(peer, [exported, new Uint8Array([9])]);
	const loaded = await storage.load(peer);
	expect(loaded).toEqual([exported, new Uint8Array([9])]);
	expect(importSession(loaded[0]!).export()).toEqual(exported);
	expect(await storage.load(other)).toEqual([]);
	await storage.save(peer, []);
	expect(await storage.load(peer)).toEqual([]);
	await expect(
		storage.save(
			peer,
			Array.from({ length: MAX_SESSIONS_PER_PEER + 1 }, () => new Uint8Array(1))
		)
	).rejects.toThrow(RangeError);
}

describe('session storage', () => {
	it('memory: round trip, replace, forget', () => roundTrip(memorySessionStorage()));
	it('sealed over memory: round trip', () => roundTrip(sealedSessionStorage(memorySessionStorage(), key)));
	it('file: round trip', () => roundTrip(fileSessionStorage(tempDir())));
	it('sealed over file: round trip', () => roundTrip(sealedSessionStorage(fileSessionStorage(tempDir()), key)));

	it('sealed: the inner store holds only sealed bytes, bound to the peer and the identity', async () => {
		const inner = memorySessionStorage();
		const sealed = sealedSessionStorage(inner, key);
		const secret = new Uint8Array(64).fill(0x42);
		await sealed.save(peer, [secret]);
		const raw = inner.raw.get(peer)![0]!;
		expect(Buffer.from(raw).includes(Buffer.from(secret.subarray(0, 16)))).toBe(false);
		// Moved under another peer, or read with another identity's key: refused.
		await inner.save(other, [raw]);
		await expect(sealed.load(other)).rejects.toBeInstanceOf(DecryptError);
		const stranger = sealedSessionStorage(inner, deriveAtRestKey(createIdentity(), 'sessions'));
		await expect(stranger.load(peer)).rejects.toBeInstanceOf(DecryptError);
	});

	it('file: names files by a hash of the id, mode 0600, survives a new instance', async () => {
		const dir = tempDir();
		await fileSessionStorage(dir).save(peer, [new Uint8Array([1, 2, 3])]);
		const files = readdirSync(dir);
		expect(files).toEqual([sessionFileName(peer)]);
		expect(files[0]).not.toContain('did');
		expect(await fileSessionStorage(dir).load(peer)).toEqual([new Uint8Array([1, 2, 3])]);
		const { statSync } = await import('node:fs');
		expect(statSync(join(dir, files[0]!)).mode & 0o777).toBe(0o600);
		expect(readFileSync(join(dir, files[0]!))).toEqual(Buffer.from([1, 1, 0, 0, 0, 3, 1, 2, 3]));
	});

	it('file: refuses a damaged, foreign or oversized file', async () => {
		const dir = tempDir();
		const storage = fileSessionStorage(dir);
		const path = join(dir, sessionFileName(peer));
		writeFileSync(path, Buffer.from([1, 1, 0, 0, 0, 9, 1]));
		await expect(storage.load(peer)).rejects.toBeInstanceOf(MalformedError);
		writeFileSync(path, Buffer.from([2, 0]));
		await expect(storage.load(peer)).rejects.toBeInstanceOf(UnsupportedVersionError);
		writeFileSync(path, Buffer.alloc(MAX_SESSION_FILE_BYTES + 1));
		await expect(storage.load(peer)).rejects.toBeInstanceOf(TooLargeError);
	});

	it('file format: encode and decode agree, and trailing or missing bytes are refused', () => {
		const list = [new Uint8Array([1]), new Uint8Array(0), new Uint8Array([2, 3])];
		const bytes = encodeSessionFile(list);
		expect(decodeSessionFile(bytes)).toEqual(list);
		expect(() => decodeSessionFile(new Uint8Array([...bytes, 0]))).toThrow(MalformedError);
		expect(() => decodeSessionFile(bytes.subarray(0, bytes.length - 1))).toThrow(MalformedError);
		expect(() => decodeSessionFile(new Uint8Array([1, MAX_SESSIONS_PER_PEER + 1]))).toThrow(MalformedError);
		expect(() => decodeSessionFile(new Uint8Array([1]))).toThrow(MalformedError);
	});
});

/**
 * The share worker's protocol: every message the worker receives is checked (operation, key length,
 * data size) before any work; every reply the page receives is checked too; errors cross with their
 * code and come back as the same code; a served request transfers its result.
 */
import { describe, expect, it } from 'vitest';
import { DecryptError, MiaouError, TooLargeError } from '../core/errors.ts';
import {
	createShareKey,
	decryptShare,
	encryptShare,
	MAX_ENCRYPTED_SHARE_BYTES,
	MAX_SHARE_BYTES
} from '../core/share-crypto.ts';
import {
	checkShareCryptoReply,
	checkShareCryptoRequest,
	failedReply,
	MAX_SHARE_ERROR_MESSAGE_LENGTH,
	reviveShareCryptoError,
	serveShareCryptoMessage,
	SHARE_PROGRESS_INTERVAL_MS,
	type ShareCryptoReply
} from './share-crypto-protocol.ts';

const key = () => createShareKey().buffer as ArrayBuffer;

/** An ArrayBuffer that claims a size without allocating it (the checks read byteLength only). */
function claimedSize(byteLength: number): ArrayBuffer {
	const buffer = new ArrayBuffer(0);
	Object.defineProperty(buffer, 'byteLength', { value: byteLength });
	return buffer;
}

describe('checkShareCryptoRequest', () => {
	it('accepts a request within bounds', () => {
		const data = new ArrayBuffer(10);
		const k = key();
		expect(checkShareCryptoRequest({ op: 'encrypt', data, key: k })).toEqual({ op: 'encrypt', data, key: k });
		expect(checkShareCryptoRequest({ op: 'decrypt', data, key: k }).op).toBe('decrypt');
	});

	it('refuses what is not a request', () => {
		for (const bad of [null, 1, 'encrypt', [], { op: 'sign', data: new ArrayBuffer(1), key: key() }])
			expect(() => checkShareCryptoRequest(bad)).toThrow(TypeError);
		expect(() => checkShareCryptoRequest({ op: 'encrypt', data: new Uint8Array(4), key: key() })).toThrow(
			/data must be an ArrayBuffer/
		);
		expect(() => checkShareCryptoRequest({ op: 'encrypt', data: new ArrayBuffer(4), key: 'k' })).toThrow(
			/key must be an ArrayBuffer/
		);
	});

	it('refuses a key that is not 32 bytes', () => {
		for (const n of [0, 31, 33])
			expect(() =>
				checkShareCryptoRequest({ op: 'encrypt', data: new ArrayBuffer(1), key: new ArrayBuffer(n) })
			).toThrow(RangeError);
	});

	it('refuses data over the bound of its operation, and accepts it at the bound', () => {
		const k = key();
		expect(() => checkShareCryptoRequest({ op: 'encrypt', data: claimedSize(MAX_SHARE_BYTES + 1), key: k })).toThrow(
			TooLargeError
		);
		expect(checkShareCryptoRequest({ op: 'encrypt', data: claimedSize(MAX_SHARE_BYTES), key: k }).op).toBe('encrypt');
		// A ciphertext may be larger than a plain file, by its overhead, and no more.
		expect(checkShareCryptoRequest({ op: 'decrypt', data: claimedSize(MAX_ENCRYPTED_SHARE_BYTES), key: k }).op).toBe(
			'decrypt'
		);
		expect(() =>
			checkShareCryptoRequest({ op: 'decrypt', data: claimedSize(MAX_ENCRYPTED_SHARE_BYTES + 1), key: k })
		).toThrow(TooLargeError);
	});
});

describe('checkShareCryptoReply', () => {
	it('accepts each kind of reply', () => {
		expect(checkShareCryptoReply({ kind: 'ready' }, 'encrypt')).toEqual({ kind: 'ready' });
		expect(checkShareCryptoReply({ kind: 'progress', done: 5, total: 9 }, 'encrypt')).toEqual({
			kind: 'progress',
			done: 5,
			total: 9
		});
		const data = new ArrayBuffer(3);
		expect(checkShareCryptoReply({ kind: 'done', data }, 'decrypt')).toEqual({ kind: 'done', data });
		expect(
			checkShareCryptoReply({ kind: 'failed', code: 'ERR_DECRYPT', message: 'm', name: 'Error' }, 'decrypt')
		).toEqual({ kind: 'failed', code: 'ERR_DECRYPT', message: 'm', name: 'Error' });
	});

	it('refuses malformed replies, impossible progress and oversized results or messages', () => {
		for (const bad of [
			null,
			{ kind: 'hello' },
			{ kind: 'progress', done: 10, total: 9 },
			{ kind: 'progress', done: -1, total: 9 },
			{ kind: 'progress', done: 0.5, total: 9 },
			{ kind: 'progress', done: 0, total: MAX_ENCRYPTED_SHARE_BYTES + 1 },
			{ kind: 'done', data: new Uint8Array(3) },
			{ kind: 'failed', code: 7, message: 'm', name: 'Error' },
			{ kind: 'failed', code: undefined, message: undefined, name: 'Error' }
		])
			expect(() => checkShareCryptoReply(bad, 'encrypt'), JSON.stringify(bad)).toThrow(TypeError);
		expect(() => checkShareCryptoReply({ kind: 'done', data: claimedSize(MAX_SHARE_BYTES + 1) }, 'decrypt')).toThrow(
			TooLargeError
		);
		expect(checkShareCryptoReply({ kind: 'done', data: claimedSize(MAX_SHARE_BYTES + 1) }, 'encrypt').kind).toBe(
			'done'
		);
		const long = 'x'.repeat(MAX_SHARE_ERROR_MESSAGE_LENGTH + 1);
		expect(() => checkShareCryptoReply({ kind: 'failed', code: 'E', message: long, name: 'Error' }, 'encrypt')).toThrow(
			TooLargeError
		);
	});
});

describe('errors across the boundary', () => {
	it('a MiaouError comes back as a MiaouError with the same code and message', () => {
		const original = new DecryptError('the shared file');
		const revived = reviveShareCryptoError(failedReply(original));
		expect(revived).toBeInstanceOf(MiaouError);
		expect((revived as MiaouError).code).toBe('ERR_DECRYPT');
		expect(revived.message).toBe(original.message);
	});

	it('plain errors keep their type and message; long messages are cut', () => {
		expect(reviveShareCryptoError(failedReply(new RangeError('r')))).toBeInstanceOf(RangeError);
		expect(reviveShareCryptoError(failedReply(new TypeError('t')))).toBeInstanceOf(TypeError);
		const other = reviveShareCryptoError(failedReply('boom'));
		expect(other.message).toBe('boom');
		expect(other).not.toBeInstanceOf(MiaouError);
		expect(failedReply(new Error('y'.repeat(5000))).message).toHaveLength(MAX_SHARE_ERROR_MESSAGE_LENGTH);
	});
});

describe('serveShareCryptoMessage', () => {
	function serve(data: unknown, clock?: () => number) {
		const posted: { reply: ShareCryptoReply; transfer: ArrayBuffer[] }[] = [];
		serveShareCryptoMessage(data, (reply, transfer) => posted.push({ reply, transfer }), clock);
		return posted;
	}

	it('encrypts with progress, transfers the result, and wipes its key copy', () => {
		const plain = new Uint8Array(300 * 1024).map((_, i) => i * 7);
		const shareKey = createShareKey();
		const copy = shareKey.slice().buffer;
		let t = 0;
		// Each progress report reads the clock once: a step of half the interval reports every other chunk.
		const posted = serve(
			{ op: 'encrypt', data: plain.slice().buffer, key: copy },
			() => (t += SHARE_PROGRESS_INTERVAL_MS / 2)
		);
		const progress = posted.filter((p) => p.reply.kind === 'progress').map((p) => p.reply);
		expect(progress.length).toBe(3); // 5 chunks of 64 KiB, throttled to chunks 1, 3, 5
		expect(progress.at(-1)).toEqual({ kind: 'progress', done: plain.length, total: plain.length });
		const last = posted.at(-1)!;
		expect(last.reply.kind).toBe('done');
		const data = (last.reply as { data: ArrayBuffer }).data;
		expect(last.transfer).toEqual([data]);
		expect(decryptShare(new Uint8Array(data), shareKey)).toEqual(plain);
		expect(new Uint8Array(copy).every((b) => b === 0)).toBe(true);
	});

	it('decrypts, and a wrong key fails with ERR_DECRYPT and transfers nothing', () => {
		const plain = new Uint8Array(1000).fill(3);
		const shareKey = createShareKey();
		const sealed = encryptShare(plain, shareKey);
		const ok = serve({ op: 'decrypt', data: sealed.slice().buffer, key: shareKey.slice().buffer }).at(-1)!;
		expect(new Uint8Array((ok.reply as { data: ArrayBuffer }).data)).toEqual(plain);
		const wrong = serve({ op: 'decrypt', data: sealed.slice().buffer, key: key() });
		expect(wrong).toHaveLength(1);
		expect(wrong[0]!.reply).toMatchObject({ kind: 'failed', code: 'ERR_DECRYPT' });
		expect(wrong[0]!.transfer).toEqual([]);
	});

	it('answers a bad message with a failure, without doing any work', () => {
		const tooBig = serve({ op: 'encrypt', data: claimedSize(MAX_SHARE_BYTES + 1), key: key() });
		expect(tooBig).toEqual([
			{ reply: expect.objectContaining({ kind: 'failed', code: 'ERR_TOO_LARGE' }), transfer: [] }
		]);
		expect(serve({ op: 'encrypt' })[0]!.reply).toMatchObject({ kind: 'failed', name: 'TypeError' });
	});
});

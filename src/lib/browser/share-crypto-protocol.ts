/**
 * Messages between the page (share-crypto-runner.ts) and the share crypto worker
 * (share-crypto.worker.ts), and the one function that does a request's work. A file of its own so
 * the worker bundle does not pull in the code that starts workers (the kdf-protocol.ts pattern).
 *
 * One worker per run: the page waits for `ready` (so a worker that cannot start is known before any
 * bytes are moved, and the page can still do the work itself), sends one request with its data
 * transferred, gets `progress` any number of times, then `done` with the result transferred back,
 * or `failed` with the error's stable code. Both sides check what they receive: the worker checks
 * sizes before touching a byte, the page checks the reply's shape and sizes before using it.
 */
import { TooLargeError } from '../core/errors.ts';
import {
	decryptShare,
	encryptShare,
	MAX_ENCRYPTED_SHARE_BYTES,
	MAX_SHARE_BYTES,
	SHARE_KEY_LENGTH
} from '../core/share-crypto.ts';
import { fromWorkerError, toWorkerError } from './worker-error.ts';

/** What a run does: encrypt a file for a private share, or decrypt one. */
export type ShareCryptoOp = 'encrypt' | 'decrypt';

/** The page's one request to the worker. */
export interface ShareCryptoRequest {
	op: ShareCryptoOp;
	/** The file (encrypt) or the encrypted share (decrypt), transferred, not copied. */
	data: ArrayBuffer;
	/** A copy of the 32-byte share key (the page keeps its own for the link); wiped after use. */
	key: ArrayBuffer;
}

/** Messages of the worker: `ready` once, `progress` any number of times, then one result. */
export type ShareCryptoReply =
	| { kind: 'ready' }
	| { kind: 'progress'; done: number; total: number }
	| { kind: 'done'; data: ArrayBuffer }
	| { kind: 'failed'; code: string | undefined; message: string; name: string };

/** The worker reports progress at most this often (ms), so the page does not redraw for nothing. */
export const SHARE_PROGRESS_INTERVAL_MS = 100;
/** Longest error message carried back from the worker; the rest is cut. */
export const MAX_SHARE_ERROR_MESSAGE_LENGTH = 1000;

/**
 * Largest input of an operation: a file of {@link MAX_SHARE_BYTES} to encrypt, or an encrypted share
 * of {@link MAX_ENCRYPTED_SHARE_BYTES} to decrypt.
 * @param op - the operation
 * @returns the bound in bytes
 */
export function maxShareInput(op: ShareCryptoOp): number {
	return op === 'encrypt' ? MAX_SHARE_BYTES : MAX_ENCRYPTED_SHARE_BYTES;
}

/**
 * Largest output of an operation (the input bound of the other one): what the page accepts back.
 * @param op - the operation
 * @returns the bound in bytes
 */
export function maxShareOutput(op: ShareCryptoOp): number {
	return op === 'encrypt' ? MAX_ENCRYPTED_SHARE_BYTES : MAX_SHARE_BYTES;
}

/**
 * Check a message the worker received before it does any work: a known operation, an ArrayBuffer of
 * data within {@link maxShareInput}, and a key of exactly 32 bytes.
 * @param value - the message as received
 * @returns the same message, typed
 * @throws {TypeError} when it is not a request
 * @throws {RangeError} when the key is not 32 bytes
 * @throws {TooLargeError} when the data is over the operation's bound
 */
export function checkShareCryptoRequest(value: unknown): ShareCryptoRequest {
	if (typeof value !== 'object' || value === null) throw new TypeError('a share crypto request must be an object');
	const { op, data, key } = value as Partial<ShareCryptoRequest>;
	if (op !== 'encrypt' && op !== 'decrypt') throw new TypeError('op must be encrypt or decrypt');
	if (!(data instanceof ArrayBuffer)) throw new TypeError('data must be an ArrayBuffer');
	if (!(key instanceof ArrayBuffer)) throw new TypeError('key must be an ArrayBuffer');
	if (key.byteLength !== SHARE_KEY_LENGTH) throw new RangeError(`key must be ${SHARE_KEY_LENGTH} bytes`);
	const max = maxShareInput(op);
	if (data.byteLength > max)
		throw new TooLargeError(op === 'encrypt' ? 'The file to share' : 'The encrypted share', data.byteLength, max);
	return { op, data, key };
}

const isCount = (n: unknown, max: number): n is number =>
	typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= max;

/**
 * Check a message the page received from the worker of an `op` run: a known kind, whole progress
 * counts within the output bound, a result ArrayBuffer within {@link maxShareOutput}, string fields
 * of a bounded length in a failure.
 * @param value - the message as received
 * @param op - the operation the page asked for
 * @returns the same message, typed
 * @throws {TypeError} when it is not a reply
 * @throws {TooLargeError} when a result or an error message is over its bound
 */
export function checkShareCryptoReply(value: unknown, op: ShareCryptoOp): ShareCryptoReply {
	if (typeof value !== 'object' || value === null) throw new TypeError('a share crypto reply must be an object');
	const reply = value as { kind?: unknown; done?: unknown; total?: unknown; data?: unknown } & Record<string, unknown>;
	switch (reply.kind) {
		case 'ready':
			return { kind: 'ready' };
		case 'progress': {
			const bound = Math.max(maxShareInput(op), maxShareOutput(op));
			if (!isCount(reply.total, bound) || !isCount(reply.done, reply.total))
				throw new TypeError('progress must be whole byte counts with done ≤ total');
			return { kind: 'progress', done: reply.done, total: reply.total };
		}
		case 'done': {
			if (!(reply.data instanceof ArrayBuffer)) throw new TypeError('the result must be an ArrayBuffer');
			const max = maxShareOutput(op);
			if (reply.data.byteLength > max) throw new TooLargeError('The share worker’s result', reply.data.byteLength, max);
			return { kind: 'done', data: reply.data };
		}
		case 'failed': {
			const { code, message, name } = reply;
			if ((code !== undefined && typeof code !== 'string') || typeof message !== 'string' || typeof name !== 'string')
				throw new TypeError('a failure must carry a code, a message and a name');
			for (const text of [code ?? '', message, name])
				if (text.length > MAX_SHARE_ERROR_MESSAGE_LENGTH)
					throw new TooLargeError('The share worker’s error', text.length, MAX_SHARE_ERROR_MESSAGE_LENGTH);
			return { kind: 'failed', code, message, name };
		}
		default:
			throw new TypeError('unknown share crypto reply');
	}
}

/**
 * The failure reply for an error: its stable code, a bounded message and its type name only (no
 * stack, nothing else crosses back).
 * @param error - what was thrown
 * @returns the `failed` reply
 */
export function failedReply(error: unknown): Extract<ShareCryptoReply, { kind: 'failed' }> {
	return { kind: 'failed', ...toWorkerError(error, MAX_SHARE_ERROR_MESSAGE_LENGTH) };
}

/**
 * Rebuild on the page the error the worker reported: a MiaouError with the same stable `code`
 * (so the page shows the same sentence, errors.ts / i18n/error-message.ts, and classifies it the
 * same way), else a TypeError / RangeError / Error with the same message.
 * @param reply - the `failed` reply
 * @returns the error to throw
 */
export function reviveShareCryptoError(reply: Extract<ShareCryptoReply, { kind: 'failed' }>): Error {
	return fromWorkerError(reply);
}

/**
 * Do a checked request's work (the worker calls this; the page does the same directly when no
 * worker can start). The key copy is wiped afterwards; the result's buffer is the whole output,
 * so it can be transferred back.
 * @param request - a request that passed {@link checkShareCryptoRequest}
 * @param onProgress - plaintext bytes done and in all, after each chunk
 * @returns the `done` reply, or the `failed` one (nothing is thrown)
 */
export function runShareCryptoRequest(
	request: ShareCryptoRequest,
	onProgress?: (done: number, total: number) => void
): Extract<ShareCryptoReply, { kind: 'done' | 'failed' }> {
	const key = new Uint8Array(request.key);
	try {
		const data = new Uint8Array(request.data);
		const opts = onProgress ? { onProgress } : {};
		const out = request.op === 'encrypt' ? encryptShare(data, key, opts) : decryptShare(data, key, opts);
		return { kind: 'done', data: out.buffer };
	} catch (error) {
		return failedReply(error);
	} finally {
		key.fill(0);
	}
}

/**
 * The worker's whole answer to one message it received: check it (sizes before any work), do it
 * with progress at most every {@link SHARE_PROGRESS_INTERVAL_MS}, and post the result with its buffer
 * transferred, or the failure. share-crypto.worker.ts wires this to `self`.
 * @param data - the message as received
 * @param post - posts a reply to the page, with the buffers to transfer
 * @param clock - milliseconds now (default Date.now), for the progress interval
 */
export function serveShareCryptoMessage(
	data: unknown,
	post: (reply: ShareCryptoReply, transfer: ArrayBuffer[]) => void,
	clock: () => number = Date.now
): void {
	let last = -Infinity;
	try {
		const request = checkShareCryptoRequest(data);
		const reply = runShareCryptoRequest(request, (done, total) => {
			const now = clock();
			if (now - last < SHARE_PROGRESS_INTERVAL_MS) return;
			last = now;
			post({ kind: 'progress', done, total }, []);
		});
		post(reply, reply.kind === 'done' ? [reply.data] : []);
	} catch (error) {
		post(failedReply(error), []);
	}
}

/**
 * Where a private share is encrypted and decrypted (core/share-crypto.ts, docs/web-sharing.md
 * §Sharing). Sealing 63 MiB with XSalsa20-Poly1305 is one long synchronous loop; on the page's
 * thread it froze the page for the whole of it. In the app it runs in a Web Worker, one per run:
 * the bytes are transferred there and back (no copy), progress comes back as messages, cancelling
 * terminates the worker, and its errors come back with their stable code, rebuilt here so the page
 * shows the same sentences.
 *
 * Only when a worker cannot start (no Worker in Node's unit tests, a policy refusing module
 * workers, a worker chunk that fails to load) is the work done on this thread instead. The page
 * waits for the worker's `ready` before moving any bytes to it, so that fallback still has them.
 *
 * Every run leaves a `performance.measure` named `miaou:share-encrypt` or `miaou:share-decrypt`
 * with `detail: { where: 'worker' | 'main' }`, so a test (tests/e2e/share.e2e.ts) and a developer
 * can see where the work ran and how long it took.
 */
import { AbortError, TooLargeError } from '../core/errors.ts';
import {
	checkShareCryptoReply,
	maxShareInput,
	reviveShareCryptoError,
	runShareCryptoRequest,
	type ShareCryptoOp,
	type ShareCryptoRequest
} from './share-crypto-protocol.ts';

/** Where a run did its work. */
export type ShareCryptoPlace = 'worker' | 'main';

/** Cancellation and progress of one run. */
export interface ShareCryptoRunOptions {
	/** Stops the run (the worker is terminated); the call then rejects with AbortError. */
	signal?: AbortSignal;
	/** Called with plaintext bytes done and in all, at most every SHARE_PROGRESS_INTERVAL_MS in a worker. */
	onProgress?: (done: number, total: number) => void;
}

/** The result of one run. */
export interface ShareCryptoResult {
	/** The encrypted share (encrypt) or the file (decrypt). */
	bytes: Uint8Array<ArrayBuffer>;
	where: ShareCryptoPlace;
}

/** Encrypts and decrypts private shares. */
export interface ShareCryptoRunner {
	/**
	 * Encrypt a file for a private share (core encryptShare).
	 * @param plain - the file; its buffer is moved to the worker, so the caller must not use it after
	 * @param key - the 32-byte share key (a copy goes to the worker; this one is left as is)
	 * @param run - cancellation and progress
	 * @returns the encrypted share, and where it was encrypted
	 * @throws {TooLargeError} over MAX_SHARE_BYTES
	 * @throws {AbortError} when `signal` aborts
	 */
	encrypt(plain: Uint8Array, key: Uint8Array, run?: ShareCryptoRunOptions): Promise<ShareCryptoResult>;
	/**
	 * Decrypt a private share (core decryptShare).
	 * @param sealed - the encrypted share; its buffer is moved to the worker, as for encrypt
	 * @param key - the 32-byte key from the link
	 * @param run - cancellation and progress
	 * @returns the file, and where it was decrypted
	 * @throws {DecryptError | MalformedError | UnsupportedVersionError | TooLargeError} as decryptShare, same codes
	 * @throws {AbortError} when `signal` aborts
	 */
	decrypt(sealed: Uint8Array, key: Uint8Array, run?: ShareCryptoRunOptions): Promise<ShareCryptoResult>;
}

/** The parts of a `Worker` a run uses (a test passes an in-process one). */
export interface ShareCryptoWorker {
	postMessage(message: ShareCryptoRequest, transfer: Transferable[]): void;
	terminate(): void;
	onmessage: ((event: MessageEvent) => unknown) | null;
	onerror: ((event: ErrorEvent) => unknown) | null;
}

/** How long a worker may take to load and say `ready` before the work is done on this thread. */
export const SHARE_WORKER_READY_TIMEOUT_MS = 10_000;

const WHAT: Record<ShareCryptoOp, string> = { encrypt: 'Encrypting the file', decrypt: 'Decrypting the file' };

/** The whole ArrayBuffer of a view, or a copy of the view when it is part of a larger or shared buffer. */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
	if (bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength)
		return bytes.buffer;
	return bytes.slice().buffer;
}

function measure(op: ShareCryptoOp, where: ShareCryptoPlace, start: number): void {
	// A mark for tests and DevTools; harmless where the Performance API is missing.
	if (typeof performance === 'undefined' || typeof performance.measure !== 'function') return;
	try {
		performance.measure(`miaou:share-${op}`, { start, end: performance.now(), detail: { where } });
	} catch {
		// An older Performance API without measure options: only the mark is lost.
	}
}

const now = () => (typeof performance === 'undefined' ? Date.now() : performance.now());

function inline(op: ShareCryptoOp, bytes: Uint8Array, key: Uint8Array, run: ShareCryptoRunOptions) {
	if (run.signal?.aborted) throw new AbortError(WHAT[op]);
	const start = now();
	const reply = runShareCryptoRequest({ op, data: ownBuffer(bytes), key: key.slice().buffer }, run.onProgress);
	measure(op, 'main', start);
	if (reply.kind === 'failed') throw reviveShareCryptoError(reply);
	if (run.signal?.aborted) throw new AbortError(WHAT[op]);
	return { bytes: new Uint8Array(reply.data), where: 'main' as const };
}

/**
 * Share crypto on the calling thread (Node, and browsers where no worker can start).
 * @returns the runner
 */
export function inlineShareCrypto(): ShareCryptoRunner {
	return {
		async encrypt(plain, key, run = {}) {
			return inline('encrypt', plain, key, run);
		},
		async decrypt(sealed, key, run = {}) {
			return inline('decrypt', sealed, key, run);
		}
	};
}

/** Options of {@link workerShareCrypto}. */
export interface WorkerShareCryptoOptions {
	/** Starts a worker (default: Vite's module worker of share-crypto.worker.ts). May throw. */
	createWorker?: () => ShareCryptoWorker;
	/** See {@link SHARE_WORKER_READY_TIMEOUT_MS}. */
	readyTimeoutMs?: number;
}

const startWorker = (): ShareCryptoWorker =>
	// Vite bundles the worker as its own chunk from this `new URL(…, import.meta.url)` form.
	new Worker(new URL('./share-crypto.worker.ts', import.meta.url), { type: 'module', name: 'miaou-share-crypto' });

type Outcome = { started: false } | { started: true; result: ShareCryptoResult };

function runInWorker(
	op: ShareCryptoOp,
	bytes: Uint8Array,
	key: Uint8Array,
	run: ShareCryptoRunOptions,
	opts: WorkerShareCryptoOptions
): Promise<Outcome> {
	const { signal, onProgress } = run;
	if (signal?.aborted) return Promise.reject(new AbortError(WHAT[op]));
	let worker: ShareCryptoWorker;
	try {
		worker = (opts.createWorker ?? startWorker)();
	} catch {
		// A policy refusing module workers throws here: do the work on this thread.
		return Promise.resolve({ started: false });
	}
	const start = now();
	return new Promise<Outcome>((resolve, reject) => {
		let sent = false;
		const timer = setTimeout(() => {
			if (sent) return;
			done();
			resolve({ started: false });
		}, opts.readyTimeoutMs ?? SHARE_WORKER_READY_TIMEOUT_MS);
		const done = () => {
			// One worker per run, ended at once: its memory (the file, the key copy) is released.
			clearTimeout(timer);
			worker.onmessage = worker.onerror = null;
			worker.terminate();
			signal?.removeEventListener('abort', onAbort);
		};
		const onAbort = () => {
			done();
			reject(new AbortError(WHAT[op]));
		};
		signal?.addEventListener('abort', onAbort, { once: true });
		worker.onerror = (event) => {
			done();
			// Before `ready` the bytes are still here: the worker could not start, do the work here.
			if (!sent) resolve({ started: false });
			else reject(new Error(`the share worker failed: ${event.message || 'it stopped'}`));
		};
		worker.onmessage = (event) => {
			let reply;
			try {
				reply = checkShareCryptoReply(event.data, op);
			} catch (error) {
				done();
				reject(error);
				return;
			}
			if (reply.kind === 'ready') {
				if (sent) return;
				sent = true;
				clearTimeout(timer);
				const data = ownBuffer(bytes);
				worker.postMessage({ op, data, key: key.slice().buffer }, [data]);
			} else if (reply.kind === 'progress') {
				onProgress?.(reply.done, reply.total);
			} else {
				done();
				if (!sent) reject(new TypeError('the share worker answered before it was asked'));
				else if (reply.kind === 'failed') reject(reviveShareCryptoError(reply));
				else {
					measure(op, 'worker', start);
					resolve({ started: true, result: { bytes: new Uint8Array(reply.data), where: 'worker' } });
				}
			}
		};
	});
}

/**
 * Share crypto in a Web Worker, one per run, falling back to this thread only when a worker cannot
 * start. The input's size is checked here too, so a file over the bound is refused before a worker
 * is started.
 * @param opts - the worker factory (tests) and the ready timeout
 * @returns the runner
 */
export function workerShareCrypto(opts: WorkerShareCryptoOptions = {}): ShareCryptoRunner {
	const go = async (op: ShareCryptoOp, bytes: Uint8Array, key: Uint8Array, run: ShareCryptoRunOptions = {}) => {
		const max = maxShareInput(op);
		if (bytes.byteLength > max)
			throw new TooLargeError(op === 'encrypt' ? 'The file to share' : 'The encrypted share', bytes.byteLength, max);
		const outcome = await runInWorker(op, bytes, key, run, opts);
		return outcome.started ? outcome.result : inline(op, bytes, key, run);
	};
	return {
		encrypt: (plain, key, run) => go('encrypt', plain, key, run),
		decrypt: (sealed, key, run) => go('decrypt', sealed, key, run)
	};
}

/**
 * The runner the share pages use: a worker where `Worker` exists, else this thread (Node).
 * @returns the runner
 */
export function defaultShareCrypto(): ShareCryptoRunner {
	return typeof Worker === 'undefined' ? inlineShareCrypto() : workerShareCrypto();
}

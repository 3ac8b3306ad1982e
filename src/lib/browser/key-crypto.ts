/**
 * Sealing an identity into an encrypted backup and opening one again (keystore.ts) costs a
 * memory-hard KDF run of a second or more. In the app that runs in a Web Worker, so the page keeps
 * drawing and answering while it works; tests and browsers without module workers run it on the
 * calling thread instead (keystore's scrypt is async and yields, so even then the page is not frozen).
 *
 * Across the worker boundary only the JSON-safe `IdentitySecrets` travel, and what comes back is
 * rebuilt with `identityFromSecrets`, which re-derives the keys and re-verifies the agreement
 * signature: the main thread trusts nothing it did not check.
 */
import { AbortError, WrongPassphraseError } from '../core/errors.ts';
import { identityFromSecrets, identityToSecrets, type Identity } from '../core/identity.ts';
import { exportIdentity, importIdentity, type KdfParams } from '../core/keystore.ts';
import type { KdfReply, KdfRequest } from './kdf-protocol.ts';
import { fromWorkerError, type WorkerError } from './worker-error.ts';

/** Cancellation and progress of one KDF run. */
export interface KdfRunOptions {
	/** Stops the run; the call then rejects with AbortError. */
	signal?: AbortSignal;
	/** Called with the KDF's progress, 0 to 1 (scrypt's own count of its work). */
	onProgress?: (fraction: number) => void;
}

/** Turns identities into encrypted backups and back. */
export interface KeyCrypto {
	/**
	 * Encrypt an identity under a passphrase.
	 * @returns the backup text (exportIdentity's format)
	 * @throws {RangeError} on an empty or over-long passphrase
	 * @throws {AbortError} if `signal` aborts first
	 */
	seal(identity: Identity, passphrase: string, options?: KdfRunOptions): Promise<string>;
	/**
	 * Decrypt a backup.
	 * @returns the identity, fully checked
	 * @throws {WrongPassphraseError} when the passphrase does not open it
	 * @throws {MalformedError | TooLargeError | UnsupportedVersionError} for a damaged or foreign backup
	 * @throws {AbortError} if `signal` aborts first
	 */
	open(backup: string, passphrase: string, options?: KdfRunOptions): Promise<Identity>;
}

/** Options shared by both implementations. */
export interface KeyCryptoOptions {
	/**
	 * KDF cost for sealing; default keystore's DEFAULT_KDF. Unit tests lower it to run fast; the app
	 * never passes it (opening reads the cost from the backup itself).
	 */
	kdf?: KdfParams;
}

/**
 * KeyCrypto on the calling thread.
 * @param options - KDF cost for sealing
 * @returns the implementation
 */
export function inlineKeyCrypto(options: KeyCryptoOptions = {}): KeyCrypto {
	return {
		async seal(identity, passphrase, run = {}) {
			return exportIdentity(identity, passphrase, { ...run, ...(options.kdf ? { kdf: options.kdf } : {}) });
		},
		async open(backup, passphrase, run = {}) {
			return importIdentity(backup, passphrase, run);
		}
	};
}

/** Rebuild the error a worker reported, keeping its stable code and the JS error type. */
function reviveError(reply: WorkerError): Error {
	// Its own class, so the unlock form can tell a wrong passphrase by `instanceof` too.
	return reply.code === 'ERR_WRONG_PASSPHRASE' ? new WrongPassphraseError() : fromWorkerError(reply);
}

function runInWorker(request: KdfRequest, run: KdfRunOptions, what: string): Promise<KdfReply> {
	const { signal, onProgress } = run;
	if (signal?.aborted) return Promise.reject(new AbortError(what));
	return new Promise((resolve, reject) => {
		// Vite bundles the worker as its own chunk from this `new URL(…, import.meta.url)` form.
		const worker = new Worker(new URL('./kdf.worker.ts', import.meta.url), { type: 'module', name: 'miaou-kdf' });
		const done = () => {
			// A fresh worker per run, ended at once: scrypt's 128 MiB is released and no secret lingers.
			worker.terminate();
			signal?.removeEventListener('abort', onAbort);
		};
		const onAbort = () => {
			done();
			reject(new AbortError(what));
		};
		signal?.addEventListener('abort', onAbort, { once: true });
		worker.onmessage = (event: MessageEvent<KdfReply>) => {
			const reply = event.data;
			if (reply.kind === 'progress') {
				onProgress?.(reply.fraction);
				return;
			}
			done();
			resolve(reply);
		};
		worker.onerror = (event) => {
			done();
			reject(new Error(`the key worker failed: ${event.message || 'it could not start'}`));
		};
		worker.postMessage(request);
	});
}

/**
 * KeyCrypto in a Web Worker, one worker per run. Falls back to inlineKeyCrypto where workers do
 * not exist (Node in unit tests).
 * @param options - KDF cost for sealing
 * @returns the implementation
 */
export function workerKeyCrypto(options: KeyCryptoOptions = {}): KeyCrypto {
	if (typeof Worker === 'undefined') return inlineKeyCrypto(options);
	return {
		async seal(identity, passphrase, run = {}) {
			const request: KdfRequest = { op: 'seal', secrets: identityToSecrets(identity), passphrase };
			if (options.kdf) request.kdf = options.kdf;
			const reply = await runInWorker(request, run, 'Encrypting the keys');
			if (reply.kind === 'failed') throw reviveError(reply);
			if (reply.kind !== 'sealed' || typeof reply.backup !== 'string') throw new Error('the key worker sent no backup');
			return reply.backup;
		},
		async open(backup, passphrase, run = {}) {
			const reply = await runInWorker({ op: 'open', backup, passphrase }, run, 'Opening the keys');
			if (reply.kind === 'failed') throw reviveError(reply);
			if (reply.kind !== 'opened') throw new Error('the key worker sent no keys');
			// Re-derives the keys and re-verifies the agreement signature on this side.
			return identityFromSecrets(reply.secrets);
		}
	};
}

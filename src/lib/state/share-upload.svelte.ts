/**
 * Sharing a file from the Share screen, reactive (ARCHITECTURE.md §Content sharing by CID):
 *
 *   idle ──share()──► reading ──► [encrypting] ──► encoding ──► uploading ──► done
 *                        └──────────────┴──────────────┴────────────┴──────► failed
 *
 * - public: the file's own bytes as UnixFS (CIDv1, raw leaves, 256 KiB chunks), so the CID is the
 *   one `ipfs add --cid-version=1` computes and any IPFS gateway can serve it;
 * - private: the bytes encrypted first under a fresh key (core/share-crypto.ts), in a Web Worker so
 *   the page keeps drawing (browser/share-crypto-runner.ts); the key goes only into the link's
 *   fragment, `…/c/<cid>#k=<key>`, never to a relay.
 *
 * The link points at the app's own relay when it stored the file (it serves the app that opens
 * the link), else at the first relay that did. The file name rides in the fragment too
 * (share-files.ts).
 */
import type { ShareCryptoRunner } from '../browser/share-crypto-runner.ts';
import { TooLargeError } from '../core/errors.ts';
import type { HeliaUploadResult } from '../net/blob-store-helia.ts';
import type { TransferOptions } from './net.svelte.ts';
import { cleanFileName, withFileName } from './share-files.ts';

/** Largest file shared (share-crypto.ts MAX_SHARE_BYTES: with its overhead it fits one relay upload). */
export const MAX_SHARE_FILE_BYTES = 63 * 1024 * 1024;

/** How a file is shared. */
export type ShareMode = 'public' | 'private';

/** Where a share stands (see the diagram above). */
export type SharePhase = 'idle' | 'reading' | 'encrypting' | 'encoding' | 'uploading' | 'done' | 'failed';

/** A file to share: a `File` from a picker or a drop. */
export interface ShareFile {
	readonly name: string;
	readonly size: number;
	arrayBuffer(): Promise<ArrayBuffer>;
}

/** A finished share. */
export interface ShareResult {
	mode: ShareMode;
	/** The root CID of what was uploaded (the file itself when public). */
	cid: string;
	/** The link to give: `<relay>/c/<cid>`, with `#k=<key>` when private, and the name. */
	link: string;
	/** A gateway URL any IPFS client understands (public shares only). */
	gateway: string | undefined;
	name: string;
	/** The file's size in bytes. */
	size: number;
	/** Relays that stored it. */
	accepted: string[];
	/** Relays that did not, with the reason. */
	refused: { url: string; error: unknown }[];
}

/** Dependencies of {@link ShareUpload}. */
export interface ShareUploadDeps {
	/**
	 * Uploads a blob to the relays and keeps its blocks in this browser (the app passes
	 * `heliaTransfers(…).upload`, net/blob-store-helia-lazy.ts, over `net.upload`).
	 */
	upload(bytes: Uint8Array, opts: TransferOptions): Promise<HeliaUploadResult>;
	/** The page's origin: the relay the link should name when it stored the file. */
	origin: string;
	/** Loads the share crypto on demand (default: a dynamic import of core/share-crypto.ts). */
	crypto?: () => Promise<typeof import('../core/share-crypto.ts')>;
	/**
	 * Loads what encrypts the file (default: a dynamic import of browser/share-crypto-runner.ts,
	 * `defaultShareCrypto()`: a Web Worker, this thread only where no worker can start).
	 */
	runner?: () => Promise<ShareCryptoRunner>;
	/** Lets the page paint between steps that block (default: one macrotask). */
	yieldToUi?: () => Promise<void>;
}

const defaultCrypto = () => import('../core/share-crypto.ts');
const defaultRunner = async () => (await import('../browser/share-crypto-runner.ts')).defaultShareCrypto();
const macrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** One file being shared, reactive. */
export class ShareUpload {
	#deps: ShareUploadDeps;
	#phase = $state<SharePhase>('idle');
	#bytes = $state(0);
	#total = $state(0);
	#result = $state.raw<ShareResult | undefined>(undefined);
	#error = $state.raw<unknown>(undefined);
	#fileName = $state<string | undefined>(undefined);
	#abort: AbortController | undefined;

	/**
	 * @param deps - the uploader, the page origin, the crypto loader
	 */
	constructor(deps: ShareUploadDeps) {
		this.#deps = deps;
	}

	/** Where the share stands. */
	get phase(): SharePhase {
		return this.#phase;
	}
	/** Bytes done in the current phase. */
	get bytes(): number {
		return this.#bytes;
	}
	/** Bytes of the current phase in all (0 while unknown). */
	get total(): number {
		return this.#total;
	}
	/** True from share() until done or failed. */
	get busy(): boolean {
		return this.#phase !== 'idle' && this.#phase !== 'done' && this.#phase !== 'failed';
	}
	/** The name of the file being shared. */
	get fileName(): string | undefined {
		return this.#fileName;
	}
	/** The finished share, once done. */
	get result(): ShareResult | undefined {
		return this.#result;
	}
	/** Why it failed, once failed. */
	get error(): unknown {
		return this.#error;
	}

	#step(phase: SharePhase, bytes: number, total: number): void {
		this.#phase = phase;
		this.#bytes = bytes;
		this.#total = total;
	}

	/**
	 * Share a file: read it, encrypt it when private, upload it, and make the link.
	 * Failures do not throw: they end in phase 'failed' with {@link error} set.
	 * @param file - the file
	 * @param mode - public or private
	 * @returns the result, or undefined when it failed or was cancelled
	 * @throws {RangeError} when another share is running
	 */
	async share(file: ShareFile, mode: ShareMode): Promise<ShareResult | undefined> {
		if (this.busy) throw new RangeError('a share is already running');
		const abort = new AbortController();
		this.#abort = abort;
		this.#result = undefined;
		this.#error = undefined;
		const name = cleanFileName(file.name) ?? 'file';
		this.#fileName = name;
		let key: Uint8Array | undefined;
		try {
			// Checked before reading, so a huge file is refused without loading it.
			if (file.size > MAX_SHARE_FILE_BYTES) throw new TooLargeError('The file', file.size, MAX_SHARE_FILE_BYTES);
			this.#step('reading', 0, file.size);
			const plain = new Uint8Array(await file.arrayBuffer());
			// Kept apart: a private share moves `plain`'s buffer to the worker, leaving it empty here.
			const size = plain.length;
			if (size > MAX_SHARE_FILE_BYTES) throw new TooLargeError('The file', size, MAX_SHARE_FILE_BYTES);
			abort.signal.throwIfAborted();
			const crypto = await (this.#deps.crypto ?? defaultCrypto)();
			let payload: Uint8Array = plain;
			if (mode === 'private') {
				this.#step('encrypting', 0, size);
				const runner = await (this.#deps.runner ?? defaultRunner)();
				await (this.#deps.yieldToUi ?? macrotask)();
				key = crypto.createShareKey();
				const sealed = await runner.encrypt(plain, key, {
					signal: abort.signal,
					onProgress: (done, total) => this.#step('encrypting', done, total)
				});
				payload = sealed.bytes;
				this.#step('encrypting', size, size);
			}
			abort.signal.throwIfAborted();
			this.#step('encoding', 0, payload.length);
			const uploaded = await this.#deps.upload(payload, {
				signal: abort.signal,
				onProgress: (p) => this.#step(p.phase === 'encode' ? 'encoding' : 'uploading', p.bytes, p.total)
			});
			const base = uploaded.accepted.includes(this.#deps.origin)
				? this.#deps.origin
				: (uploaded.accepted[0] ?? this.#deps.origin);
			const result: ShareResult = {
				mode,
				cid: uploaded.cid,
				link: withFileName(crypto.shareLink(base, uploaded.cid, key), name),
				gateway: mode === 'public' ? `${base}/ipfs/${uploaded.cid}` : undefined,
				name,
				size,
				accepted: uploaded.accepted,
				refused: uploaded.refused
			};
			this.#result = result;
			this.#phase = 'done';
			return result;
		} catch (error) {
			this.#error = error;
			this.#phase = 'failed';
			return undefined;
		} finally {
			// The link holds the key now; no other copy is kept.
			key?.fill(0);
			if (this.#abort === abort) this.#abort = undefined;
		}
	}

	/** Stop the running share (it ends as failed with an abort). */
	cancel(): void {
		this.#abort?.abort();
	}

	/** Forget the last result or failure, back to idle. */
	reset(): void {
		if (this.busy) return;
		this.#phase = 'idle';
		this.#result = undefined;
		this.#error = undefined;
		this.#fileName = undefined;
		this.#bytes = this.#total = 0;
	}
}

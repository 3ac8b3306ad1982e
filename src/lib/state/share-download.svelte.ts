/**
 * Opening a share link (`/c/<cid>`, `#k=<key>` for a private share), reactive:
 *
 *   idle ──open()──► downloading ──► [decrypting] ──► done
 *                        └──────────────┴──────────► failed (with a failure kind)
 *
 * The key is read from the page's fragment, which the browser never sends to a server (RFC 3986
 * §3.5); it is used in this tab only and wiped after use. Every block is verified against its
 * CID as it arrives (by Helia, net/helia-browser.ts), so what is offered for saving is exactly what
 * was shared, or nothing. A private share is decrypted in a Web Worker (browser/share-crypto-runner.ts),
 * so the page keeps drawing. The blocks stay in this browser's IndexedDB, so the link opens again
 * with every relay down. No identity is needed.
 */
import type { ShareCryptoRunner } from '../browser/share-crypto-runner.ts';
import { MiaouError } from '../core/errors.ts';
import type { TransferOptions } from './net.svelte.ts';
import { fileNameFromHash, hasKeyInHash } from './share-files.ts';

/** Why opening a share failed, each with its own sentence on the page. */
export type DownloadFailureKind =
	/** The link is cut short or altered (its key or CID does not parse). */
	| 'badLink'
	/** The key does not open the content (wrong link, or the content was replaced). */
	| 'wrongKey'
	/** The link has a key but the content is not an encrypted Miaou share. */
	| 'notEncrypted'
	/** No relay has the content (expired, or shared through other relays). */
	| 'notFound'
	/** Every copy received was altered: the bytes did not hash to the CID. */
	| 'tampered'
	/** The content is not a file, or disagrees with its own sizes. */
	| 'damaged'
	| 'tooLarge'
	| 'noRelay'
	| 'aborted'
	/** Anything else: the page shows the general error sentence. */
	| 'other';

/** A failure with its kind and the error behind it. */
export interface DownloadFailure {
	kind: DownloadFailureKind;
	error: unknown;
}

/** Where opening a share stands. */
export type DownloadPhase = 'idle' | 'downloading' | 'decrypting' | 'done' | 'failed';

/** The file ready to save. */
export interface DownloadedFile {
	/** A Blob URL of the content (revoked by {@link ShareDownload.dispose}). */
	url: string;
	name: string;
	size: number;
	/** A public link whose content looks like an encrypted share: its key is probably missing. */
	looksEncrypted: boolean;
}

/** Dependencies of {@link ShareDownload}. */
export interface ShareDownloadDeps {
	/**
	 * Downloads and verifies a blob: the app passes `heliaTransfers(…).download`
	 * (net/blob-store-helia-lazy.ts), local blocks first, then the relays. The bytes returned are
	 * the caller's own: a private share's are moved to the decrypting worker.
	 */
	download(cid: string, opts: TransferOptions & { extraRelays?: readonly string[] }): Promise<Uint8Array>;
	/** Loads the share crypto on demand (default: a dynamic import of core/share-crypto.ts). */
	crypto?: () => Promise<typeof import('../core/share-crypto.ts')>;
	/**
	 * Loads what decrypts (default: a dynamic import of browser/share-crypto-runner.ts,
	 * `defaultShareCrypto()`: a Web Worker, this thread only where no worker can start).
	 */
	runner?: () => Promise<ShareCryptoRunner>;
	createObjectURL?: (blob: Blob) => string;
	revokeObjectURL?: (url: string) => void;
	/** Lets the page paint before decrypting, which blocks where no worker can start (default: one macrotask). */
	yieldToUi?: () => Promise<void>;
}

const defaultCrypto = () => import('../core/share-crypto.ts');
const defaultRunner = async () => (await import('../browser/share-crypto-runner.ts')).defaultShareCrypto();
const macrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Name the failure of a stage.
 * @param stage - where it failed: reading the link, downloading, or decrypting
 * @param error - what was thrown
 * @returns the kind shown to the user
 */
export function classifyDownloadError(stage: 'link' | 'download' | 'decrypt', error: unknown): DownloadFailureKind {
	const code = error instanceof MiaouError ? error.code : undefined;
	if (code === 'ERR_ABORTED' || (error instanceof DOMException && error.name === 'AbortError')) return 'aborted';
	if (stage === 'link') return code === 'ERR_MALFORMED' || code === 'ERR_TOO_LARGE' ? 'badLink' : 'other';
	if (stage === 'decrypt') {
		if (code === 'ERR_DECRYPT') return 'wrongKey';
		if (code === 'ERR_MALFORMED' || code === 'ERR_UNSUPPORTED_VERSION') return 'notEncrypted';
		return code === 'ERR_TOO_LARGE' ? 'tooLarge' : 'other';
	}
	switch (code) {
		case 'ERR_NOT_FOUND':
			return 'notFound';
		case 'ERR_HASH_MISMATCH':
			return 'tampered';
		case 'ERR_MALFORMED':
			return 'damaged';
		case 'ERR_TOO_LARGE':
			return 'tooLarge';
		case 'ERR_NO_RELAY':
			return 'noRelay';
		case 'ERR_CID':
		case 'ERR_UNSUPPORTED_CODEC':
		case 'ERR_UNSUPPORTED_HASH':
			return 'badLink';
		default:
			return 'other';
	}
}

/** A share link being opened, reactive. */
export class ShareDownload {
	#deps: ShareDownloadDeps;
	#phase = $state<DownloadPhase>('idle');
	#bytes = $state(0);
	#total = $state(0);
	#isPrivate = $state(false);
	#file = $state.raw<DownloadedFile | undefined>(undefined);
	#failure = $state.raw<DownloadFailure | undefined>(undefined);
	#abort: AbortController | undefined;

	/**
	 * @param deps - the downloader, the crypto loader, Blob URL functions
	 */
	constructor(deps: ShareDownloadDeps) {
		this.#deps = deps;
	}

	/** Where it stands. */
	get phase(): DownloadPhase {
		return this.#phase;
	}
	/** Bytes received (downloading) or done (decrypting). */
	get bytes(): number {
		return this.#bytes;
	}
	/** The file's size once known (0 before). */
	get total(): number {
		return this.#total;
	}
	/** Whether the link carries a key. */
	get isPrivate(): boolean {
		return this.#isPrivate;
	}
	/** The file to save, once done. */
	get file(): DownloadedFile | undefined {
		return this.#file;
	}
	/** Why it failed, once failed. */
	get failure(): DownloadFailure | undefined {
		return this.#failure;
	}

	#fail(abort: AbortController, stage: 'link' | 'download' | 'decrypt', error: unknown): void {
		// A superseded open (open() was called again) leaves the state to the newer one.
		if (this.#abort !== abort) return;
		this.#failure = { kind: classifyDownloadError(stage, error), error };
		this.#phase = 'failed';
	}

	/**
	 * Download, verify and (for a private share) decrypt what a link points at. Failures do not
	 * throw: they end in phase 'failed' with {@link failure} set. Opening again replaces the file.
	 * @param href - the page's full URL (`location.href`), fragment included
	 * @returns when it is done or failed
	 */
	async open(href: string): Promise<void> {
		this.cancel();
		this.dispose();
		const abort = new AbortController();
		this.#abort = abort;
		this.#failure = undefined;
		this.#bytes = this.#total = 0;
		const hash = href.includes('#') ? href.slice(href.indexOf('#')) : '';
		this.#isPrivate = hasKeyInHash(hash);
		this.#phase = 'downloading';
		const crypto = await (this.#deps.crypto ?? defaultCrypto)();
		let link: import('../core/share-crypto.ts').ShareLink;
		try {
			link = crypto.parseShareLink(href);
		} catch (error) {
			return this.#fail(abort, 'link', error);
		}
		const key = link.key;
		try {
			let bytes: Uint8Array;
			try {
				bytes = await this.#deps.download(link.cid, {
					signal: abort.signal,
					// A private share may be slightly over the plain cap: its overhead is counted too.
					...(key ? { maxBytes: crypto.MAX_ENCRYPTED_SHARE_BYTES } : {}),
					...(link.relay ? { extraRelays: [link.relay] } : {}),
					onProgress: (p) => {
						if (this.#abort !== abort) return;
						this.#bytes = p.bytes;
						this.#total = p.total;
					}
				});
			} catch (error) {
				return this.#fail(abort, 'download', error);
			}
			if (abort.signal.aborted) return this.#fail(abort, 'download', abort.signal.reason);
			let looksEncrypted = false;
			if (key) {
				this.#phase = 'decrypting';
				this.#bytes = 0;
				try {
					const runner = await (this.#deps.runner ?? defaultRunner)();
					await (this.#deps.yieldToUi ?? macrotask)();
					const opened = await runner.decrypt(bytes, key, {
						signal: abort.signal,
						onProgress: (done, total) => {
							if (this.#abort !== abort) return;
							this.#bytes = done;
							this.#total = total;
						}
					});
					bytes = opened.bytes;
				} catch (error) {
					return this.#fail(abort, 'decrypt', error);
				}
			} else {
				looksEncrypted =
					bytes.length > crypto.SHARE_HEADER_LENGTH &&
					crypto.SHARE_MAGIC.every((b, i) => bytes[i] === b) &&
					bytes[crypto.SHARE_MAGIC.length] === crypto.SHARE_FORMAT_VERSION;
			}
			if (this.#abort !== abort) return;
			const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' });
			const url = (this.#deps.createObjectURL ?? ((b: Blob) => URL.createObjectURL(b)))(blob);
			this.#file = {
				url,
				name: fileNameFromHash(hash) ?? `shared-${link.cid.slice(-12)}`,
				size: bytes.length,
				looksEncrypted
			};
			this.#phase = 'done';
		} finally {
			key?.fill(0);
			if (this.#abort === abort) this.#abort = undefined;
		}
	}

	/** Stop a running download (it ends as failed, kind 'aborted'). */
	cancel(): void {
		this.#abort?.abort();
	}

	/** Release the file's Blob URL (when leaving the page). */
	dispose(): void {
		const file = this.#file;
		if (!file) return;
		this.#file = undefined;
		(this.#deps.revokeObjectURL ?? ((u: string) => URL.revokeObjectURL(u)))(file.url);
	}
}

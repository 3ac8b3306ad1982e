/**
 * The browser blob store, loaded on first use: this module is small and imports Helia, the
 * IndexedDB blockstore and the UnixFS code by dynamic `import()` only when a blob first moves,
 * so none of it is in the first page (issue 4: "loaded on demand so the first page stays light").
 */
import type { Blockstore } from 'interface-blockstore';
import type { BlobOptions, BlobStore } from './blob-store.ts';
import type { HeliaBlobStore, HeliaTransferOptions, HeliaUploadResult, Uploader } from './blob-store-helia.ts';
import { NoRelayError } from '../core/errors.ts';
import { normalizeRelayUrl } from './http.ts';

/** Where the relays come from, and how a CAR reaches them. */
export interface HeliaSource {
	/** Relay base URLs, best first (the pool's order while it runs, else the list). */
	relays(): readonly string[];
	/** The CAR upload of the blocks Helia made (`net.uploadBlocks`); without it puts throw NoRelayError. */
	upload?: Uploader;
	/**
	 * Called once when a {@link lazyHeliaBlobStore} is created: the messenger asks there for
	 * persistent storage (`navigator.storage.persist()`), an identity existing by then.
	 */
	persist?: () => unknown;
	/** Another blockstore instead of the browser's IndexedDB one (Node tests). */
	blockstore?: () => Promise<Blockstore>;
}

/** Upload and download as the share pages use them (the signatures of `net.upload`/`net.download`). */
export interface HeliaTransfers {
	/**
	 * Upload bytes to the relays and keep their blocks in this browser.
	 * @param bytes - the content
	 * @param opts - signal, progress, size cap
	 * @returns the CID and what each relay answered
	 * @throws {NoRelayError} when no relay is listed; otherwise as HeliaBlobStore.upload
	 */
	upload(bytes: Uint8Array, opts?: HeliaTransferOptions): Promise<HeliaUploadResult>;
	/**
	 * Read a file by CID, local blocks first, then the relays (and `extraRelays`), every block verified.
	 * @param cid - the CID text
	 * @param opts - signal, progress, size cap, relays to try besides the list (the link's)
	 * @returns the content
	 * @throws as BlobStore.get
	 */
	download(cid: string, opts?: HeliaTransferOptions & { extraRelays?: readonly string[] }): Promise<Uint8Array>;
}

function load(source: HeliaSource, extra: readonly string[], maxBytes?: number): Promise<HeliaBlobStore> {
	const relays = (): string[] => {
		const out = [...source.relays()];
		for (const url of extra) {
			try {
				const normalized = normalizeRelayUrl(url);
				if (!out.includes(normalized)) out.push(normalized);
			} catch {
				// A link naming a malformed relay still opens through the listed ones.
			}
		}
		return out;
	};
	return import('./blob-store-helia.ts').then(({ openBrowserBlobStore }) =>
		openBrowserBlobStore({
			relays,
			...(source.upload ? { upload: source.upload } : {}),
			...(source.blockstore ? { blockstore: source.blockstore } : {}),
			...(maxBytes !== undefined ? { maxBytes } : {})
		})
	);
}

/**
 * A {@link BlobStore} over the browser's Helia node, opened on the first put or get (the
 * messenger's `blobs`).
 * @param source - the relays and the upload
 * @returns the store
 */
export function lazyHeliaBlobStore(source: HeliaSource): BlobStore {
	try {
		void Promise.resolve(source.persist?.()).catch(() => {});
	} catch {
		// Persistence is a request the browser may refuse; blobs move without it.
	}
	let store: Promise<HeliaBlobStore> | undefined;
	const open = (): Promise<HeliaBlobStore> => {
		store ??= load(source, []);
		// A failed open (IndexedDB refused) is retried at the next call.
		store.catch(() => (store = undefined));
		return store;
	};
	return {
		put: async (bytes: Uint8Array, opts?: BlobOptions) => (await open()).put(bytes, opts),
		get: async (cid, opts?: BlobOptions) => (await open()).get(cid, opts)
	};
}

/**
 * Upload and download through the browser's Helia node, for the share pages.
 * @param source - the relays and the upload
 * @returns the two transfers
 */
export function heliaTransfers(source: HeliaSource): HeliaTransfers {
	return {
		async upload(bytes, opts = {}) {
			// Said before the file is encoded, and before Helia is loaded.
			if (source.relays().length === 0) throw new NoRelayError('no relay is listed in Settings');
			return (await load(source, [], opts.maxBytes)).upload(bytes, opts);
		},
		async download(cid, opts = {}) {
			const store = await load(source, opts.extraRelays ?? [], opts.maxBytes);
			return store.get(cid, {
				...(opts.signal ? { signal: opts.signal } : {}),
				...(opts.onProgress ? { onProgress: opts.onProgress } : {})
			});
		}
	};
}

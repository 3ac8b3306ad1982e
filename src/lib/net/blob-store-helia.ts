/**
 * The blob store over a Helia node (docs/ipfs.md §The browser node), same interface as
 * blob-store.ts:
 *
 * - put: the file is imported as UnixFS once (unixfs.ts, the settings of `ipfs add --cid-version=1`);
 *   those same blocks go up as one CAR (blob-store-relay.ts `uploadBlocks`, or `net.uploadBlocks`
 *   with its XHR progress) and are kept in the local blockstore;
 * - get: each block from the local blockstore when held, else from the relays' gateways through
 *   Helia, which verifies it against its CID and stores it (helia-browser.ts). Once a file has
 *   been read, it reads again with every relay down.
 *
 * Size caps and named errors are those of the relay store: TooLargeError over the cap,
 * ContentNotFoundError, HashMismatchError, NoRelayError.
 *
 * With a {@link BlockCache} (helia-browser-cache.ts), every put and complete read is noted as used
 * now, and least recently used blobs are evicted over the cap, never while a read runs.
 */
import type { Helia } from '@helia/interface';
import type { Blockstore } from 'interface-blockstore';
import { CID } from 'multiformats/cid';
import { concat } from '../core/bytes.ts';
import {
	AbortError,
	BrowserStorageError,
	ContentNotFoundError,
	MalformedError,
	MiaouError,
	NoRelayError
} from '../core/errors.ts';
import type { BlobOptions, BlobProgress, BlobStore } from './blob-store.ts';
import { toCid, verifyBlock } from './blocks.ts';
import { createBrowserHelia, type BrowserHeliaOptions } from './helia-browser.ts';
import { browserBlockCache, openIdbBlockstore, type BlockCache } from './helia-browser-cache.ts';
import { exportFile, importFile, type Block } from './unixfs.ts';

/** What the relays answered to an upload (the shape of `net.upload`'s result). */
export interface HeliaUploadResult {
	/** The root CID, as text. */
	cid: string;
	/** Relays that stored it. */
	accepted: string[];
	/** Relays that did not, with the reason. */
	refused: { url: string; error: unknown }[];
}

/** Options of an upload or a download through the store. */
export interface HeliaTransferOptions {
	signal?: AbortSignal;
	onProgress?: (progress: BlobProgress) => void;
	/** Largest blob accepted (default: the store's cap). */
	maxBytes?: number;
}

/**
 * The CAR upload of blocks already imported: `net.uploadBlocks` (XHR progress), or
 * {@link relayUploader} over `relayBlobStore(…).uploadBlocks`.
 */
export type Uploader = (root: CID, blocks: readonly Block[], opts: HeliaTransferOptions) => Promise<HeliaUploadResult>;

/** Options of {@link heliaBlobStore}. */
export interface HeliaBlobStoreOptions {
	/** Uploads to the relays; without it `put` throws NoRelayError. */
	upload?: Uploader;
	/** Largest blob put or got (default: unixfs.ts DEFAULT_MAX_BLOB_BYTES). */
	maxBytes?: number;
	/** Blocks fetched at once. */
	concurrency?: number;
	/** The bounded cache to note puts and reads in (none: blocks stay until cleared). */
	cache?: BlockCache;
}

/** A {@link BlobStore} over Helia, with the relays' answers and a look at the local blocks. */
export interface HeliaBlobStore extends BlobStore {
	/**
	 * Like `put`, and say what each relay answered.
	 * @throws as `put`, and {@link MalformedError} if the relays named another root
	 */
	upload(bytes: Uint8Array, opts?: HeliaTransferOptions): Promise<HeliaUploadResult>;
	/**
	 * Whether every block of a stored file is held locally (a cheap walk of the local DAG).
	 * @param cid - the root
	 * @returns true when reading it needs no relay
	 */
	isLocal(cid: CID | string, opts?: { signal?: AbortSignal }): Promise<boolean>;
}

/** The parts of a node the store uses (a {@link BrowserHelia} has them). */
export interface HeliaBlocks {
	/** Helia's blockstore: local blocks first, then the block brokers. */
	helia: Pick<Helia, 'blockstore'>;
	/** The local blockstore under it, to drop a copy altered at rest. */
	blockstore: Pick<Blockstore, 'delete'>;
}

function storageError(error: unknown): MiaouError | undefined {
	const name = error instanceof Error ? error.name : '';
	// interface-store's errors of a blockstore that cannot read or write (IndexedDB refused, quota).
	if (
		name === 'OpenFailedError' ||
		name === 'PutFailedError' ||
		name === 'GetFailedError' ||
		name === 'QuotaExceededError'
	)
		return new BrowserStorageError(`the block store failed (${error instanceof Error ? error.message : name})`, {
			cause: error
		});
	return undefined;
}

/**
 * Turn what Helia throws into the store's named errors. Helia wraps the brokers' failures in a
 * `LoadBlockFailedError` (an AggregateError); the relay broker's own errors are inside.
 */
function named(error: unknown, cid: CID, signal: AbortSignal | undefined): unknown {
	if (signal?.aborted) return new AbortError('The download');
	if (error instanceof MiaouError) return error;
	if (error instanceof AggregateError) {
		const inner = error.errors.find((e): e is MiaouError => e instanceof MiaouError);
		if (inner) return inner;
		return new ContentNotFoundError(cid.toString(), error.errors.map((e: unknown) => String(e)).join('; '));
	}
	return storageError(error) ?? error;
}

/**
 * Create a blob store over a started Helia node.
 * @param node - Helia (its blockstore: local first, then its block brokers) and the local blockstore
 * @param opts - the relay upload, size cap, fetch concurrency
 * @returns the store
 * @example const blobs = heliaBlobStore(await createBrowserHelia(…), { upload: relayUploader(relayBlobStore(urls)) })
 */
export function heliaBlobStore(node: HeliaBlocks, opts: HeliaBlobStoreOptions = {}): HeliaBlobStore {
	const { helia } = node;
	const cap = (o: HeliaTransferOptions) => {
		const maxBytes = o.maxBytes ?? opts.maxBytes;
		return maxBytes !== undefined ? { maxBytes } : {};
	};

	const readBlock = async (cid: CID, signal: AbortSignal | undefined, offline = false): Promise<Uint8Array> => {
		const chunks: Uint8Array[] = [];
		for await (const chunk of helia.blockstore.get(cid, { offline, ...(signal ? { signal } : {}) })) chunks.push(chunk);
		return chunks.length === 1 ? chunks[0]! : concat(...chunks);
	};

	const getBlock = async (cid: CID, signal: AbortSignal | undefined): Promise<Uint8Array> => {
		try {
			const bytes = await readBlock(cid, signal);
			if (await verifyBlock(cid, bytes)) return bytes;
			// Blocks from the network were verified before they were stored, so this is a local copy
			// altered at rest (any script of the origin can write IndexedDB): drop it, fetch again.
			// Under Helia's GC lock a delete waits for every read in flight: go under it.
			await node.blockstore.delete(cid);
			const again = await readBlock(cid, signal);
			if (await verifyBlock(cid, again)) return again;
			throw new ContentNotFoundError(cid.toString(), 'no verified copy');
		} catch (error) {
			throw named(error, cid, signal);
		}
	};

	const upload = async (bytes: Uint8Array, o: HeliaTransferOptions = {}): Promise<HeliaUploadResult> => {
		if (!opts.upload) throw new NoRelayError('this store has no relay to upload to');
		const imported = await importFile(bytes, {
			...cap(o),
			...(o.signal ? { signal: o.signal } : {}),
			onProgress: (done, total) => o.onProgress?.({ phase: 'encode', bytes: done, total })
		});
		// The blocks just made go up as they are: no second import (docs/net.md §The browser node).
		const result = await opts.upload(imported.root, imported.blocks, {
			...cap(o),
			...(o.signal ? { signal: o.signal } : {}),
			...(o.onProgress ? { onProgress: o.onProgress } : {})
		});
		if (result.cid !== imported.root.toString())
			throw new MalformedError('The upload', `the relays named ${result.cid}, not ${imported.root}`);
		// Counted as a read: an eviction meanwhile could delete a block this file shares with an
		// older one before the file is listed.
		const done = opts.cache?.reading(imported.root.toString());
		try {
			for (const block of imported.blocks) {
				if (o.signal?.aborted) throw new AbortError('The upload');
				await helia.blockstore.put(block.cid, block.bytes, o.signal ? { signal: o.signal } : {});
			}
			await opts.cache?.record(
				imported.root,
				imported.blocks.map((b) => ({ cid: b.cid, size: b.bytes.length }))
			);
		} catch (error) {
			// The relays have it: a full local store only means this browser re-downloads it later.
			if (error instanceof AbortError) throw error;
			if (!storageError(error) && !(error instanceof BrowserStorageError)) throw error;
		} finally {
			done?.();
		}
		return result;
	};

	const isLocal = async (cidInput: CID | string, o: { signal?: AbortSignal } = {}): Promise<boolean> => {
		const root = toCid(cidInput);
		try {
			await exportFile(
				root,
				async (cid, signal) => {
					// `offline`: Helia reads its blockstore only and asks no broker (helia/src/storage.ts).
					const bytes = await readBlock(cid, signal, true);
					if (!(await verifyBlock(cid, bytes))) throw new ContentNotFoundError(cid.toString(), 'altered at rest');
					return bytes;
				},
				{ ...(o.signal ? { signal: o.signal } : {}), ...cap({}) }
			);
			return true;
		} catch {
			if (o.signal?.aborted) throw new AbortError('Checking local blocks');
			return false;
		}
	};

	return {
		upload,
		isLocal,
		put: async (bytes, o: BlobOptions = {}) => CID.parse((await upload(bytes, o)).cid),
		async get(cidInput, o: BlobOptions & { maxBytes?: number } = {}) {
			const root = toCid(cidInput);
			const cache = opts.cache;
			// No eviction while this read runs: it could remove blocks the walk has yet to reach.
			const done = cache?.reading(root.toString());
			const seen: { cid: CID; size: number }[] = [];
			try {
				const bytes = await exportFile(
					root,
					async (cid, signal) => {
						const block = await getBlock(cid, signal);
						seen.push({ cid, size: block.length });
						return block;
					},
					{
						...cap(o),
						...(o.signal ? { signal: o.signal } : {}),
						...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
						onProgress: (done, total) => o.onProgress?.({ phase: 'download', bytes: done, total })
					}
				);
				// A failed index write costs only the bound's precision, never the file.
				await cache?.record(root, seen).catch(() => {});
				return bytes;
			} finally {
				done?.();
			}
		}
	};
}

/**
 * The relay blob store's `uploadBlocks` as an {@link Uploader} (tests and tools; the app passes
 * `net.uploadBlocks`, which reports bytes as they leave).
 * @param store - a relay blob store
 * @returns the uploader
 */
export function relayUploader(store: import('./blob-store-relay.ts').RelayBlobStore): Uploader {
	return async (root, blocks, o) => {
		const report = await store.uploadBlocks(root, blocks, {
			...(o.signal ? { signal: o.signal } : {}),
			...(o.onProgress ? { onProgress: o.onProgress } : {})
		});
		return {
			cid: report.cid.toString(),
			accepted: report.relays.filter((r) => r.ok).map((r) => r.url),
			refused: report.relays.flatMap((r) => (r.ok ? [] : [{ url: r.url, error: r.error }]))
		};
	};
}

/** Options of {@link openBrowserBlobStore}. */
export interface BrowserBlobStoreOptions extends HeliaBlobStoreOptions {
	/** Relay base URLs, best first, read at each block request. */
	relays: () => readonly string[];
	/** A libp2p node to add Bitswap (see {@link createBrowserHelia}). */
	libp2p?: BrowserHeliaOptions['libp2p'];
	/** The IndexedDB database (default: helia-browser.ts BLOCKS_DATABASE). */
	database?: string;
	/** Another blockstore instead of IndexedDB (Node tests: a folder); no cache then unless `cache` is given. */
	blockstore?: () => Promise<Blockstore>;
}

/**
 * The browser's blob store: a Helia node over the IndexedDB blockstore and the relays' gateways.
 * @param opts - relays, the relay upload, size cap, optional libp2p node and database name
 * @returns the store
 * @throws {BrowserStorageError} when IndexedDB cannot be opened
 */
export async function openBrowserBlobStore(opts: BrowserBlobStoreOptions): Promise<HeliaBlobStore> {
	let blockstore: Blockstore;
	let cache = opts.cache;
	try {
		blockstore = await (opts.blockstore ?? (() => openIdbBlockstore(opts.database)))();
		// The page's one cache over IndexedDB; a browser where the index cannot open still moves blobs.
		if (!opts.blockstore && !cache) cache = await browserBlockCache(opts.database).catch(() => undefined);
	} catch (error) {
		throw storageError(error) ?? new BrowserStorageError('the block store could not be opened', { cause: error });
	}
	const node = await createBrowserHelia({
		relays: opts.relays,
		blockstore,
		...(opts.libp2p ? { libp2p: opts.libp2p } : {})
	});
	return heliaBlobStore(node, { ...opts, ...(cache ? { cache } : {}) });
}

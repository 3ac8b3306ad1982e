/**
 * The blob store over a Helia node (docs/ipfs.md §The browser node), same interface as
 * blob-store.ts:
 *
 * - put: the file is imported as UnixFS (unixfs.ts, the settings of `ipfs add --cid-version=1`),
 *   uploaded as one CAR to the relays by the existing relay upload (blob-store-relay.ts, or
 *   `net.upload` with its XHR progress), then its blocks are kept in the local blockstore;
 * - get: each block from the local blockstore when held, else from the relays' gateways through
 *   Helia, which verifies it against its CID and stores it (helia-browser.ts). Once a file has
 *   been read, it reads again with every relay down.
 *
 * Size caps and named errors are those of the relay store: TooLargeError over the cap,
 * ContentNotFoundError, HashMismatchError, NoRelayError.
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
import { createBrowserHelia, openIdbBlockstore, type BrowserHeliaOptions } from './helia-browser.ts';
import { exportFile, importFile } from './unixfs.ts';

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
 * The existing CAR upload to the relays: `net.upload`, or {@link relayUploader} over
 * `relayBlobStore`. It imports the bytes with the same settings, so it names the same root.
 */
export type Uploader = (bytes: Uint8Array, opts: HeliaTransferOptions) => Promise<HeliaUploadResult>;

/** Options of {@link heliaBlobStore}. */
export interface HeliaBlobStoreOptions {
	/** Uploads to the relays; without it `put` throws NoRelayError. */
	upload?: Uploader;
	/** Largest blob put or got (default: unixfs.ts DEFAULT_MAX_BLOB_BYTES). */
	maxBytes?: number;
	/** Blocks fetched at once. */
	concurrency?: number;
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
		const imported = await importFile(bytes, {
			...cap(o),
			...(o.signal ? { signal: o.signal } : {}),
			onProgress: (done, total) => o.onProgress?.({ phase: 'encode', bytes: done, total })
		});
		if (!opts.upload) throw new NoRelayError('this store has no relay to upload to');
		const result = await opts.upload(bytes, {
			...cap(o),
			...(o.signal ? { signal: o.signal } : {}),
			// The encoding was reported above; the uploader's own pass is quick and not shown twice.
			onProgress: (p) => {
				if (p.phase !== 'encode') o.onProgress?.(p);
			}
		});
		if (result.cid !== imported.root.toString())
			throw new MalformedError('The upload', `the relays named ${result.cid}, not ${imported.root}`);
		try {
			for (const block of imported.blocks) {
				if (o.signal?.aborted) throw new AbortError('The upload');
				await helia.blockstore.put(block.cid, block.bytes, o.signal ? { signal: o.signal } : {});
			}
		} catch (error) {
			// The relays have it: a full local store only means this browser re-downloads it later.
			if (error instanceof AbortError) throw error;
			if (!storageError(error)) throw error;
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
			return exportFile(root, getBlock, {
				...cap(o),
				...(o.signal ? { signal: o.signal } : {}),
				...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
				onProgress: (done, total) => o.onProgress?.({ phase: 'download', bytes: done, total })
			});
		}
	};
}

/**
 * The relay blob store's upload as an {@link Uploader} (the messenger's path; the Share screen
 * passes `net.upload`, which reports bytes as they leave).
 * @param store - a relay blob store
 * @returns the uploader
 */
export function relayUploader(store: import('./blob-store-relay.ts').RelayBlobStore): Uploader {
	return async (bytes, o) => {
		const report = await store.upload(bytes, {
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
	/** Another blockstore instead of IndexedDB (Node tests: a folder). */
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
	try {
		blockstore = await (opts.blockstore ?? (() => openIdbBlockstore(opts.database)))();
	} catch (error) {
		throw storageError(error) ?? new BrowserStorageError('the block store could not be opened', { cause: error });
	}
	const node = await createBrowserHelia({
		relays: opts.relays,
		blockstore,
		...(opts.libp2p ? { libp2p: opts.libp2p } : {})
	});
	return heliaBlobStore(node, opts);
}

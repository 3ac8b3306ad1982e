/**
 * The blob store: content-addressed payloads (encrypted message bodies, shared files), stored as
 * UnixFS files and named by their root CID (docs/net.md §Blobs). Adapters:
 * - {@link relayBlobStore}: uploads a CAR to the user's relays, downloads block by block from
 *   any of them and verifies every block against its CID;
 * - {@link memoryBlobStore}: in memory, same encoding and the same verification, for unit tests
 *   of the layers above.
 */
import type { CID } from 'multiformats/cid';
import { ContentNotFoundError, HashMismatchError } from '../core/errors.ts';
import { toCid, verifyBlock } from './blocks.ts';
import { exportFile, importFile, type Block } from './unixfs.ts';

export {
	relayBlobStore,
	type RelayBlobStore,
	type RelayBlobStoreOptions,
	type UploadReport
} from './blob-store-relay.ts';

/** Where a transfer has got to. `total` is the byte count of the stage. */
export interface BlobProgress {
	/** `encode`: chunking and hashing; `upload`: sending to a relay; `download`: receiving. */
	phase: 'encode' | 'upload' | 'download';
	bytes: number;
	total: number;
	/** The relay concerned (upload: the one that just answered). */
	relay?: string;
}

/** Options of {@link BlobStore} calls. */
export interface BlobOptions {
	signal?: AbortSignal;
	onProgress?: (progress: BlobProgress) => void;
}

/** Put bytes, get them back by CID. */
export interface BlobStore {
	/**
	 * Store bytes as a UnixFS file (CIDv1, raw leaves, 256 KiB chunks).
	 * @param bytes - the content (encrypt first anything private)
	 * @param opts - AbortSignal and progress callback
	 * @returns the root CID
	 * @throws {TooLargeError} over the store's size cap
	 * @throws {RelayRefusedError | NoRelayError} when no relay accepted it (relay adapter)
	 * @throws {AbortError} when aborted
	 */
	put(bytes: Uint8Array, opts?: BlobOptions): Promise<CID>;
	/**
	 * Fetch the content of a CID, every block verified against its CID before use.
	 * @param cid - a CID or its text
	 * @param opts - AbortSignal and progress callback
	 * @returns the content
	 * @throws {CidError | UnsupportedCodecError | UnsupportedHashError} for a CID it cannot verify
	 * @throws {ContentNotFoundError} when no source had a verified copy of a block
	 * @throws {TooLargeError | MalformedError} for content over the cap or not a UnixFS file
	 * @throws {AbortError} when aborted
	 */
	get(cid: CID | string, opts?: BlobOptions): Promise<Uint8Array>;
}

/** A {@link BlobStore} in memory, plus access to its blocks for tests. */
export interface MemoryBlobStore extends BlobStore {
	/** Whether a block is held. */
	has(cid: CID): boolean;
	/** Replace a block's bytes without changing its CID, as a corrupted disk or a lying relay would. */
	tamper(cid: CID, bytes: Uint8Array): void;
	/** Number of blocks held. */
	readonly size: number;
}

/**
 * Create an empty in-memory blob store.
 * @param opts - the size cap of one blob
 * @returns the store
 */
export function memoryBlobStore(opts: { maxBytes?: number } = {}): MemoryBlobStore {
	const blocks = new Map<string, Block>();
	const key = (cid: CID): string => cid.toV1().toString();
	return {
		async put(bytes, o = {}) {
			const imported = await importFile(bytes, {
				...(o.signal ? { signal: o.signal } : {}),
				...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}),
				onProgress: (done, total) => o.onProgress?.({ phase: 'encode', bytes: done, total })
			});
			for (const block of imported.blocks) blocks.set(key(block.cid), block);
			o.onProgress?.({ phase: 'upload', bytes: imported.blockBytes, total: imported.blockBytes, relay: 'memory:' });
			return imported.root;
		},
		async get(cid, o = {}) {
			const root = toCid(cid);
			return exportFile(
				root,
				async (c) => {
					const block = blocks.get(key(c));
					if (!block) throw new ContentNotFoundError(c.toString(), 'not in the memory store');
					if (!(await verifyBlock(c, block.bytes))) throw new HashMismatchError(c.toString());
					return block.bytes;
				},
				{
					...(o.signal ? { signal: o.signal } : {}),
					...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}),
					onProgress: (done, total) => o.onProgress?.({ phase: 'download', bytes: done, total })
				}
			);
		},
		has: (cid) => blocks.has(key(cid)),
		tamper(cid, bytes) {
			blocks.set(key(cid), { cid, bytes });
		},
		get size() {
			return blocks.size;
		}
	};
}

/**
 * Bytes to a UnixFS file DAG and back (docs/net.md §Blobs).
 *
 * Import settings are those of `ipfs add --cid-version=1` in Kubo (the IPIP-499
 * `unixfs-v0-2015` profile with CIDv1): 256 KiB fixed-size chunks, raw leaves, a balanced tree
 * of at most 174 links per node, and a file that fits in one chunk reduced to that raw leaf.
 * A public share therefore gets the CID any IPFS tool computes for the same bytes and settings
 * (ARCHITECTURE.md §Content sharing by CID). The import and the export are ipfs-unixfs-importer
 * and ipfs-unixfs-exporter, the libraries Helia itself uses.
 *
 * The export walks a DAG through a `getBlock` function that must return verified bytes (the
 * relay adapter hashes every block against its CID); this module adds the size bounds.
 */
import { exporter } from 'ipfs-unixfs-exporter';
import {
	importer,
	type ImporterOptions,
	type ImporterProgressEvents,
	type WritableStorage
} from 'ipfs-unixfs-importer';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import type { CID } from 'multiformats/cid';
import { concat } from '../core/bytes.ts';
import { AbortError, MalformedError, MiaouError, TooLargeError } from '../core/errors.ts';
import { assertSupportedCid } from './blocks.ts';

/** Chunk size of the import (Kubo's default, `size-262144`). */
export const CHUNK_SIZE = 256 * 1024;
/** Most links in one node of the balanced layout (Kubo's default). */
export const MAX_CHILDREN_PER_NODE = 174;
/** Largest file imported or exported by default (the largest payload a mailbox entry announces). */
export const DEFAULT_MAX_BLOB_BYTES = 64 * 1024 * 1024;
/** Blocks fetched at once during an export. */
export const BLOCK_READ_CONCURRENCY = 8;

/** One block: a CID and the bytes it names. */
export interface Block {
	cid: CID;
	bytes: Uint8Array;
}

/** The blocks of an imported file, root first. */
export interface ImportedFile {
	root: CID;
	blocks: Block[];
	/** Sum of the blocks' byte lengths. */
	blockBytes: number;
}

/** Where a stage of an import or export has got to. */
export type BytesProgress = (bytes: number, total: number) => void;

/**
 * Import bytes as a UnixFS file with the settings above.
 * @param bytes - the file content
 * @param opts - an AbortSignal, a size cap, and a callback with the bytes chunked so far
 * @returns the root CID and every block, root first
 * @throws {TooLargeError} when `bytes` is over the cap
 * @throws {AbortError} when aborted
 * @example const { root, blocks } = await importFile(utf8('hello'))
 */
export async function importFile(
	bytes: Uint8Array,
	opts: { signal?: AbortSignal; maxBytes?: number; onProgress?: BytesProgress } = {}
): Promise<ImportedFile> {
	if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
	const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BLOB_BYTES;
	if (bytes.length > maxBytes) throw new TooLargeError('The file', bytes.length, maxBytes);
	const blocks = new Map<string, Block>();
	const store: WritableStorage = {
		async put(cid, value) {
			if (opts.signal?.aborted) throw new AbortError('Importing the file');
			// The importer hands over whole blocks; an async iterable would be another caller's.
			const chunks: Uint8Array[] = [];
			if (value instanceof Uint8Array) chunks.push(value);
			else for await (const chunk of value) chunks.push(chunk);
			blocks.set(cid.toString(), { cid, bytes: concat(...chunks) });
			return cid;
		}
	};
	const total = bytes.length;
	let root: CID | undefined;
	const options: ImporterOptions = {
		cidVersion: 1,
		rawLeaves: true,
		reduceSingleLeafToSelf: true,
		chunker: fixedSize({ chunkSize: CHUNK_SIZE }),
		layout: balanced({ maxChildrenPerNode: MAX_CHILDREN_PER_NODE }),
		onProgress: (event: ImporterProgressEvents) => {
			if (event.type === 'unixfs:importer:progress:file:read') opts.onProgress?.(Number(event.detail.bytesRead), total);
		}
	};
	for await (const entry of importer([{ content: bytes }], store, options)) root = entry.cid;
	if (opts.signal?.aborted) throw new AbortError('Importing the file');
	if (!root) throw new MalformedError('Import', 'no root was produced');
	const rootBlock = blocks.get(root.toString());
	if (!rootBlock) throw new MalformedError('Import', 'the root block is missing');
	blocks.delete(root.toString());
	const ordered = [rootBlock, ...blocks.values()];
	return { root, blocks: ordered, blockBytes: ordered.reduce((n, b) => n + b.bytes.length, 0) };
}

/** Returns the verified bytes of a block, or throws. */
export type GetBlock = (cid: CID, signal: AbortSignal | undefined) => Promise<Uint8Array>;

/**
 * Reassemble a UnixFS file (or a single raw block) from its root, fetching blocks through
 * `getBlock`. The declared size is checked against the cap before any leaf is fetched, and the
 * bytes received against the declared size.
 * @param root - the file's CID
 * @param getBlock - supplies verified block bytes
 * @param opts - an AbortSignal, a size cap, a progress callback, and the fetch concurrency
 * @returns the file content
 * @throws {UnsupportedCodecError | UnsupportedHashError | CidError} for a CID it cannot verify
 * @throws {TooLargeError} when the file is over the cap
 * @throws {MalformedError} when the DAG is not a UnixFS file or disagrees with its own sizes
 * @throws {AbortError} when aborted; whatever `getBlock` throws (e.g. ContentNotFoundError)
 */
export async function exportFile(
	root: CID,
	getBlock: GetBlock,
	opts: { signal?: AbortSignal; maxBytes?: number; onProgress?: BytesProgress; concurrency?: number } = {}
): Promise<Uint8Array> {
	assertSupportedCid(root);
	const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BLOB_BYTES;
	const { signal } = opts;
	if (signal?.aborted) throw new AbortError('Downloading the file');
	const store = {
		async *get(cid: CID, o?: { signal?: AbortSignal }) {
			if (signal?.aborted) throw new AbortError('Downloading the file');
			assertSupportedCid(cid);
			yield await getBlock(cid, o?.signal ?? signal);
		}
	};
	try {
		const entry = await exporter(root, store, signal ? { signal } : {});
		if (entry.type !== 'file' && entry.type !== 'raw' && entry.type !== 'identity')
			throw new MalformedError('Content', `it is a UnixFS ${entry.type}, not a file`);
		if (entry.size > BigInt(maxBytes)) throw new TooLargeError('The file', Number(entry.size), maxBytes);
		const total = Number(entry.size);
		const out = new Uint8Array(total);
		let offset = 0;
		opts.onProgress?.(0, total);
		for await (const chunk of entry.content({
			signal,
			blockReadConcurrency: opts.concurrency ?? BLOCK_READ_CONCURRENCY
		})) {
			if (offset + chunk.length > total)
				throw new MalformedError('Content', 'its blocks hold more bytes than it declares');
			out.set(chunk, offset);
			offset += chunk.length;
			opts.onProgress?.(offset, total);
		}
		if (offset !== total) throw new MalformedError('Content', 'its blocks hold fewer bytes than it declares');
		return out;
	} catch (error) {
		if (signal?.aborted) throw new AbortError('Downloading the file');
		if (error instanceof MiaouError) throw error;
		throw new MalformedError('Content', error instanceof Error ? error.message : String(error));
	}
}

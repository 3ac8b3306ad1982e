/**
 * Durable on-disk stores for Helia. blockstore-fs and datastore-fs write each value to a temporary
 * file and rename it into place (through `steno`), which is atomic but never calls fsync: after a
 * power cut or a kernel crash the rename may be on disk while the data is not, or neither is. The
 * relay acknowledges an upload only once its blocks and pin records are on stable storage, so these
 * subclasses remember every file they wrote and `sync()` fsyncs those files, then their directories
 * (which makes the renames themselves durable, see fsync(2) "Calling fsync() does not necessarily
 * ensure that the entry in the directory containing the file has also reached disk").
 *
 * Batching the fsyncs into one `sync()` per request, instead of one per put, lets the kernel flush
 * the files of an upload together.
 */
import { open, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FsBlockstore } from 'blockstore-fs';
import type { FsBlockstoreInit } from 'blockstore-fs';
import { NextToLast } from 'blockstore-fs/sharding';
import { FsDatastore } from 'datastore-fs';
import type { Key } from 'interface-datastore';
import type { AbortOptions } from '@libp2p/interface';
import type { CID } from 'multiformats/cid';

/** Files fsynced in parallel by one `sync()`. */
export const FSYNC_CONCURRENCY = 32;

/**
 * fsync one file or directory by path (the default of the stores' `fsync` option). A file that vanished meanwhile (deleted by GC) is skipped.
 * @param path - absolute path
 * @throws {Error} on any I/O error other than ENOENT
 */
export async function fsyncPath(path: string): Promise<void> {
	let handle;
	try {
		handle = await open(path, 'r');
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
		throw err;
	}
	try {
		await handle.sync();
	} finally {
		await handle.close();
	}
}

/** Run `fn` over `items` with at most `limit` running at once. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
	let next = 0;
	const worker = async (): Promise<void> => {
		while (next < items.length) {
			const item = items[next++]!;
			await fn(item);
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * The pending-file bookkeeping shared by both stores: `add` after each write, `sync` to make
 * everything written so far durable. Syncs are chained, so a `sync()` returns only after every
 * earlier one finished too (a block written by a concurrent request that this request found
 * already present is then durable as well).
 */
class SyncQueue {
	readonly #root: string;
	readonly #fsync: (path: string) => Promise<void>;
	#pending = new Set<string>();
	#last: Promise<void> = Promise.resolve();

	constructor(root: string, fsync: (path: string) => Promise<void>) {
		this.#root = root;
		this.#fsync = fsync;
	}

	add(file: string): void {
		this.#pending.add(file);
	}

	async sync(): Promise<void> {
		const files = [...this.#pending];
		this.#pending = new Set();
		const previous = this.#last;
		const run = (async () => {
			await previous.catch(() => {});
			const dirs = new Set<string>([this.#root]);
			for (const file of files) {
				// Every directory from the file up to the store root: a new shard directory is an
				// entry in its parent that must reach the disk too.
				for (let dir = dirname(file); dir.startsWith(this.#root) && dir !== this.#root; dir = dirname(dir))
					dirs.add(dir);
			}
			await eachLimited(files, FSYNC_CONCURRENCY, this.#fsync);
			await eachLimited(
				[...dirs].sort((a, b) => b.length - a.length),
				FSYNC_CONCURRENCY,
				this.#fsync
			);
		})();
		this.#last = run;
		await run;
	}
}

/** Options shared by the durable stores. */
export interface DurableInit {
	/** How one path is made durable; default {@link fsyncPath}. */
	fsync?: (path: string) => Promise<void>;
}

/** An FsBlockstore whose writes become durable on {@link DurableFsBlockstore.sync}. */
export class DurableFsBlockstore extends FsBlockstore {
	readonly #sharding: NextToLast;
	readonly #queue: SyncQueue;

	/**
	 * @param location - directory of the block files (created on `open()` if missing)
	 * @param init - blockstore-fs options (the sharding strategy is fixed to blockstore-fs's
	 *   default) and `fsync`, which tests replace to observe what is synced
	 */
	constructor(location: string, init: Omit<FsBlockstoreInit, 'shardingStrategy'> & DurableInit = {}) {
		const sharding = new NextToLast();
		super(location, { ...init, shardingStrategy: sharding });
		this.#sharding = sharding;
		this.#queue = new SyncQueue(this.path, init.fsync ?? fsyncPath);
	}

	override async put(
		key: CID,
		val: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
		options?: AbortOptions
	): Promise<CID> {
		const out = await super.put(key, val, options);
		const { dir, file } = this.#sharding.encode(key);
		this.#queue.add(join(this.path, dir, file));
		return out;
	}

	/**
	 * Read a block in one `readFile` (one buffer), instead of blockstore-fs's 64 KiB read stream
	 * that the caller then has to concatenate: the gateway serves whole blocks, and the copies and
	 * small buffers were most of a CAR answer's CPU time.
	 * @throws {Error} named `NotFoundError` (interface-store's convention) when the block is absent
	 */
	override async *get(key: CID, options?: AbortOptions): AsyncGenerator<Uint8Array> {
		const { dir, file } = this.#sharding.encode(key);
		let data: Buffer;
		try {
			data = await readFile(join(this.path, dir, file), { signal: options?.signal });
		} catch (err) {
			if (options?.signal?.aborted === true) throw err;
			throw Object.assign(new Error(`Block ${key} is not in the blockstore`, { cause: err }), {
				name: 'NotFoundError'
			});
		}
		yield data;
	}

	/**
	 * Make every block written so far durable (fsync files, then their directories).
	 * @throws {Error} on an I/O error; the caller must then not acknowledge the write
	 */
	async sync(): Promise<void> {
		await this.#queue.sync();
	}
}

/** An FsDatastore whose writes become durable on {@link DurableFsDatastore.sync}. */
export class DurableFsDatastore extends FsDatastore {
	readonly #queue: SyncQueue;

	/**
	 * @param location - directory of the datastore (created on `open()` if missing)
	 * @param init - `fsync`, which tests replace to observe what is synced
	 */
	constructor(location: string, init: DurableInit = {}) {
		super(location);
		this.#queue = new SyncQueue(this.path, init.fsync ?? fsyncPath);
	}

	override async put(key: Key, val: Uint8Array, options?: AbortOptions): Promise<Key> {
		const out = await super.put(key, val, options);
		this.#queue.add(this._encode(key).file);
		return out;
	}

	/**
	 * Make every record written so far durable.
	 * @throws {Error} on an I/O error
	 */
	async sync(): Promise<void> {
		await this.#queue.sync();
	}
}

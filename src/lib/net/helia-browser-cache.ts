/**
 * A bound on the browser's block cache (docs/net.md §The browser node, "Bounded cache").
 *
 * The IndexedDB blockstore (helia-browser.ts) keeps every block this browser put or read, so that
 * a file opens again without a relay. Left alone it grows without end. This module keeps a small
 * index beside it — one record per blob: root → {bytes, lastUsed, blocks} — written after each
 * put and each complete read, and evicts whole blobs, least recently used first, once the total
 * is over a byte cap. Whole blobs only: evicting single blocks would leave half a DAG that opens
 * neither offline nor faster.
 *
 * Eviction never runs while a read is under way (it waits for the last one to end), and a blob
 * whose read starts during an eviction is kept. A block shared by two blobs (same chunk in two
 * files) stays while any blob still listed uses it.
 *
 * Blocks written before this index existed are not listed, so they are not counted; "Clear
 * cached files" (Settings) removes them too.
 */
import type { Blockstore } from 'interface-blockstore';
import type { CID } from 'multiformats/cid';
import { BrowserStorageError } from '../core/errors.ts';
import { committed, openDatabase, settle } from '../browser/idb.ts';

/** Default byte cap of the block cache: room for many chats' images, small beside a phone's quota. */
export const DEFAULT_BLOCK_CACHE_BYTES = 512 * 1024 * 1024;
/** Smallest cap accepted (below it a single shared file would not stay). */
export const MIN_BLOCK_CACHE_BYTES = 16 * 1024 * 1024;
/** Largest cap accepted. */
export const MAX_BLOCK_CACHE_BYTES = 64 * 1024 * 1024 * 1024;
/** localStorage key of the cap chosen in Settings. */
export const BLOCK_CACHE_CAP_KEY = 'miaou.blockCacheBytes';
/** The IndexedDB database holding the browser's blocks (blockstore-idb). */
export const BLOCKS_DATABASE = 'miaou-blocks';
/** The IndexedDB database of the index (apart from blockstore-idb's, whose schema that package owns). */
export const BLOCK_INDEX_DATABASE = 'miaou-block-index';
/** Object store of the index, keyed by root CID text. */
const BLOBS = 'blobs';

/** What the index knows of one blob held locally. */
export interface CachedBlob {
	/** Root CID, as text. */
	root: string;
	/** Sum of its blocks' sizes. */
	bytes: number;
	/** Last put or complete read, ms since the epoch. */
	lastUsed: number;
	/** Its blocks' CIDs, as text (root included). */
	blocks: string[];
}

/** Where the index rests: IndexedDB in the browser ({@link openIdbBlobIndex}), memory in Node tests. */
export interface BlobIndex {
	get(root: string): Promise<CachedBlob | undefined>;
	put(entry: CachedBlob): Promise<void>;
	all(): Promise<CachedBlob[]>;
	delete(roots: readonly string[]): Promise<void>;
	clear(): Promise<void>;
}

/** The block deletions the cache needs from the blockstore. */
export type CacheBlockstore = Pick<Blockstore, 'delete'>;

/** Total of what the index lists. */
export interface CacheUsage {
	bytes: number;
	blobs: number;
}

/** The bounded block cache. */
export interface BlockCache {
	/**
	 * Say a read of a blob starts: no eviction runs until it ends.
	 * @param root - the blob's root CID text
	 * @returns a function to call once the read ended (success or not); it may start an eviction
	 */
	reading(root: string): () => void;
	/**
	 * Note a blob put or read completely, as used now, then evict if over the cap (once no read runs).
	 * @param root - the root CID
	 * @param blocks - every block of the blob, with its size
	 * @throws {BrowserStorageError} when the index cannot be written
	 */
	record(root: CID, blocks: readonly { cid: CID; size: number }[]): Promise<void>;
	/**
	 * Remove least recently used blobs until the total fits the cap; waits for running reads to end.
	 * @returns the roots removed
	 */
	evict(): Promise<string[]>;
	/**
	 * What the index lists.
	 * @returns bytes and blob count
	 */
	usage(): Promise<CacheUsage>;
	/**
	 * Remove every cached block and the index (waits for running reads to end).
	 * @throws {BrowserStorageError} when IndexedDB refuses
	 */
	clear(): Promise<void>;
}

/** Options of {@link blockCache}. */
export interface BlockCacheOptions {
	blockstore: CacheBlockstore;
	index: BlobIndex;
	/** The cap, read at each eviction (Settings may change it). */
	capBytes?: () => number;
	/** Wall clock in ms. */
	now?: () => number;
	/** Delete every block at once (IndexedDB: clear the object store); default: delete the listed ones. */
	wipe?: () => Promise<void>;
	/** Block CIDs from text (kept out of this module's imports: `CID.parse`). */
	parse: (text: string) => CID;
}

/**
 * Read the cap chosen in Settings, or the default.
 * @param store - localStorage, or undefined where there is none
 * @returns the cap in bytes, within [{@link MIN_BLOCK_CACHE_BYTES}, {@link MAX_BLOCK_CACHE_BYTES}]
 */
export function loadCacheCap(store: Pick<Storage, 'getItem'> | undefined): number {
	let text: string | null = null;
	try {
		text = store?.getItem(BLOCK_CACHE_CAP_KEY) ?? null;
	} catch {
		// Site data blocked: the default applies.
	}
	const value = text !== null && /^\d{1,15}$/.test(text) ? Number(text) : DEFAULT_BLOCK_CACHE_BYTES;
	return Math.min(MAX_BLOCK_CACHE_BYTES, Math.max(MIN_BLOCK_CACHE_BYTES, value));
}

/**
 * Save the cap chosen in Settings.
 * @param store - localStorage
 * @param bytes - the cap; clamped to [{@link MIN_BLOCK_CACHE_BYTES}, {@link MAX_BLOCK_CACHE_BYTES}]
 * @returns the cap saved
 * @throws {BrowserStorageError} when localStorage refuses the write
 */
export function saveCacheCap(store: Pick<Storage, 'setItem'>, bytes: number): number {
	const value = Math.min(MAX_BLOCK_CACHE_BYTES, Math.max(MIN_BLOCK_CACHE_BYTES, Math.floor(bytes)));
	try {
		store.setItem(BLOCK_CACHE_CAP_KEY, String(value));
	} catch (cause) {
		throw new BrowserStorageError('the cache size could not be saved', { cause });
	}
	return value;
}

/**
 * An index in memory (Node tests, or a browser without IndexedDB: the cap then holds per page).
 * @returns the index
 */
export function memoryBlobIndex(): BlobIndex {
	const entries = new Map<string, CachedBlob>();
	const copy = (e: CachedBlob): CachedBlob => ({ ...e, blocks: [...e.blocks] });
	return {
		get: async (root) => {
			const e = entries.get(root);
			return e ? copy(e) : undefined;
		},
		put: async (entry) => void entries.set(entry.root, copy(entry)),
		all: async () => [...entries.values()].map(copy),
		delete: async (roots) => roots.forEach((r) => entries.delete(r)),
		clear: async () => entries.clear()
	};
}

/**
 * Open the index in IndexedDB.
 * @param name - database name
 * @param factory - `indexedDB` (another IDBFactory in tests)
 * @returns the index
 * @throws {BrowserStorageError} when IndexedDB is unavailable or refused
 */
export async function openIdbBlobIndex(
	name = BLOCK_INDEX_DATABASE,
	factory: IDBFactory | undefined = globalThis.indexedDB
): Promise<BlobIndex> {
	const db = await openDatabase(factory, name, 1, (d) => {
		if (!d.objectStoreNames.contains(BLOBS)) d.createObjectStore(BLOBS, { keyPath: 'root' });
	});
	const run = async <T>(
		mode: IDBTransactionMode,
		what: string,
		fn: (store: IDBObjectStore) => IDBRequest<T> | void
	): Promise<T | undefined> => {
		const tx = db.transaction(BLOBS, mode);
		const done = committed(tx, what);
		const request = fn(tx.objectStore(BLOBS));
		const result = request ? await settle(request, what) : undefined;
		await done;
		return result;
	};
	const valid = (v: unknown): v is CachedBlob => {
		const e = v as Partial<CachedBlob> | undefined;
		return (
			typeof e?.root === 'string' &&
			typeof e.bytes === 'number' &&
			typeof e.lastUsed === 'number' &&
			Array.isArray(e.blocks) &&
			e.blocks.every((b) => typeof b === 'string')
		);
	};
	return {
		async get(root) {
			const v: unknown = await run('readonly', 'reading the block index', (s) => s.get(root));
			return valid(v) ? v : undefined;
		},
		async put(entry) {
			await run('readwrite', 'writing the block index', (s) => void s.put(entry));
		},
		async all() {
			const v = await run('readonly', 'reading the block index', (s) => s.getAll());
			return (Array.isArray(v) ? (v as unknown[]) : []).filter(valid);
		},
		async delete(roots) {
			await run('readwrite', 'writing the block index', (s) => void roots.forEach((r) => s.delete(r)));
		},
		async clear() {
			await run('readwrite', 'clearing the block index', (s) => s.clear());
		}
	};
}

/**
 * A byte-capped LRU over whole blobs.
 * @param opts - blockstore, index, cap, clock, CID parser
 * @returns the cache
 */
export function blockCache(opts: BlockCacheOptions): BlockCache {
	const { blockstore, index, parse } = opts;
	const capBytes = opts.capBytes ?? (() => DEFAULT_BLOCK_CACHE_BYTES);
	const now = opts.now ?? Date.now;
	/** Running reads, by root (a count: the same file may be read twice at once). */
	const active = new Map<string, number>();
	let running = 0;
	let idleWaiters: (() => void)[] = [];
	/** One eviction or clear at a time. */
	let chain: Promise<unknown> = Promise.resolve();
	let pending = false;

	const idle = (): Promise<void> =>
		running === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve));
	const serial = <T>(fn: () => Promise<T>): Promise<T> => {
		const next = chain.then(fn, fn);
		chain = next.catch(() => {});
		return next;
	};

	const evictNow = async (): Promise<string[]> => {
		await idle();
		const entries = await index.all();
		let total = entries.reduce((n, e) => n + e.bytes, 0);
		const cap = capBytes();
		if (total <= cap) return [];
		entries.sort((a, b) => a.lastUsed - b.lastUsed);
		const kept = new Set(entries.map((e) => e.root));
		const removed: string[] = [];
		const newest = entries.at(-1);
		for (const entry of entries) {
			// The blob used last stays even alone over the cap: it is the one the user opened.
			if (total <= cap || entry === newest) break;
			// A read of this blob started since: it stays (its blocks are being read).
			if (active.has(entry.root)) continue;
			kept.delete(entry.root);
			removed.push(entry.root);
			total -= entry.bytes;
		}
		const inUse = new Set<string>();
		for (const e of entries) if (kept.has(e.root)) e.blocks.forEach((b) => inUse.add(b));
		// The index first: a crash in between leaves unlisted blocks (cleared later), never a
		// listed blob with blocks missing.
		await index.delete(removed);
		const byRoot = new Map(entries.map((e) => [e.root, e]));
		for (const root of removed) {
			for (const block of byRoot.get(root)?.blocks ?? []) {
				if (inUse.has(block)) continue;
				inUse.add(block); // once
				await blockstore.delete(parse(block));
			}
		}
		return removed;
	};

	const evict = (): Promise<string[]> => serial(evictNow);
	const schedule = (): void => {
		if (pending) return;
		pending = true;
		void serial(async () => {
			pending = false;
			await evictNow();
		}).catch(() => {
			// A failed eviction is retried after the next put or read.
		});
	};

	return {
		reading(root) {
			running++;
			active.set(root, (active.get(root) ?? 0) + 1);
			let ended = false;
			return () => {
				if (ended) return;
				ended = true;
				running--;
				const left = (active.get(root) ?? 1) - 1;
				if (left > 0) active.set(root, left);
				else active.delete(root);
				if (running === 0) {
					const waiters = idleWaiters;
					idleWaiters = [];
					waiters.forEach((w) => w());
				}
			};
		},
		async record(root, blocks) {
			const unique = new Map<string, number>();
			for (const b of blocks) unique.set(b.cid.toString(), b.size);
			const bytes = [...unique.values()].reduce((n, s) => n + s, 0);
			await index.put({ root: root.toString(), bytes, lastUsed: now(), blocks: [...unique.keys()] });
			schedule();
		},
		evict,
		async usage() {
			const entries = await index.all();
			return { bytes: entries.reduce((n, e) => n + e.bytes, 0), blobs: entries.length };
		},
		clear: () =>
			serial(async () => {
				await idle();
				if (opts.wipe) await opts.wipe();
				else for (const e of await index.all()) for (const b of e.blocks) await blockstore.delete(parse(b));
				await index.clear();
			})
	};
}

const openStores = new Map<string, Promise<Blockstore>>();

/**
 * Open (once per page) the IndexedDB blockstore, with `blockstore-idb`: one object store keyed by
 * multihash, so the same block under CIDv0 and CIDv1 is kept once. Here rather than in
 * helia-browser.ts so that Settings can clear the cache without loading Helia.
 * @param name - the database name
 * @returns the open blockstore
 * @throws {OpenFailedError} (from interface-store) when IndexedDB is unavailable or refused
 */
export function openIdbBlockstore(name = BLOCKS_DATABASE): Promise<Blockstore> {
	let store = openStores.get(name);
	if (!store) {
		store = import('blockstore-idb').then(async ({ IDBBlockstore }) => {
			const idb = new IDBBlockstore(name);
			await idb.open();
			return idb;
		});
		// A failed open is not cached: the next call tries again.
		store.catch(() => openStores.delete(name));
		openStores.set(name, store);
	}
	return store;
}

/** The part of blockstore-idb's IDBBlockstore used to empty it in one request. */
interface IdbBlockstoreInternals {
	location: string;
	db?: { clear(store: string): Promise<void> };
}

const caches = new Map<string, Promise<BlockCache>>();

/**
 * The page's one cache over the browser's blockstore (shared by every blob store and Settings, so
 * that running reads are known to every eviction and clear).
 * @param database - the blockstore's database (default {@link BLOCKS_DATABASE})
 * @param capStore - where the cap is read (default localStorage)
 * @returns the cache
 * @throws {BrowserStorageError} when IndexedDB is unavailable or refused
 */
export function browserBlockCache(
	database = BLOCKS_DATABASE,
	capStore: Pick<Storage, 'getItem'> | undefined = safeLocalStorage()
): Promise<BlockCache> {
	let cache = caches.get(database);
	if (!cache) {
		cache = (async () => {
			const [blockstore, index, { CID }] = await Promise.all([
				openIdbBlockstore(database).catch((cause: unknown) => {
					throw new BrowserStorageError('the block store could not be opened', { cause });
				}),
				openIdbBlobIndex(database === BLOCKS_DATABASE ? BLOCK_INDEX_DATABASE : `${database}-index`),
				import('multiformats/cid')
			]);
			const internals = blockstore as unknown as IdbBlockstoreInternals;
			return blockCache({
				blockstore,
				index,
				parse: (text) => CID.parse(text),
				capBytes: () => loadCacheCap(capStore),
				...(internals.db ? { wipe: () => internals.db!.clear(internals.location) } : {})
			});
		})();
		cache.catch(() => caches.delete(database));
		caches.set(database, cache);
	}
	return cache;
}

function safeLocalStorage(): Storage | undefined {
	try {
		return typeof localStorage === 'undefined' ? undefined : localStorage;
	} catch {
		return undefined; // Reading `localStorage` itself throws when site data is blocked.
	}
}

/**
 * "Storage on this device" (Settings): what the origin uses of its quota, the block cache's cap,
 * and clearing the cached files (docs/net.md §The browser node, "Bounded cache").
 *
 * Only the block cache is touched here (the `miaou-blocks` blockstore and its index): messages'
 * history, keys and contacts live in other databases and stay. The cache module (and through
 * it blockstore-idb) is loaded by dynamic `import()` when first needed, so neither Settings'
 * first paint nor the first page carries it.
 */
import { BrowserStorageError } from '../core/errors.ts';
import type { BlockCache, CacheUsage } from '../net/helia-browser-cache.ts';

/** The part of `navigator.storage` used here (StorageManager, https://storage.spec.whatwg.org/). */
export interface StorageManagerLike {
	estimate?(): Promise<{ usage?: number; quota?: number }>;
	persist?(): Promise<boolean>;
	persisted?(): Promise<boolean>;
}

/** What {@link StorageState} needs; the browser's by default. */
export interface StorageDeps {
	manager?: StorageManagerLike | undefined;
	/** The page's block cache (default: helia-browser-cache.ts browserBlockCache, loaded on demand). */
	cache?: () => Promise<BlockCache>;
	/** Where the cap is kept (default: localStorage). */
	settings?: Pick<Storage, 'getItem' | 'setItem'> | undefined;
}

function browserManager(): StorageManagerLike | undefined {
	return typeof navigator === 'undefined' ? undefined : navigator.storage;
}

function browserSettings(): Storage | undefined {
	try {
		return typeof localStorage === 'undefined' ? undefined : localStorage;
	} catch {
		return undefined; // Reading `localStorage` itself throws when site data is blocked.
	}
}

let persistence: Promise<boolean | undefined> | undefined;

/**
 * Ask once per page that this origin's storage be persistent (StorageManager `persist()`), so the
 * browser does not evict the block cache — and with it history and keys — under storage pressure.
 * Called once the user has an identity: before that there is nothing worth keeping, and Chromium
 * grants it silently from engagement while Firefox asks the user, which only makes sense then.
 * @param manager - `navigator.storage` (another in tests)
 * @returns whether storage is persistent, or undefined where the browser has no StorageManager
 */
export function requestPersistence(
	manager: StorageManagerLike | undefined = browserManager()
): Promise<boolean | undefined> {
	if (manager !== browserManager()) return ask(manager);
	persistence ??= ask(manager);
	return persistence;
}

async function ask(manager: StorageManagerLike | undefined): Promise<boolean | undefined> {
	if (!manager?.persist) return undefined;
	try {
		if (manager.persisted && (await manager.persisted())) return true;
		return await manager.persist();
	} catch {
		return false; // Refused (e.g. an opaque origin): the cache stays best-effort.
	}
}

/** Settings' view of the device's storage. */
export class StorageState {
	/** Bytes the origin uses, all databases together (`estimate().usage`). */
	used = $state<number | undefined>(undefined);
	/** Bytes the browser allows the origin (`estimate().quota`). */
	quota = $state<number | undefined>(undefined);
	/** What the block cache lists. */
	cached = $state<CacheUsage | undefined>(undefined);
	/** The cache's cap in bytes. */
	cap = $state(0);
	/** Whether storage is persistent (undefined: unknown). */
	persisted = $state<boolean | undefined>(undefined);
	busy = $state(false);
	/** The last failure, for the UI's sentence. */
	error = $state<unknown>(undefined);

	#deps: StorageDeps;
	#module: Promise<typeof import('../net/helia-browser-cache.ts')> | undefined;

	/**
	 * @param deps - storage manager, cache, settings store (the browser's by default)
	 */
	constructor(deps: StorageDeps = {}) {
		this.#deps = { manager: browserManager(), settings: browserSettings(), ...deps };
	}

	#cacheModule(): Promise<typeof import('../net/helia-browser-cache.ts')> {
		this.#module ??= import('../net/helia-browser-cache.ts');
		return this.#module;
	}

	async #cache(): Promise<BlockCache> {
		return this.#deps.cache ? this.#deps.cache() : (await this.#cacheModule()).browserBlockCache();
	}

	/**
	 * Read the quota, the cache's size and cap, and whether storage is persistent.
	 * @returns when read (failures are kept in {@link error})
	 */
	async refresh(): Promise<void> {
		this.error = undefined;
		try {
			const { loadCacheCap } = await this.#cacheModule();
			this.cap = loadCacheCap(this.#deps.settings);
			const manager = this.#deps.manager;
			const [estimate, persisted, cached] = await Promise.all([
				manager?.estimate?.().catch(() => undefined),
				manager?.persisted?.().catch(() => undefined),
				this.#cache().then((c) => c.usage())
			]);
			this.used = estimate?.usage;
			this.quota = estimate?.quota;
			this.persisted = persisted;
			this.cached = cached;
		} catch (error) {
			this.error = error;
		}
	}

	/**
	 * Change the cap and evict at once what no longer fits.
	 * @param bytes - the new cap (clamped to the module's bounds)
	 * @returns when saved and evicted (failures are kept in {@link error})
	 */
	async setCap(bytes: number): Promise<void> {
		this.error = undefined;
		try {
			const { saveCacheCap } = await this.#cacheModule();
			if (!this.#deps.settings)
				throw new BrowserStorageError('site data is blocked, so the cache size cannot be saved');
			this.cap = saveCacheCap(this.#deps.settings, bytes);
			await (await this.#cache()).evict();
		} catch (error) {
			this.error = error;
		}
		const failed = this.error;
		await this.refresh();
		this.error ??= failed;
	}

	/**
	 * Remove every cached file's blocks from this device (messages' history is another database
	 * and stays); files open again from the relays while they keep them.
	 * @returns when cleared (failures are kept in {@link error})
	 */
	async clear(): Promise<void> {
		if (this.busy) return;
		this.busy = true;
		this.error = undefined;
		try {
			await (await this.#cache()).clear();
		} catch (error) {
			this.error = error;
		} finally {
			this.busy = false;
		}
		const failed = this.error;
		await this.refresh();
		this.error ??= failed;
	}
}

/**
 * Pins with an expiry and a size. Helia's own pin records (in the datastore, under `/pin/`) carry
 * our bookkeeping in their metadata — `{ expires, size }` — so one atomic record holds both the pin
 * and its expiry, and a restart reloads everything from the datastore. This class keeps an index
 * in memory for quota checks and the expiry sweep.
 *
 * Known upstream issue (helia 7.1.15, `PinsImpl.rm`): removing a pin filters each block's
 * `pinnedBy` list the wrong way round (it keeps only the removed root). The per-block `pinCount`
 * stays right, so GC is only affected when a root is unpinned and later pinned again while another
 * still-pinned root shares blocks with it. Encrypted payloads practically never share blocks across
 * roots, and a re-upload of a pinned root only extends its expiry here (no second pin).
 */
import type { GraphWalkerFactory, Helia } from '@helia/interface';
import { CID } from 'multiformats/cid';
import { QuotaExceededError } from '../../src/lib/core/errors.ts';
import { cidKey } from './car.ts';

/** One pinned root as the relay sees it. */
export interface PinRecord {
	cid: CID;
	/** Expiry, ms since the epoch. */
	expires: number;
	/** Bytes of the DAG's blocks when it was pinned. */
	size: number;
	/** Number of blocks in the DAG when it was pinned. */
	blocks: number;
}

/** Drain an async iterable (pins.add / pins.rm yield each block they visit). */
async function drain(source: AsyncIterable<unknown>): Promise<void> {
	for await (const _ of source);
}

/** Bookkeeping of the relay's pins on top of `helia.pins`. */
export class PinBook {
	readonly #helia: Helia;
	readonly #quotaBytes: number;
	readonly #records = new Map<string, PinRecord>();
	readonly #adding = new Map<string, Promise<PinRecord>>();
	#pinnedBytes = 0;
	#reservedBytes = 0;

	/**
	 * @param helia - the node whose pins hold the records
	 * @param quotaBytes - most bytes of pinned DAGs (plus reservations of uploads in progress)
	 */
	constructor(helia: Helia, quotaBytes: number) {
		this.#helia = helia;
		this.#quotaBytes = quotaBytes;
	}

	/** Pins the relay made (others' pins, without our metadata, are left alone and not counted). */
	get count(): number {
		return this.#records.size;
	}

	/** Sum of pinned DAG sizes. */
	get pinnedBytes(): number {
		return this.#pinnedBytes;
	}

	/** The quota this book enforces. */
	get quotaBytes(): number {
		return this.#quotaBytes;
	}

	/**
	 * Load the records from Helia's datastore (at start).
	 * @param signal - cancels the scan
	 */
	async load(signal?: AbortSignal): Promise<void> {
		for await (const pin of this.#helia.pins.ls({ signal })) {
			const { expires, size, blocks } = pin.metadata;
			if (typeof expires !== 'number' || typeof size !== 'number') continue;
			this.#set({ cid: pin.cid, expires, size, blocks: typeof blocks === 'number' ? blocks : 0 });
		}
	}

	/**
	 * The record of a pinned root.
	 * @param cid - the root
	 * @returns its record, or undefined when the relay has not pinned it
	 */
	get(cid: CID): PinRecord | undefined {
		return this.#records.get(cidKey(cid));
	}

	/**
	 * Reserve quota for data about to be pinned, so concurrent uploads cannot together overshoot.
	 * @param bytes - bytes the caller will pin
	 * @returns a function that returns the reservation (call it once the pin is recorded or failed)
	 * @throws {QuotaExceededError} when pinned + reserved + bytes would pass the quota
	 */
	reserve(bytes: number): () => void {
		const free = this.#quotaBytes - this.#pinnedBytes - this.#reservedBytes;
		if (bytes > free) throw new QuotaExceededError(bytes, Math.max(0, free));
		this.#reservedBytes += bytes;
		let released = false;
		return () => {
			if (released) return;
			released = true;
			this.#reservedBytes -= bytes;
		};
	}

	/**
	 * Whether `bytes` more would still fit (an early check while an upload streams in).
	 * @param bytes - bytes the caller has so far
	 * @returns false once they would not fit
	 */
	fits(bytes: number): boolean {
		return bytes <= this.#quotaBytes - this.#pinnedBytes - this.#reservedBytes;
	}

	/**
	 * Pin a root whose blocks are all present locally, recording its expiry and size. The caller
	 * makes the datastore durable afterwards.
	 * @param cid - the root (pinned in its CIDv1 form)
	 * @param expires - expiry, ms since the epoch
	 * @param size - bytes of the DAG
	 * @param blocks - blocks in the DAG
	 * @param signal - cancels the walk
	 * @param walker - how to walk the DAG (default: Helia's, reading the blockstore)
	 * @returns the record
	 */
	async add(
		cid: CID,
		expires: number,
		size: number,
		blocks: number,
		signal?: AbortSignal,
		walker?: GraphWalkerFactory
	): Promise<PinRecord> {
		const key = cidKey(cid);
		// Two requests pinning the same root at once: the second waits for the first, then extends.
		const pending = this.#adding.get(key);
		if (pending !== undefined) {
			await pending.catch(() => {});
			return this.add(cid, expires, size, blocks, signal, walker);
		}
		if (this.#records.has(key)) return this.extend(cid, expires);
		const run = this.#pin(cid.toV1(), expires, size, blocks, signal, walker);
		this.#adding.set(key, run);
		try {
			return await run;
		} finally {
			this.#adding.delete(key);
		}
	}

	async #pin(
		root: CID,
		expires: number,
		size: number,
		blocks: number,
		signal?: AbortSignal,
		walker?: GraphWalkerFactory
	): Promise<PinRecord> {
		const metadata = { expires, size, blocks };
		try {
			// `offline`: the blocks are local; a missing one must fail rather than wait on the network.
			await drain(
				this.#helia.pins.add(root, { metadata, signal, walker, offline: true } as Parameters<Helia['pins']['add']>[1])
			);
		} catch (err) {
			if ((err as Error).name !== 'AlreadyPinnedError') throw err;
			// Pinned outside this book (an operator, an older relay version): adopt it with our metadata.
			await this.#helia.pins.setMetadata(root, metadata);
		}
		const record = { cid: root, expires, size, blocks };
		this.#set(record);
		return record;
	}

	/**
	 * Move a pin's expiry later (never earlier).
	 * @param cid - a pinned root
	 * @param expires - the new expiry, ms since the epoch
	 * @returns the updated record
	 * @throws {Error} when the root is not pinned by the relay
	 */
	async extend(cid: CID, expires: number): Promise<PinRecord> {
		const record = this.get(cid);
		if (record === undefined) throw new Error(`${cid} is not pinned`);
		if (expires <= record.expires) return record;
		await this.#helia.pins.setMetadata(record.cid, { expires, size: record.size, blocks: record.blocks });
		const updated = { ...record, expires };
		this.#set(updated);
		return updated;
	}

	/**
	 * The records whose expiry is at or before `now`.
	 * @param now - ms since the epoch
	 */
	expired(now: number): PinRecord[] {
		return [...this.#records.values()].filter((r) => r.expires <= now);
	}

	/**
	 * Unpin a root (its blocks become garbage unless another pin holds them).
	 * @param cid - a pinned root
	 */
	async remove(cid: CID): Promise<void> {
		const record = this.get(cid);
		if (record === undefined) return;
		try {
			await drain(this.#helia.pins.rm(record.cid, { offline: true } as Parameters<Helia['pins']['rm']>[1]));
		} finally {
			// Helia deletes the pin record before walking the DAG; even if the walk fails (a block
			// lost on disk), the root is no longer pinned and must leave the books.
			this.#records.delete(cidKey(cid));
			this.#pinnedBytes -= record.size;
		}
	}

	#set(record: PinRecord): void {
		const key = cidKey(record.cid);
		const previous = this.#records.get(key);
		if (previous !== undefined) this.#pinnedBytes -= previous.size;
		this.#records.set(key, { ...record, cid: CID.asCID(record.cid) ?? record.cid });
		this.#pinnedBytes += record.size;
	}
}

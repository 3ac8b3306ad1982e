/**
 * The record store: where signed records (profiles, directory entries, trust statements,
 * mailbox entries, name index) are published and read (docs/net.md §Records).
 *
 * Every record that comes back is run through the core verifier (`checkRecord`) before anyone
 * sees it; what fails is dropped and counted, never returned (ARCHITECTURE.md §Signed graph
 * records: "clients ignore anything … that does not verify"). Adapters:
 * - {@link gunRecordStore}: Gun over the relay pool's WebSockets;
 * - {@link memoryRecordStore}: in memory, for unit tests of the layers above, with the same
 *   verification on write (like a relay) and on read (like a client).
 */
import type { SignedRecord, VerifiedRecord } from '../core/records.ts';

export { gunRecordStore, type GunRecordStoreOptions } from './record-store-gun.ts';
export { memoryRecordNetwork, memoryRecordStore, type MemoryRecordNetwork } from './record-store-memory.ts';
export { recordVerifier, winsOver, type RecordVerifier, type VerifierOptions } from './record-verifier.ts';

/** Options every call accepts. */
export interface CallOptions {
	signal?: AbortSignal;
}

/** Counters of what the store refused to return. */
export interface RecordStoreStats {
	/** Distinct records that failed verification and were dropped. */
	dropped: number;
	/** Distinct records that passed verification. */
	verified: number;
	/** Dropped records by error code (`ERR_BAD_SIGNATURE`, `ERR_NAMESPACE`, …). */
	droppedByCode: Readonly<Record<string, number>>;
}

/** Publish, read and follow signed records. */
export interface RecordStore {
	/**
	 * Publish a signed record, with exactly the state its signature covers.
	 * @param record - the output of `signRecord`
	 * @param opts - an optional AbortSignal
	 * @returns when a relay acknowledged that it stored the record
	 * @throws {RelayRefusedError} when the relays refused it (the relay's code in `reason`)
	 * @throws {RelayTimeoutError} when no relay acknowledged it in time
	 * @throws {NoRelayError} when no relay is connected
	 * @throws {AbortError} when aborted
	 */
	publish(record: SignedRecord, opts?: CallOptions): Promise<void>;
	/**
	 * Read one field: the verified record with the highest state any relay returned.
	 * @param soul - a Miaou soul (`soulFor(…)`)
	 * @param key - the field
	 * @param opts - an optional AbortSignal
	 * @returns the record, or undefined when none verified
	 * @throws {NamespaceError} when `soul` is not a Miaou soul
	 * @throws {AbortError} when aborted
	 */
	read(soul: string, key: string, opts?: CallOptions): Promise<VerifiedRecord | undefined>;
	/**
	 * Read every field of a soul (e.g. a mailbox), each the verified record with the highest state.
	 * @param soul - a Miaou soul
	 * @param opts - an optional AbortSignal
	 * @returns the verified records, by key
	 * @throws {NamespaceError} when `soul` is not a Miaou soul
	 * @throws {AbortError} when aborted
	 */
	readAll(soul: string, opts?: CallOptions): Promise<VerifiedRecord[]>;
	/**
	 * Follow a soul: `onRecord` gets every verified record already known and each newer one
	 * as it arrives (per key, only a state above the last one delivered).
	 * @param soul - a Miaou soul
	 * @param onRecord - called once per new verified record
	 * @param opts - aborting the signal unsubscribes
	 * @returns a function that unsubscribes
	 * @throws {NamespaceError} when `soul` is not a Miaou soul
	 */
	subscribe(soul: string, onRecord: (record: VerifiedRecord) => void, opts?: CallOptions): () => void;
	/** What was dropped so far. */
	stats(): RecordStoreStats;
}

/**
 * An in-memory record store, for unit tests of the layers above the network (messaging,
 * directory, trust). It keeps the contract of the Gun adapter: writes are checked as a relay
 * checks them (refused with the same error codes, a stale version refused), reads and
 * subscriptions verify every field and drop what fails. Several stores can share one
 * {@link MemoryRecordNetwork}, like clients of one relay; `inject` plays a lying relay.
 */
import { AbortError, RelayRefusedError } from '../core/errors.ts';
import { checkRecord, parseSoul, type SignedRecord, type VerifiedRecord } from '../core/records.ts';
import type { CallOptions, RecordStore } from './record-store.ts';
import { recordVerifier, winsOver, type VerifierOptions } from './record-verifier.ts';

/** The name memory "relays" report in errors. */
export const MEMORY_RELAY = 'memory:';

/** One field as the network holds it: nothing about it is trusted. */
export interface RawField {
	soul: string;
	key: string;
	value: unknown;
	state: number;
}

/** A shared in-memory graph standing for a relay (or a mesh of them). */
export interface MemoryRecordNetwork {
	/**
	 * Store a record the way a relay does: verified first, a version that loses to the held one
	 * refused.
	 * @throws {RelayRefusedError} with the verifier's code, or `ERR_STALE_RECORD`
	 */
	publish(record: SignedRecord): Promise<void>;
	/** Store a field with no check at all, as a malicious or broken relay would serve it. */
	inject(field: RawField): void;
	/** The fields held under a soul. */
	fields(soul: string): RawField[];
	/**
	 * Be told of every field stored under `soul` from now on.
	 * @returns a function that stops it
	 */
	watch(soul: string, listener: (field: RawField) => void): () => void;
}

/**
 * Create an empty network.
 * @param opts - what the "relay" verifies with (Ed25519 implementation, clock, PoW bits)
 * @returns the network
 */
export function memoryRecordNetwork(opts: VerifierOptions = {}): MemoryRecordNetwork {
	const graph = new Map<string, Map<string, RawField>>();
	const watchers = new Map<string, Set<(field: RawField) => void>>();
	const checkOptions = {
		...(opts.ed25519 ? { ed25519: opts.ed25519 } : {}),
		...(opts.now ? { now: opts.now } : {}),
		...(opts.powBits !== undefined ? { powBits: opts.powBits } : {})
	};
	const store = (field: RawField): void => {
		let node = graph.get(field.soul);
		if (!node) graph.set(field.soul, (node = new Map()));
		node.set(field.key, { ...field });
		for (const listener of [...(watchers.get(field.soul) ?? [])]) listener({ ...field });
	};
	return {
		async publish(record) {
			const outcome = await checkRecord(record, checkOptions);
			if (!outcome.ok) throw new RelayRefusedError(MEMORY_RELAY, outcome.error.code, outcome.error.message);
			const held = graph.get(record.soul)?.get(record.key);
			if (held && typeof held.value === 'string') {
				if (held.state === record.state && held.value === record.value) return;
				if (!winsOver(record.state, record.value, held.state, held.value))
					throw new RelayRefusedError(MEMORY_RELAY, 'ERR_STALE_RECORD', 'a newer version is already stored');
			}
			store(record);
		},
		inject: store,
		fields: (soul) => [...(graph.get(soul)?.values() ?? [])].map((f) => ({ ...f })),
		watch(soul, listener) {
			let set = watchers.get(soul);
			if (!set) watchers.set(soul, (set = new Set()));
			set.add(listener);
			return () => {
				set.delete(listener);
				if (set.size === 0) watchers.delete(soul);
			};
		}
	};
}

/**
 * Create a store over a memory network.
 * @param opts - the network to share (default: a new one) and what reads verify with
 * @returns a {@link RecordStore}
 * @example const net = memoryRecordNetwork(); const alice = memoryRecordStore({ network: net })
 */
export function memoryRecordStore(opts: VerifierOptions & { network?: MemoryRecordNetwork } = {}): RecordStore {
	const network = opts.network ?? memoryRecordNetwork(opts);
	const verifier = recordVerifier(opts);

	const best = async (fields: RawField[]): Promise<VerifiedRecord | undefined> => {
		let winner: VerifiedRecord | undefined;
		for (const field of fields) {
			const record = await verifier.verify(field);
			if (record && (!winner || winsOver(record.state, record.value, winner.state, winner.value))) winner = record;
		}
		return winner;
	};
	const aborted = (signal: AbortSignal | undefined, what: string): void => {
		if (signal?.aborted) throw new AbortError(what);
	};

	return {
		async publish(record, o: CallOptions = {}) {
			aborted(o.signal, 'Publishing the record');
			await network.publish(record);
		},
		async read(soul, key, o: CallOptions = {}) {
			parseSoul(soul);
			aborted(o.signal, 'Reading the record');
			const record = await best(network.fields(soul).filter((f) => f.key === key));
			aborted(o.signal, 'Reading the record');
			return record;
		},
		async readAll(soul, o: CallOptions = {}) {
			parseSoul(soul);
			aborted(o.signal, 'Reading the records');
			const byKey = new Map<string, RawField[]>();
			for (const f of network.fields(soul)) byKey.set(f.key, [...(byKey.get(f.key) ?? []), f]);
			const out: VerifiedRecord[] = [];
			for (const key of [...byKey.keys()].sort()) {
				const record = await best(byKey.get(key)!);
				if (record) out.push(record);
			}
			aborted(o.signal, 'Reading the records');
			return out;
		},
		subscribe(soul, onRecord, o: CallOptions = {}) {
			parseSoul(soul);
			const delivered = new Map<string, { state: number; value: string }>();
			let active = !o.signal?.aborted;
			// Deliveries are chained so that records reach the listener in arrival order.
			let queue = Promise.resolve();
			const consider = (field: RawField): void => {
				queue = queue.then(async () => {
					const record = await verifier.verify(field);
					if (!active || !record) return;
					const last = delivered.get(record.key);
					if (last && !winsOver(record.state, record.value, last.state, last.value)) return;
					delivered.set(record.key, { state: record.state, value: record.value });
					try {
						onRecord(record);
					} catch {
						// A listener's failure must not stop the subscription.
					}
				});
			};
			const stop = network.watch(soul, consider);
			for (const field of network.fields(soul)) consider(field);
			const unsubscribe = (): void => {
				active = false;
				stop();
				o.signal?.removeEventListener('abort', unsubscribe);
			};
			if (!active) stop();
			else o.signal?.addEventListener('abort', unsubscribe, { once: true });
			return unsubscribe;
		},
		stats: () => verifier.stats()
	};
}

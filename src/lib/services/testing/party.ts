/**
 * Test support for the services: a party (identity, stores, prekeys, contacts, messenger) over
 * the in-memory record network and blob store — the same interfaces as the Gun and relay
 * adapters, with the same verification — and a wait helper.
 */
import { createIdentity, type Identity } from '../../core/identity.ts';
import type { Clock } from '../../core/random.ts';
import { nodeEd25519 } from '../../node/ed25519-node.ts';
import { memoryBlobStore, type BlobStore } from '../../net/blob-store.ts';
import { memoryOutboxStorage, type OutboxStorage } from '../../net/outbox.ts';
import type { RecordStore } from '../../net/record-store.ts';
import { memoryRecordStore, type MemoryRecordNetwork } from '../../net/record-store-memory.ts';
import { createContactBook, memoryContactStorage, type ContactStorage } from '../contacts.ts';
import { memoryHistoryStorage, type HistoryStorage } from '../history.ts';
import { createMessenger, type Messenger, type MessengerOptions } from '../messaging.ts';
import { createPrekeyKeeper, memoryPrekeyStorage, type PrekeyStorage } from '../prekeys.ts';
import { memorySessionStorage, type SessionStorage } from '../sessions.ts';

/** Node's Ed25519, for speed in tests. */
export const ed25519 = nodeEd25519;
/** Proof-of-work bits unit tests use (the relay default is 16). */
export const TEST_POW_BITS = 8;

/** Everything a party keeps between runs: pass it again to "restart" the same person. */
export interface PartyState {
	identity: Identity;
	outbox: OutboxStorage;
	sessions: SessionStorage;
	history: HistoryStorage;
	prekeys: PrekeyStorage;
	contacts: ContactStorage;
}

/** One person with a messenger. */
export interface Party {
	name: string;
	state: PartyState;
	records: RecordStore;
	messenger: Messenger;
	errors: unknown[];
}

/**
 * A fresh party state (a new identity, empty storages).
 * @returns the state
 */
export function newPartyState(): PartyState {
	return {
		identity: createIdentity(),
		outbox: memoryOutboxStorage(),
		sessions: memorySessionStorage(),
		history: memoryHistoryStorage(),
		prekeys: memoryPrekeyStorage(),
		contacts: memoryContactStorage()
	};
}

/**
 * Make a party's messenger over a shared network (or a given record store) and blob store, and
 * publish its profile.
 * @param name - display name
 * @param env - the network or record store, blob store, clock, and overrides
 * @returns the party (messenger not started)
 */
export async function makeParty(
	name: string,
	env: {
		/** The shared in-memory network; ignored when `records` is given. */
		network?: MemoryRecordNetwork;
		/** A record store to use instead (e.g. Gun over a real relay). */
		records?: RecordStore;
		blobs: BlobStore;
		now?: Clock;
		state?: PartyState;
		powBits?: number;
		publish?: boolean;
		options?: Partial<MessengerOptions>;
	}
): Promise<Party> {
	const state = env.state ?? newPartyState();
	const now = env.now;
	const records =
		env.records ??
		memoryRecordStore({
			...(env.network ? { network: env.network } : {}),
			ed25519,
			powBits: TEST_POW_BITS,
			...(now ? { now } : {})
		});
	const prekeys = createPrekeyKeeper({ identity: state.identity, storage: state.prekeys, ...(now ? { now } : {}) });
	const contacts = createContactBook({ me: state.identity.id, storage: state.contacts, ...(now ? { now } : {}) });
	const errors: unknown[] = [];
	const messenger = createMessenger({
		identity: state.identity,
		records,
		blobs: env.blobs,
		outbox: state.outbox,
		sessions: state.sessions,
		history: state.history,
		prekeys,
		contacts,
		ed25519,
		powBits: env.powBits ?? TEST_POW_BITS,
		onError: (error) => errors.push(error),
		...(now ? { now } : {}),
		...env.options
	});
	if (env.publish !== false) await messenger.profiles.publish({ name, relays: ['https://relay.example'] });
	return { name, state, records, messenger, errors };
}

/**
 * Wait until `check` returns a truthy value, polling every few milliseconds.
 * @param check - the condition (may be async)
 * @param what - described in the timeout error
 * @param timeoutMs - how long to wait at most
 * @returns the truthy value
 * @throws {Error} after `timeoutMs`
 */
export async function waitFor<T>(
	check: () => T | Promise<T>,
	what: string,
	timeoutMs = 10_000
): Promise<NonNullable<T>> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value) return value as NonNullable<T>;
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}

/**
 * The memory blob store, whose `put` waits until `open()` is called: a relay that takes its time,
 * so a test can look at the outbox while envelopes are queued.
 * @returns the store and the function that lets puts through
 */
export function gatedBlobs(): BlobStore & { open(): void } {
	const inner = memoryBlobStore();
	let open!: () => void;
	const gate = new Promise<void>((resolve) => (open = resolve));
	return {
		...inner,
		put: async (bytes, opts) => {
			await gate;
			return inner.put(bytes, opts);
		},
		open
	};
}

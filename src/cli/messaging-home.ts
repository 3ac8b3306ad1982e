/**
 * The CLI's messaging state in the data directory (docs/cli.md "Data directory"), wired to the
 * services (src/lib/services): prekey secrets, ratchet sessions, contacts and history, each
 * sealed under a key derived from the unlocked identity (services/at-rest.ts), and the outbox of
 * envelopes not yet stored by a relay. A lock file keeps a second command off the same files.
 *
 *   <home>/prekeys.bin    prekey secrets (sealed)          services/prekeys.ts slotPrekeyStorage
 *   <home>/sessions/      one file per contact (sealed)    services/session-file.ts
 *   <home>/contacts.bin   the contact list (sealed)        services/contacts.ts slotContactStorage
 *   <home>/history.bin    messages and mailbox bookkeeping (sealed)   history-file.ts
 *   <home>/outbox.json    envelopes waiting for a relay    net/outbox-file.ts
 *   <home>/messaging.lock held while a command uses the files above   lock.ts
 */
import { join } from 'node:path';
import type { Identity } from '../lib/core/identity.ts';
import { nodeEd25519 } from '../lib/node/ed25519-node.ts';
import type { BlobStore } from '../lib/net/blob-store.ts';
import { fileOutboxStorage } from '../lib/net/outbox-file.ts';
import type { OutboxItem, OutboxStorage } from '../lib/net/outbox.ts';
import type { RecordStore } from '../lib/net/record-store.ts';
import { deriveAtRestKey } from '../lib/services/at-rest.ts';
import { createContactBook, slotContactStorage, type ContactBook } from '../lib/services/contacts.ts';
import { createMessenger, type Messenger } from '../lib/services/messaging.ts';
import { createPrekeyKeeper, slotPrekeyStorage, type PrekeyKeeper } from '../lib/services/prekeys.ts';
import { createProfileService, type ProfileService } from '../lib/services/profile.ts';
import { fileSessionStorage } from '../lib/services/session-file.ts';
import { sealedSessionStorage, type SessionStorage } from '../lib/services/sessions.ts';
import { fileSlot } from '../lib/services/slot-file.ts';
import { wipeIdentity } from './commands/id.ts';
import type { CliIO, Globals } from './context.ts';
import { openFileHistory, type FileHistory } from './history-file.ts';
import { ensureHome } from './home.ts';
import type { IdentityFile } from './identity-file.ts';
import { lockHome, type HomeLock } from './lock.ts';
import { unlockIdentity } from './unlock.ts';

/** File names of the messaging state inside the data directory. */
export const PREKEYS_FILE = 'prekeys.bin';
export const SESSIONS_DIR = 'sessions';
export const CONTACTS_FILE = 'contacts.bin';
export const HISTORY_FILE = 'history.bin';
export const OUTBOX_FILE = 'outbox.json';

/** An outbox storage that knows how many items still wait for a relay. */
export interface WatchedOutboxStorage extends OutboxStorage {
	/** Items pending or sent (not yet stored by a relay, not failed). */
	waiting(): number;
	/** The last error of a waiting item, if any. */
	lastError(): string | undefined;
	/**
	 * Resolve once no item waits, or after `ms`.
	 * @returns whether the outbox drained
	 */
	drained(ms: number): Promise<boolean>;
}

/**
 * Watch an outbox storage: the outbox saves every state change and removes stored items, so the
 * storage sees when everything queued has reached a relay.
 * @param inner - the real storage (a file)
 * @returns the same storage, watched
 */
export function watchOutboxStorage(inner: OutboxStorage): WatchedOutboxStorage {
	const states = new Map<string, OutboxItem>();
	const listeners = new Set<() => void>();
	const changed = (): void => {
		for (const l of [...listeners]) l();
	};
	const waiting = (): number => [...states.values()].filter((i) => i.state === 'pending' || i.state === 'sent').length;
	return {
		async load() {
			const items = await inner.load();
			for (const item of items) states.set(item.id, item);
			return items;
		},
		async save(item) {
			await inner.save(item);
			states.set(item.id, structuredClone(item));
			changed();
		},
		async remove(id) {
			await inner.remove(id);
			states.delete(id);
			changed();
		},
		waiting,
		lastError() {
			for (const item of states.values())
				if ((item.state === 'pending' || item.state === 'sent') && item.lastError) return item.lastError.message;
			return undefined;
		},
		drained(ms) {
			return new Promise((resolve) => {
				const check = (): void => {
					if (waiting() > 0) return;
					finish(true);
				};
				const finish = (ok: boolean): void => {
					clearTimeout(timer);
					listeners.delete(check);
					resolve(ok);
				};
				const timer = setTimeout(() => finish(waiting() === 0), ms);
				listeners.add(check);
				check();
			});
		}
	};
}

/** The local messaging state of an unlocked identity. */
export interface LocalState {
	file: IdentityFile;
	identity: Identity;
	prekeys: PrekeyKeeper;
	contacts: ContactBook;
	history: FileHistory;
	sessions: SessionStorage;
	outbox: WatchedOutboxStorage;
	/** Save the history, release the lock, wipe the keys (idempotent). */
	close(): Promise<void>;
}

/**
 * Unlock the identity, lock the data directory and open the messaging state.
 * @param io - process surroundings (the passphrase)
 * @param g - global options (the data directory)
 * @returns the state; `close` it when done
 * @throws {NoIdentityError | WrongPassphraseError | NoPassphraseError} (from unlocking)
 * @throws {HomeBusyError} when another command uses the data directory
 * @throws {DecryptError | MalformedError | FileAccessError} when a state file is damaged
 */
export async function openLocalState(io: CliIO, g: Globals): Promise<LocalState> {
	const { file, identity } = await unlockIdentity(io, g);
	let lock: HomeLock | undefined;
	try {
		await ensureHome(g.home);
		lock = await lockHome(g.home);
		const key = (purpose: Parameters<typeof deriveAtRestKey>[1]): Uint8Array => deriveAtRestKey(identity, purpose);
		const prekeys = createPrekeyKeeper({
			identity,
			storage: slotPrekeyStorage(fileSlot(join(g.home, PREKEYS_FILE)), key('prekeys'))
		});
		const contacts = createContactBook({
			me: identity.id,
			storage: slotContactStorage(fileSlot(join(g.home, CONTACTS_FILE)), key('contacts'))
		});
		await contacts.load();
		const history = await openFileHistory(fileSlot(join(g.home, HISTORY_FILE)), key('history'));
		const sessions = sealedSessionStorage(fileSessionStorage(join(g.home, SESSIONS_DIR)), key('sessions'));
		const outbox = watchOutboxStorage(fileOutboxStorage(join(g.home, OUTBOX_FILE)));
		const held = lock;
		let closed = false;
		return {
			file,
			identity,
			prekeys,
			contacts,
			history,
			sessions,
			outbox,
			async close() {
				if (closed) return;
				closed = true;
				try {
					await history.flush();
				} finally {
					wipeIdentity(identity);
					await held.release();
				}
			}
		};
	} catch (err) {
		wipeIdentity(identity);
		await lock?.release();
		throw err;
	}
}

/**
 * The profile service of the local state over a record store.
 * @param local - the opened state
 * @param records - where profiles are published and read
 * @returns the service
 */
export function profileService(local: LocalState, records: RecordStore): ProfileService {
	return createProfileService({ identity: local.identity, records, prekeys: local.prekeys, ed25519: nodeEd25519 });
}

/**
 * The messenger of the local state over relays.
 * @param local - the opened state
 * @param records - the record store (mailboxes, profiles)
 * @param blobs - the blob store (envelopes)
 * @param onError - told of background failures
 * @returns the messenger (not started)
 */
export function openMessenger(
	local: LocalState,
	records: RecordStore,
	blobs: BlobStore,
	onError: (error: unknown) => void
): Messenger {
	return createMessenger({
		identity: local.identity,
		records,
		blobs,
		outbox: local.outbox,
		sessions: local.sessions,
		history: local.history,
		prekeys: local.prekeys,
		contacts: local.contacts,
		profiles: profileService(local, records),
		ed25519: nodeEd25519,
		onError
	});
}

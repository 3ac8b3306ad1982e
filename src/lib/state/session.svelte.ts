/**
 * The identity of this browser profile and whether it is unlocked.
 *
 *   loading ──► new ──(create | import)──► unlocked ◄──(unlock)── locked ◄── loading
 *                ▲                            │  └──────(lock)──────►┘
 *                └────────────(forget)────────┘
 *
 * At rest only the encrypted backup (keystore.ts) is stored (browser/key-storage.ts); the
 * decrypted identity lives in memory while unlocked and is dropped by `lock()` or a reload. The
 * net layer and the screens read `session.identity` when they need the keys.
 */
import { IdentityMismatchError, TooLargeError } from '../core/errors.ts';
import { createIdentity, shortFingerprint, type Identity, type MiaouId } from '../core/identity.ts';
import { readBackupId } from '../core/keystore.ts';
import { systemClock, type Clock } from '../core/random.ts';
import { workerKeyCrypto, type KdfRunOptions, type KeyCrypto } from '../browser/key-crypto.ts';
import {
	indexedDbKeyStorage,
	MAX_BACKUP_TEXT_LENGTH,
	type KeyStorage,
	type StoredIdentity
} from '../browser/key-storage.ts';
import { MIN_PASSPHRASE_LENGTH } from '../components/passphrase-strength.ts';
import { displayNameProblem, normalizeDisplayName } from './display-name.ts';

/** Where the session stands (see the diagram above). */
export type SessionStatus = 'loading' | 'new' | 'locked' | 'unlocked' | 'unavailable';

/** The public facts of the stored identity, readable while locked. */
export interface Profile {
	id: MiaouId;
	displayName: string;
	fingerprint: string;
	createdAt: number;
}

/** What a session is made of; tests pass memory storage and a cheap KDF. */
export interface SessionDeps {
	storage: KeyStorage;
	crypto: KeyCrypto;
	clock?: Clock;
	/** Makes new identities; default core's createIdentity. */
	generate?: () => Identity;
}

/** A backup file for download. */
export interface BackupFile {
	name: string;
	text: string;
}

function checkName(displayName: string): string {
	const name = normalizeDisplayName(displayName);
	const problem = displayNameProblem(name);
	if (problem) throw new RangeError(`display name is ${problem}`);
	return name;
}

/** The identity of this browser profile, reactive. */
export class Session {
	#deps: SessionDeps;
	#status = $state<SessionStatus>('loading');
	#stored = $state.raw<StoredIdentity | undefined>(undefined);
	#identity = $state.raw<Identity | undefined>(undefined);
	#loadError = $state.raw<unknown>(undefined);
	#busy = $state(false);
	#progress = $state<number | undefined>(undefined);
	#loading: Promise<void> | undefined;
	#profile = $derived.by<Profile | undefined>(() => {
		const s = this.#stored;
		return s && { id: s.id, displayName: s.displayName, fingerprint: shortFingerprint(s.id), createdAt: s.createdAt };
	});

	/**
	 * @param deps - storage, KDF runner, clock and identity factory
	 */
	constructor(deps: SessionDeps) {
		this.#deps = deps;
	}

	/** Where the session stands. */
	get status(): SessionStatus {
		return this.#status;
	}
	/** The stored identity's public facts (also while locked); undefined when there is none. */
	get profile(): Profile | undefined {
		return this.#profile;
	}
	/** The unlocked identity, secrets included; undefined unless unlocked. */
	get identity(): Identity | undefined {
		return this.#identity;
	}
	/** Why loading failed, when status is 'unavailable'. */
	get loadError(): unknown {
		return this.#loadError;
	}
	/** True while a create / import / unlock runs its KDF. */
	get busy(): boolean {
		return this.#busy;
	}
	/** The running KDF's progress, 0 to 1, or undefined when none runs. */
	get progress(): number | undefined {
		return this.#progress;
	}

	/**
	 * Read the stored identity: status becomes 'new' (none), 'locked', or 'unavailable' (storage
	 * failed; `loadError` says why, and calling load again retries).
	 *
	 * Calls while a load runs share it, and a load never drops unlocked keys or races a running
	 * KDF: only lock() and forget() end an unlocked session, so a second mount of the layout or a
	 * late retry cannot send the person back to the unlock screen.
	 * @returns when the stored identity has been read (at once when unlocked or busy)
	 */
	load(): Promise<void> {
		if (this.#status === 'unlocked' || this.#busy) return Promise.resolve();
		return (this.#loading ??= this.#load().finally(() => (this.#loading = undefined)));
	}

	async #load(): Promise<void> {
		this.#status = 'loading';
		try {
			this.#stored = await this.#deps.storage.load();
			this.#loadError = undefined;
			this.#identity = undefined;
			this.#status = this.#stored ? 'locked' : 'new';
		} catch (error) {
			this.#loadError = error;
			this.#status = 'unavailable';
		}
	}

	async #kdf<T>(run: (options: KdfRunOptions) => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
		if (this.#busy) throw new RangeError('another key operation is running');
		this.#busy = true;
		this.#progress = 0;
		try {
			return await run({ ...(signal ? { signal } : {}), onProgress: (f) => (this.#progress = f) });
		} finally {
			this.#busy = false;
			this.#progress = undefined;
		}
	}

	#expect(status: SessionStatus, action: string) {
		if (this.#status !== status) throw new RangeError(`cannot ${action} while the session is ${this.#status}`);
	}

	/**
	 * Make a new identity, encrypt it under `passphrase`, store it, and unlock.
	 * @param displayName - the name to show (cleaned by normalizeDisplayName)
	 * @param passphrase - at least MIN_PASSPHRASE_LENGTH characters
	 * @param signal - cancels the KDF
	 * @returns the new identity
	 * @throws {RangeError} when not in state 'new', on a bad name or a short passphrase
	 * @throws {BrowserStorageError} when the browser refuses to store it (nothing is kept then)
	 * @throws {AbortError} when `signal` aborts
	 */
	async create(displayName: string, passphrase: string, signal?: AbortSignal): Promise<Identity> {
		this.#expect('new', 'create an identity');
		const name = checkName(displayName);
		if ([...passphrase].length < MIN_PASSPHRASE_LENGTH)
			throw new RangeError(`passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters`);
		const identity = (this.#deps.generate ?? createIdentity)();
		const backup = await this.#kdf((o) => this.#deps.crypto.seal(identity, passphrase, o), signal);
		return this.#keep(identity, backup, name);
	}

	/**
	 * Open a backup made on another device (or earlier), store it as is, and unlock.
	 * @param text - the backup text (from a file or pasted)
	 * @param passphrase - the backup's passphrase
	 * @param displayName - the name to show on this device
	 * @param signal - cancels the KDF
	 * @returns the identity inside
	 * @throws {RangeError} when not in state 'new' or on a bad name
	 * @throws {TooLargeError} over MAX_BACKUP_TEXT_LENGTH, before anything is parsed
	 * @throws {MalformedError | UnsupportedVersionError | InvalidIdError} for a damaged or foreign backup
	 * @throws {WrongPassphraseError} when the passphrase does not open it
	 * @throws {BrowserStorageError} when the browser refuses to store it
	 */
	async importBackup(text: string, passphrase: string, displayName: string, signal?: AbortSignal): Promise<Identity> {
		this.#expect('new', 'import a backup');
		if (text.length > MAX_BACKUP_TEXT_LENGTH)
			throw new TooLargeError('Key backup', text.length, MAX_BACKUP_TEXT_LENGTH);
		const name = checkName(displayName);
		const backup = text.trim();
		const claimed = readBackupId(backup); // checks the clear part before the KDF runs
		const identity = await this.#kdf((o) => this.#deps.crypto.open(backup, passphrase, o), signal);
		if (identity.id !== claimed) throw new IdentityMismatchError(claimed, identity.id);
		return this.#keep(identity, backup, name);
	}

	async #keep(identity: Identity, backup: string, displayName: string): Promise<Identity> {
		const now = (this.#deps.clock ?? systemClock)();
		const record: StoredIdentity = {
			version: 1,
			id: identity.id,
			displayName,
			backup,
			createdAt: identity.createdAt,
			savedAt: now
		};
		await this.#deps.storage.save(record);
		this.#stored = record;
		this.#identity = identity;
		this.#status = 'unlocked';
		return identity;
	}

	/**
	 * Decrypt the stored backup with `passphrase`. On a wrong passphrase nothing changes: the
	 * session stays locked and the stored backup is untouched.
	 * @param passphrase - the passphrase
	 * @param signal - cancels the KDF
	 * @returns the identity
	 * @throws {RangeError} when not locked
	 * @throws {WrongPassphraseError} on a wrong passphrase
	 * @throws {IdentityMismatchError} when the stored keys are for another id than the record says
	 */
	async unlock(passphrase: string, signal?: AbortSignal): Promise<Identity> {
		this.#expect('locked', 'unlock');
		const stored = this.#stored;
		if (!stored) throw new RangeError('nothing is stored');
		const identity = await this.#kdf((o) => this.#deps.crypto.open(stored.backup, passphrase, o), signal);
		if (identity.id !== stored.id) throw new IdentityMismatchError(stored.id, identity.id);
		this.#identity = identity;
		this.#status = 'unlocked';
		return identity;
	}

	/** Forget the decrypted keys; the encrypted backup stays stored. No-op unless unlocked. */
	lock(): void {
		if (this.#status !== 'unlocked') return;
		this.#identity = undefined;
		this.#status = 'locked';
	}

	/**
	 * Change the display name (public, so no passphrase needed).
	 * @param displayName - the new name
	 * @throws {RangeError} on a bad name or when no identity is stored
	 * @throws {BrowserStorageError} when the browser refuses the write
	 */
	async rename(displayName: string): Promise<void> {
		const stored = this.#stored;
		if (!stored) throw new RangeError('no identity is stored');
		const record = { ...stored, displayName: checkName(displayName), savedAt: (this.#deps.clock ?? systemClock)() };
		await this.#deps.storage.save(record);
		this.#stored = record;
	}

	/**
	 * Delete the stored identity from this browser and drop it from memory.
	 * @throws {BrowserStorageError} when the browser refuses the delete (the identity is then kept)
	 */
	async forget(): Promise<void> {
		await this.#deps.storage.clear();
		this.#stored = undefined;
		this.#identity = undefined;
		this.#status = 'new';
	}

	/**
	 * The stored encrypted backup as a file to download: the same text, still sealed with the
	 * passphrase, so exporting needs no passphrase and no KDF run.
	 * @returns file name and text
	 * @throws {RangeError} when no identity is stored
	 */
	backupFile(): BackupFile {
		const stored = this.#stored;
		if (!stored) throw new RangeError('no identity is stored');
		return { name: `miaou-backup-${shortFingerprint(stored.id)}.json`, text: `${stored.backup}\n` };
	}
}

/** The app's one session: IndexedDB storage, KDF in a Web Worker. */
export const session = new Session({ storage: indexedDbKeyStorage(), crypto: workerKeyCrypto() });

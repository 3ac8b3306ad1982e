/**
 * My prekeys (docs/messaging.md §Prekeys): the secrets behind the signed prekey and the one-time
 * prekeys my profile publishes (X3DH spec §3.2), kept across runs, rotated and replenished.
 *
 * - The signed prekey is replaced every {@link SIGNED_PREKEY_ROTATION_MS} (X3DH §3.2 "Bob will
 *   upload a new signed prekey … at some interval"); the previous one is kept, so first contacts
 *   made from an older copy of my profile still open (X3DH §4.6 recommends keeping it "for some
 *   period of time").
 * - One-time prekeys are topped up to {@link ONE_TIME_PREKEY_TARGET} once fewer than
 *   {@link ONE_TIME_PREKEY_LOW_WATER} are left.
 * - A used one-time prekey leaves the published list at once, but its secret is kept
 *   {@link USED_ONE_TIME_PREKEY_GRACE_MS} more. There is no server handing each prekey out once
 *   (X3DH §3.2 assumes one): two senders may pick the same prekey from the same copy of my
 *   profile, and without the grace the second first contact could never be opened. A replayed
 *   first contact still gains nothing: a live session answers it as a replay, and the
 *   messenger dedupes by message id.
 */
import { fromBase64url, toBase64url, utf8, fromUtf8 } from '../core/bytes.ts';
import { MalformedError, TooLargeError, UnsupportedVersionError } from '../core/errors.ts';
import { MAX_ONE_TIME_PREKEYS } from '../core/records.ts';
import { randomBytes as defaultRandom, systemClock, type Clock, type RandomBytes } from '../core/random.ts';
import { agreementKeyPairFromSecret, type AgreementKeyPair } from '../core/x25519.ts';
import {
	createOneTimePrekeys,
	createSignedPrekey,
	MAX_PREKEY_ID,
	type IdentityKeys,
	type OneTimePrekey,
	type PrekeyStore,
	type SignedPrekey
} from '../core/x3dh.ts';
import { openAtRest, sealAtRest } from './at-rest.ts';
import type { StorageCallOptions } from './sessions.ts';
import type { ByteSlot } from './slot.ts';

/** A new signed prekey is made after this long. */
export const SIGNED_PREKEY_ROTATION_MS = 7 * 24 * 3600_000;
/** Signed prekeys kept: the current one and the one before. */
export const SIGNED_PREKEYS_KEPT = 2;
/** One-time prekeys kept ready (and published). */
export const ONE_TIME_PREKEY_TARGET = 50;
/** Below this many unused one-time prekeys, new ones are made up to the target. */
export const ONE_TIME_PREKEY_LOW_WATER = 20;
/** How long a used one-time prekey's secret is kept for a second sender who picked it too. */
export const USED_ONE_TIME_PREKEY_GRACE_MS = 2 * 24 * 3600_000;
/** Most used one-time prekeys kept in their grace period. */
export const MAX_RETIRED_ONE_TIME_PREKEYS = 1000;
/** Version of {@link encodePrekeyState}. */
export const PREKEY_STATE_VERSION = 1;
/** Largest encoded prekey state read, checked before parsing. */
export const MAX_PREKEY_STATE_BYTES = 512 * 1024;

/** A used one-time prekey, kept for the grace period. */
export interface RetiredOneTimePrekey extends OneTimePrekey {
	readonly retiredAt: number;
}

/** Everything about my prekeys that must survive a restart (secrets included). */
export interface PrekeyState {
	/** Newest first; the first is the one published. */
	signed: SignedPrekey[];
	/** Unused one-time prekeys, oldest first. */
	oneTime: OneTimePrekey[];
	retired: RetiredOneTimePrekey[];
	nextSignedId: number;
	nextOneTimeId: number;
}

/** Where the prekey state is kept. */
export interface PrekeyStorage {
	/** The saved state, or undefined before the first save. */
	load(opts?: StorageCallOptions): Promise<PrekeyState | undefined>;
	/** Replace the saved state. */
	save(state: PrekeyState, opts?: StorageCallOptions): Promise<void>;
}

const copyState = (state: PrekeyState): PrekeyState => structuredClone(state);

/**
 * Prekey state in memory (tests; a session that must not persist).
 * @returns the storage
 */
export function memoryPrekeyStorage(): PrekeyStorage {
	let saved: PrekeyState | undefined;
	return {
		async load() {
			return saved && copyState(saved);
		},
		async save(state) {
			saved = copyState(state);
		}
	};
}

/**
 * Encode a prekey state as versioned JSON (UTF-8), secrets in base64url; public keys are derived
 * again on load. Seal it before storing it (see {@link slotPrekeyStorage}).
 * @param state - the state
 * @returns the bytes
 */
export function encodePrekeyState(state: PrekeyState): Uint8Array {
	return utf8(
		JSON.stringify({
			v: PREKEY_STATE_VERSION,
			signed: state.signed.map((p) => ({
				id: p.id,
				secret: toBase64url(p.keyPair.secretKey),
				sig: toBase64url(p.signature),
				createdAt: p.createdAt
			})),
			oneTime: state.oneTime.map((p) => ({ id: p.id, secret: toBase64url(p.keyPair.secretKey) })),
			retired: state.retired.map((p) => ({
				id: p.id,
				secret: toBase64url(p.keyPair.secretKey),
				retiredAt: p.retiredAt
			})),
			nextSignedId: state.nextSignedId,
			nextOneTimeId: state.nextOneTimeId
		})
	);
}

function field(value: unknown, check: (v: unknown) => boolean, what: string): unknown {
	if (!check(value)) throw new MalformedError('Prekey state', what);
	return value;
}
const isId = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_PREKEY_ID;
const isTime = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isList = (max: number) => (v: unknown) => Array.isArray(v) && v.length <= max;

function keyPair(value: unknown): AgreementKeyPair {
	if (typeof value !== 'string') throw new MalformedError('Prekey state', 'a secret is not a string');
	const secret = fromBase64url(value);
	if (secret.length !== 32) throw new MalformedError('Prekey state', 'a secret is not 32 bytes');
	return agreementKeyPairFromSecret(secret);
}

function entry(value: unknown): Record<string, unknown> {
	if (typeof value !== 'object' || value === null)
		throw new MalformedError('Prekey state', 'an entry is not an object');
	return value as Record<string, unknown>;
}

/**
 * Decode {@link encodePrekeyState}'s output, size-checked first.
 * @param bytes - the encoded state
 * @returns the state
 * @throws {TooLargeError} over {@link MAX_PREKEY_STATE_BYTES}
 * @throws {UnsupportedVersionError} on another version
 * @throws {MalformedError} when it does not parse or a field is out of range
 */
export function decodePrekeyState(bytes: Uint8Array): PrekeyState {
	if (bytes.length > MAX_PREKEY_STATE_BYTES)
		throw new TooLargeError('Prekey state', bytes.length, MAX_PREKEY_STATE_BYTES);
	let raw: unknown;
	try {
		raw = JSON.parse(fromUtf8(bytes));
	} catch {
		throw new MalformedError('Prekey state', 'not JSON');
	}
	const o = entry(raw);
	if (o.v !== PREKEY_STATE_VERSION) throw new UnsupportedVersionError('Prekey state', String(o.v));
	const signed = field(o.signed, isList(SIGNED_PREKEYS_KEPT + 1), 'bad signed prekey list') as unknown[];
	const oneTime = field(o.oneTime, isList(10 * ONE_TIME_PREKEY_TARGET), 'bad one-time prekey list') as unknown[];
	const retired = field(o.retired, isList(MAX_RETIRED_ONE_TIME_PREKEYS), 'bad used prekey list') as unknown[];
	return {
		signed: signed.map((value) => {
			const p = entry(value);
			if (typeof p.sig !== 'string') throw new MalformedError('Prekey state', 'a signature is not a string');
			const signature = fromBase64url(p.sig);
			if (signature.length !== 64) throw new MalformedError('Prekey state', 'a signature is not 64 bytes');
			return {
				id: field(p.id, isId, 'bad signed prekey id') as number,
				keyPair: keyPair(p.secret),
				signature,
				createdAt: field(p.createdAt, isTime, 'bad creation time') as number
			};
		}),
		oneTime: oneTime.map((value) => {
			const p = entry(value);
			return { id: field(p.id, isId, 'bad one-time prekey id') as number, keyPair: keyPair(p.secret) };
		}),
		retired: retired.map((value) => {
			const p = entry(value);
			return {
				id: field(p.id, isId, 'bad one-time prekey id') as number,
				keyPair: keyPair(p.secret),
				retiredAt: field(p.retiredAt, isTime, 'bad retirement time') as number
			};
		}),
		nextSignedId: field(o.nextSignedId, isId, 'bad next signed prekey id') as number,
		nextOneTimeId: field(o.nextOneTimeId, isId, 'bad next one-time prekey id') as number
	};
}

/**
 * Prekey state sealed into a byte slot (a file for the CLI, an IndexedDB key for the web app).
 * @param slot - where the sealed bytes go
 * @param key - `deriveAtRestKey(identity, 'prekeys')`
 * @param random - nonce source
 * @returns the storage
 * @throws from `load`: {@link DecryptError} when the slot does not open with this key, and what
 *   {@link decodePrekeyState} throws
 */
export function slotPrekeyStorage(slot: ByteSlot, key: Uint8Array, random: RandomBytes = defaultRandom): PrekeyStorage {
	const context = 'prekeys';
	return {
		async load(opts) {
			const sealed = await slot.read(opts);
			return sealed && decodePrekeyState(openAtRest(key, sealed, context));
		},
		async save(state, opts) {
			await slot.write(sealAtRest(key, encodePrekeyState(state), context, random), opts);
		}
	};
}

/** What my profile should publish now. */
export interface PublishedPrekeys {
	signedPrekey: SignedPrekey;
	oneTimePrekeys: OneTimePrekey[];
}

/** Keeps my prekeys: the `PrekeyStore` openEnvelope reads, plus rotation and replenishment. */
export interface PrekeyKeeper {
	/**
	 * Load the saved state (or make a first one), then {@link PrekeyKeeper.maintain}.
	 * Idempotent: later calls only maintain.
	 * @returns whether the published prekeys changed (the profile should be published again)
	 */
	open(opts?: StorageCallOptions): Promise<boolean>;
	/**
	 * Rotate the signed prekey when due, forget expired ones, top up one-time prekeys; saves.
	 * @returns whether the published prekeys changed
	 */
	maintain(opts?: StorageCallOptions): Promise<boolean>;
	/** The store `openEnvelope` looks prekeys up in; a used one-time prekey is retired and saved. */
	readonly store: PrekeyStore;
	/**
	 * The signed prekey and one-time prekeys to publish.
	 * @throws {Error} before `open`
	 */
	published(): PublishedPrekeys;
	/** True when a one-time prekey was used or keys rotated since the last {@link markPublished}. */
	readonly stale: boolean;
	/** Note that the profile now lists {@link published}. */
	markPublished(): void;
}

/**
 * Create a prekey keeper.
 * @param opts - my identity, where the state is kept, clock and randomness
 * @returns the keeper; call `open()` first
 * @example const prekeys = createPrekeyKeeper({ identity, storage: memoryPrekeyStorage() }); await prekeys.open()
 */
export function createPrekeyKeeper(opts: {
	identity: IdentityKeys;
	storage: PrekeyStorage;
	now?: Clock;
	random?: RandomBytes;
}): PrekeyKeeper {
	const now = opts.now ?? systemClock;
	const random = opts.random ?? defaultRandom;
	let state: PrekeyState | undefined;
	let opening: Promise<void> | undefined;
	let stale = true;
	let saving: Promise<void> = Promise.resolve();

	const save = (o?: StorageCallOptions): Promise<void> => {
		const snapshot = copyState(state!);
		const done = saving.then(() => opts.storage.save(snapshot, o));
		saving = done.catch(() => {});
		return done;
	};

	const maintainState = (s: PrekeyState): boolean => {
		const t = now();
		let changed = false;
		const current = s.signed[0];
		if (!current || t - current.createdAt >= SIGNED_PREKEY_ROTATION_MS) {
			s.signed.unshift(createSignedPrekey(opts.identity.signing, s.nextSignedId, { random, now }));
			s.nextSignedId = (s.nextSignedId + 1) % (MAX_PREKEY_ID + 1);
			changed = true;
		}
		if (s.signed.length > SIGNED_PREKEYS_KEPT) s.signed.length = SIGNED_PREKEYS_KEPT;
		s.retired = s.retired
			.filter((p) => t - p.retiredAt < USED_ONE_TIME_PREKEY_GRACE_MS)
			.slice(-MAX_RETIRED_ONE_TIME_PREKEYS);
		if (s.oneTime.length < ONE_TIME_PREKEY_LOW_WATER) {
			const count = ONE_TIME_PREKEY_TARGET - s.oneTime.length;
			// Ids count up and wrap; a wrapped id cannot collide with a live one in practice (2^32 ids).
			const start = s.nextOneTimeId + count - 1 > MAX_PREKEY_ID ? 0 : s.nextOneTimeId;
			s.oneTime.push(...createOneTimePrekeys(start, count, random));
			s.nextOneTimeId = start + count;
			changed = true;
		}
		return changed;
	};

	const keeper: PrekeyKeeper = {
		async open(o) {
			opening ??= (async () => {
				const loaded = await opts.storage.load(o);
				state = loaded ?? { signed: [], oneTime: [], retired: [], nextSignedId: 1, nextOneTimeId: 1 };
			})().catch((error: unknown) => {
				opening = undefined;
				throw error;
			});
			await opening;
			return keeper.maintain(o);
		},
		async maintain(o) {
			if (!state) throw new Error('call open() first');
			const changed = maintainState(state);
			await save(o);
			if (changed) stale = true;
			return changed;
		},
		store: {
			signedPrekey: (id) => state?.signed.find((p) => p.id === id)?.keyPair,
			oneTimePrekey: (id) => {
				const live = state?.oneTime.find((p) => p.id === id);
				if (live) return live.keyPair;
				const retired = state?.retired.find((p) => p.id === id);
				return retired && now() - retired.retiredAt < USED_ONE_TIME_PREKEY_GRACE_MS ? retired.keyPair : undefined;
			},
			async removeOneTimePrekey(id) {
				if (!state) return;
				const index = state.oneTime.findIndex((p) => p.id === id);
				if (index < 0) return;
				const [used] = state.oneTime.splice(index, 1);
				state.retired.push({ ...used!, retiredAt: now() });
				stale = true;
				await save();
			}
		},
		published() {
			if (!state?.signed[0]) throw new Error('call open() first');
			return { signedPrekey: state.signed[0], oneTimePrekeys: state.oneTime.slice(0, MAX_ONE_TIME_PREKEYS) };
		},
		get stale() {
			return stale;
		},
		markPublished() {
			stale = false;
		}
	};
	return keeper;
}

/**
 * The Double Ratchet (Signal, "The Double Ratchet Algorithm", revision 1, 2016-11-20,
 * https://signal.org/docs/specifications/doubleratchet/), section 3, without header encryption:
 * the header travels inside the sealed envelope, so a relay never sees it anyway.
 *
 * Functions are pure over an immutable {@link RatchetState}: encrypt and decrypt return a new
 * state and leave the one they were given untouched. Decryption therefore works on a copy and the
 * caller commits the new state only on success — a forged, replayed or corrupted message can
 * never damage a session.
 *
 * Primitives (spec §5.2, "Recommended cryptographic algorithms"):
 * - GENERATE_DH / DH: X25519 (RFC 7748), all-zero outputs refused.
 * - KDF_RK(rk, dh_out): HKDF-SHA-256 with salt = rk, ikm = dh_out, info = "miaou/v1/ratchet-root",
 *   64 bytes → (new root key, chain key).
 * - KDF_CK(ck): HMAC-SHA-256(ck, 0x01) = message key, HMAC-SHA-256(ck, 0x02) = next chain key.
 * - ENCRYPT(mk, plaintext, ad): XSalsa20-Poly1305 (tweetnacl secretbox) under a key and nonce
 *   from HKDF-SHA-256(ikm = mk, salt = 32 zero bytes, info = "miaou/v1/message-aead" ‖ ad, 56).
 *   secretbox takes no associated data, so the AD is bound through the key derivation instead:
 *   a different AD gives an unrelated key, and Poly1305 rejects the ciphertext under it. Each
 *   message key is used once, so the derived key and nonce never repeat (spec §5.2 likewise
 *   derives key and IV from mk with HKDF).
 */
import nacl from 'tweetnacl';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { abytes, concat, equalBytes, toHex, utf8 } from './bytes.ts';
import {
	DecryptError,
	MalformedError,
	ReplayError,
	TooLargeError,
	TooOldError,
	UnsupportedVersionError
} from './errors.ts';
import { randomBytes as defaultRandom, type RandomBytes } from './random.ts';
import { generateAgreementKeyPair, x25519, X25519_KEY_LENGTH, type AgreementKeyPair } from './x25519.ts';

/** Most message keys skipped in one chain by one message (spec §3.5 MAX_SKIP). */
export const MAX_SKIP = 1000;
/** Most skipped message keys kept in all; beyond this the oldest are deleted (spec §6.4). */
export const MAX_SKIPPED_KEYS = 2000;
/**
 * How many past receiving ratchet keys are remembered, so that a late copy of a message from an
 * old chain is refused as a replay instead of being mistaken for a new DH ratchet step.
 */
export const MAX_PAST_RATCHET_KEYS = 100;
/** Highest message number a chain may reach; the header carries it as a 32-bit integer. */
export const MAX_CHAIN_LENGTH = 0xffff_ffff;
/** Version byte of {@link exportRatchetState}. */
export const RATCHET_STATE_VERSION = 1;
/** Bytes of an encoded header: ratchet public key (32) ‖ PN (u32) ‖ N (u32). */
export const HEADER_LENGTH = 40;
/** Bytes a message key adds to a plaintext: the Poly1305 tag. */
export const AEAD_TAG_LENGTH = nacl.secretbox.overheadLength;

const KEY_LENGTH = 32;
const SKIPPED_ENTRY_LENGTH = KEY_LENGTH + 4 + KEY_LENGTH;
// version, flags, six 32-byte keys (DHs secret and public, DHr, RK, CKs, CKr), three u32 counters, two u16 counts.
const STATE_FIXED_LENGTH = 2 + 6 * KEY_LENGTH + 12 + 2 + 2;
/** Largest possible {@link exportRatchetState} output, checked before parsing. */
export const MAX_RATCHET_STATE_BYTES =
	STATE_FIXED_LENGTH + MAX_PAST_RATCHET_KEYS * KEY_LENGTH + MAX_SKIPPED_KEYS * SKIPPED_ENTRY_LENGTH;

const ROOT_INFO = utf8('miaou/v1/ratchet-root');
const AEAD_INFO = utf8('miaou/v1/message-aead');
const ZERO_SALT = new Uint8Array(32);
const MESSAGE_KEY_CONSTANT = new Uint8Array([0x01]);
const CHAIN_KEY_CONSTANT = new Uint8Array([0x02]);

/** A Double Ratchet message header (spec §3.1 HEADER). */
export interface RatchetHeader {
	/** The sender's current ratchet public key. */
	readonly dh: Uint8Array;
	/** Number of messages in the sender's previous sending chain. */
	readonly pn: number;
	/** Number of this message in the current sending chain. */
	readonly n: number;
}

/** A skipped message key, stored until its message arrives (spec §3.2 MKSKIPPED). */
export interface SkippedKey {
	readonly dh: Uint8Array;
	readonly n: number;
	readonly mk: Uint8Array;
}

/** The state variables of spec §3.2, plus the past ratchet keys kept for replay detection. */
export interface RatchetState {
	/** DHs: our ratchet key pair. */
	readonly dhs: AgreementKeyPair;
	/** DHr: the peer's ratchet public key, null until known. */
	readonly dhr: Uint8Array | null;
	/** RK: the root key. */
	readonly rk: Uint8Array;
	/** CKs, CKr: sending and receiving chain keys, null until set by a DH ratchet step. */
	readonly cks: Uint8Array | null;
	readonly ckr: Uint8Array | null;
	/** Ns, Nr: message numbers for sending and receiving; PN: length of the previous sending chain. */
	readonly ns: number;
	readonly nr: number;
	readonly pn: number;
	/** MKSKIPPED, keyed by `hex(dh):n`, in insertion order (oldest first, evicted first). */
	readonly skipped: ReadonlyMap<string, SkippedKey>;
	/** Receiving ratchet keys we have moved past, oldest first. */
	readonly pastKeys: readonly Uint8Array[];
}

/** The output of {@link ratchetEncrypt}. */
export interface RatchetMessage {
	readonly header: RatchetHeader;
	readonly ciphertext: Uint8Array;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type WorkingState = Omit<Mutable<RatchetState>, 'skipped' | 'pastKeys'> & {
	skipped: Map<string, SkippedKey>;
	pastKeys: Uint8Array[];
};

const skippedId = (dh: Uint8Array, n: number): string => `${toHex(dh)}:${n}`;

function kdfRk(rk: Uint8Array, dhOut: Uint8Array): [rootKey: Uint8Array, chainKey: Uint8Array] {
	// Spec §5.2: HKDF with SHA-256, salt = root key, input key material = DH output.
	const okm = hkdf(sha256, dhOut, rk, ROOT_INFO, 64);
	return [okm.slice(0, 32), okm.slice(32)];
}

function kdfCk(ck: Uint8Array): [chainKey: Uint8Array, messageKey: Uint8Array] {
	// Spec §5.2: HMAC-SHA-256 keyed by the chain key, constant 0x01 for the message key and 0x02
	// for the next chain key.
	return [hmac(sha256, ck, CHAIN_KEY_CONSTANT), hmac(sha256, ck, MESSAGE_KEY_CONSTANT)];
}

function aeadKeys(key: Uint8Array, ad: Uint8Array): { key: Uint8Array; nonce: Uint8Array } {
	const okm = hkdf(sha256, key, ZERO_SALT, concat(AEAD_INFO, ad), KEY_LENGTH + nacl.secretbox.nonceLength);
	return { key: okm.subarray(0, KEY_LENGTH), nonce: okm.subarray(KEY_LENGTH) };
}

/**
 * ENCRYPT of spec §3.1 and §5.2: XSalsa20-Poly1305 under a key and nonce derived from a one-use
 * 32-byte key and the associated data (see the module comment for why this binds the AD).
 * @param key - 32 bytes, used for this one message only
 * @param plaintext - the bytes to encrypt
 * @param ad - associated data: authenticated, not encrypted
 * @returns ciphertext, {@link AEAD_TAG_LENGTH} bytes longer than the plaintext
 * @throws {TypeError | RangeError} on inputs of the wrong type or length
 */
export function sealWithKey(key: Uint8Array, plaintext: Uint8Array, ad: Uint8Array): Uint8Array {
	abytes(key, KEY_LENGTH, 'key');
	abytes(plaintext, undefined, 'plaintext');
	abytes(ad, undefined, 'ad');
	const k = aeadKeys(key, ad);
	return nacl.secretbox(plaintext, k.nonce, k.key);
}

/**
 * DECRYPT of spec §3.1: the inverse of {@link sealWithKey}.
 * @param key - the 32-byte key the message was sealed with
 * @param ciphertext - the sealed bytes
 * @param ad - the same associated data as at sealing
 * @param what - names the thing for the error message
 * @returns the plaintext
 * @throws {DecryptError} if the ciphertext, key or AD do not match
 * @throws {TypeError | RangeError} on inputs of the wrong type or length
 */
export function openWithKey(key: Uint8Array, ciphertext: Uint8Array, ad: Uint8Array, what = 'the message'): Uint8Array {
	abytes(key, KEY_LENGTH, 'key');
	abytes(ciphertext, undefined, 'ciphertext');
	abytes(ad, undefined, 'ad');
	if (ciphertext.length < AEAD_TAG_LENGTH) throw new DecryptError(what);
	const k = aeadKeys(key, ad);
	const plaintext = nacl.secretbox.open(ciphertext, k.nonce, k.key);
	if (!plaintext) throw new DecryptError(what);
	return plaintext;
}

/**
 * Encode a header: dh (32) ‖ pn (u32 big-endian) ‖ n (u32 big-endian).
 * @param header - the header
 * @returns {@link HEADER_LENGTH} bytes
 * @throws {RangeError} on a key of the wrong length or a counter outside 0..2³²−1
 */
export function encodeHeader(header: RatchetHeader): Uint8Array {
	abytes(header.dh, X25519_KEY_LENGTH, 'header.dh');
	const out = new Uint8Array(HEADER_LENGTH);
	out.set(header.dh);
	const view = new DataView(out.buffer);
	view.setUint32(32, checkCounter(header.pn, 'header.pn'));
	view.setUint32(36, checkCounter(header.n, 'header.n'));
	return out;
}

/**
 * Decode a header.
 * @param bytes - exactly {@link HEADER_LENGTH} bytes
 * @returns the header (its key is a copy)
 * @throws {MalformedError} on a wrong length
 */
export function decodeHeader(bytes: Uint8Array): RatchetHeader {
	abytes(bytes, undefined, 'header');
	if (bytes.length !== HEADER_LENGTH) throw new MalformedError('Ratchet header', `expected ${HEADER_LENGTH} bytes`);
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	return { dh: bytes.slice(0, 32), pn: view.getUint32(32), n: view.getUint32(36) };
}

function checkCounter(value: number, label: string): number {
	if (!Number.isInteger(value) || value < 0 || value > MAX_CHAIN_LENGTH)
		throw new RangeError(`${label} must be an integer from 0 to ${MAX_CHAIN_LENGTH}`);
	return value;
}

/**
 * RatchetInitAlice (spec §3.3): the initiator starts with the responder's signed prekey as the
 * peer's ratchet key (spec §5.1, integration with X3DH) and makes the first sending chain.
 * @param sharedKey - SK, the 32-byte X3DH output
 * @param remoteRatchetKey - the responder's signed prekey public key
 * @param random - source of the new ratchet key pair
 * @returns the initial state
 * @throws {InvalidKeyError} if the remote key is a small-order point
 * @throws {TypeError | RangeError} on inputs of the wrong type or length
 */
export function initRatchetInitiator(
	sharedKey: Uint8Array,
	remoteRatchetKey: Uint8Array,
	random: RandomBytes = defaultRandom
): RatchetState {
	abytes(sharedKey, KEY_LENGTH, 'sharedKey');
	abytes(remoteRatchetKey, X25519_KEY_LENGTH, 'remoteRatchetKey');
	const dhs = generateAgreementKeyPair(random);
	const [rk, cks] = kdfRk(sharedKey, x25519(dhs.secretKey, remoteRatchetKey));
	return {
		dhs,
		dhr: remoteRatchetKey.slice(),
		rk,
		cks,
		ckr: null,
		ns: 0,
		nr: 0,
		pn: 0,
		skipped: new Map(),
		pastKeys: []
	};
}

/**
 * RatchetInitBob (spec §3.3): the responder starts from its signed prekey pair; it can send only
 * after receiving the initiator's first message.
 * @param sharedKey - SK, the 32-byte X3DH output
 * @param ownRatchetKeyPair - the signed prekey pair the initiator used
 * @returns the initial state
 * @throws {TypeError | RangeError} on inputs of the wrong type or length
 */
export function initRatchetResponder(sharedKey: Uint8Array, ownRatchetKeyPair: AgreementKeyPair): RatchetState {
	abytes(sharedKey, KEY_LENGTH, 'sharedKey');
	abytes(ownRatchetKeyPair.publicKey, X25519_KEY_LENGTH, 'ownRatchetKeyPair.publicKey');
	abytes(ownRatchetKeyPair.secretKey, X25519_KEY_LENGTH, 'ownRatchetKeyPair.secretKey');
	return {
		dhs: { publicKey: ownRatchetKeyPair.publicKey.slice(), secretKey: ownRatchetKeyPair.secretKey.slice() },
		dhr: null,
		rk: sharedKey.slice(),
		cks: null,
		ckr: null,
		ns: 0,
		nr: 0,
		pn: 0,
		skipped: new Map(),
		pastKeys: []
	};
}

/**
 * Whether the state has a sending chain: false only for a responder that has not yet received.
 * @param state - a ratchet state
 * @returns true when {@link ratchetEncrypt} can be called
 */
export function canEncrypt(state: RatchetState): boolean {
	return state.cks !== null;
}

/**
 * RatchetEncrypt (spec §3.4): advance the sending chain and encrypt under the new message key,
 * authenticating AD ‖ header.
 * @param state - the current state (not modified)
 * @param plaintext - the bytes to encrypt
 * @param ad - the session's associated data (the X3DH AD)
 * @returns the new state and the message
 * @throws {Error} if the state has no sending chain yet (see {@link canEncrypt})
 * @throws {RangeError} if the sending chain is exhausted
 */
export function ratchetEncrypt(
	state: RatchetState,
	plaintext: Uint8Array,
	ad: Uint8Array
): { state: RatchetState; message: RatchetMessage } {
	abytes(plaintext, undefined, 'plaintext');
	abytes(ad, undefined, 'ad');
	if (state.cks === null) throw new Error('This session cannot send before it has received a message.');
	if (state.ns >= MAX_CHAIN_LENGTH) throw new RangeError('The sending chain is exhausted.');
	const [cks, mk] = kdfCk(state.cks);
	const header: RatchetHeader = { dh: state.dhs.publicKey, pn: state.pn, n: state.ns };
	const ciphertext = sealWithKey(mk, plaintext, concat(ad, encodeHeader(header)));
	return { state: { ...state, cks, ns: state.ns + 1 }, message: { header, ciphertext } };
}

/**
 * RatchetDecrypt (spec §3.5), on a copy of the state: the returned state is the one to keep; the
 * given state is unchanged whatever happens, so a failed message costs nothing.
 *
 * Refusals beyond the spec: a message whose key was already used or deleted (same chain, number
 * below Nr and not skipped; or a chain we have moved past) is a replay.
 * @param state - the current state (not modified)
 * @param message - header and ciphertext as received
 * @param ad - the session's associated data (the X3DH AD)
 * @param random - source of the next ratchet key pair, used when the peer's ratchet key changed
 * @returns the new state and the plaintext
 * @throws {ReplayError} if the message's key was already used or deleted
 * @throws {TooOldError} if reaching the message would skip more than {@link MAX_SKIP} keys
 * @throws {DecryptError} if the ciphertext does not authenticate
 * @throws {InvalidKeyError} if the header's ratchet key is a small-order point
 */
export function ratchetDecrypt(
	state: RatchetState,
	message: RatchetMessage,
	ad: Uint8Array,
	random: RandomBytes = defaultRandom
): { state: RatchetState; plaintext: Uint8Array } {
	const { header, ciphertext } = message;
	abytes(header.dh, X25519_KEY_LENGTH, 'header.dh');
	abytes(ciphertext, undefined, 'ciphertext');
	abytes(ad, undefined, 'ad');
	checkCounter(header.pn, 'header.pn');
	checkCounter(header.n, 'header.n');
	const fullAd = concat(ad, encodeHeader(header));

	// TrySkippedMessageKeys: a key is deleted as soon as its message decrypts (spec §6.1).
	const id = skippedId(header.dh, header.n);
	const skippedKey = state.skipped.get(id);
	if (skippedKey) {
		const plaintext = openWithKey(skippedKey.mk, ciphertext, fullAd);
		const skipped = new Map(state.skipped);
		skipped.delete(id);
		return { state: { ...state, skipped }, plaintext };
	}

	const sameChain = state.dhr !== null && equalBytes(header.dh, state.dhr);
	if (sameChain && header.n < state.nr) throw new ReplayError();
	if (!sameChain && state.pastKeys.some((k) => equalBytes(k, header.dh))) throw new ReplayError();
	if (sameChain && state.ckr === null) throw new DecryptError('the message'); // only a forgery can reuse SPK
	if (sameChain && header.n - state.nr > MAX_SKIP)
		throw new TooOldError(`it would skip ${header.n - state.nr} messages, more than ${MAX_SKIP}`);
	if (!sameChain) {
		if (state.ckr !== null && header.pn - state.nr > MAX_SKIP)
			throw new TooOldError(`it would skip ${header.pn - state.nr} messages, more than ${MAX_SKIP}`);
		if (header.n > MAX_SKIP) throw new TooOldError(`it would skip ${header.n} messages, more than ${MAX_SKIP}`);
	}

	const s: WorkingState = { ...state, skipped: new Map(state.skipped), pastKeys: [...state.pastKeys] };
	if (!sameChain) {
		skipMessageKeys(s, header.pn);
		dhRatchet(s, header, random);
	}
	skipMessageKeys(s, header.n);
	const [ckr, mk] = kdfCk(s.ckr!);
	s.ckr = ckr;
	s.nr += 1;
	const plaintext = openWithKey(mk, ciphertext, fullAd);
	return { state: s, plaintext };
}

function skipMessageKeys(s: WorkingState, until: number): void {
	if (s.ckr === null || s.dhr === null) return;
	let ckr = s.ckr;
	while (s.nr < until) {
		const [next, mk] = kdfCk(ckr);
		s.skipped.set(skippedId(s.dhr, s.nr), { dh: s.dhr, n: s.nr, mk });
		ckr = next;
		s.nr += 1;
	}
	s.ckr = ckr;
	// Spec §6.4: bound the stored keys; the oldest go first (Map keeps insertion order).
	while (s.skipped.size > MAX_SKIPPED_KEYS) s.skipped.delete(s.skipped.keys().next().value!);
}

function dhRatchet(s: WorkingState, header: RatchetHeader, random: RandomBytes): void {
	if (s.dhr !== null) {
		s.pastKeys.push(s.dhr);
		if (s.pastKeys.length > MAX_PAST_RATCHET_KEYS) s.pastKeys.shift();
	}
	s.pn = s.ns;
	s.ns = 0;
	s.nr = 0;
	s.dhr = header.dh.slice();
	[s.rk, s.ckr] = kdfRk(s.rk, x25519(s.dhs.secretKey, s.dhr));
	s.dhs = generateAgreementKeyPair(random);
	[s.rk, s.cks] = kdfRk(s.rk, x25519(s.dhs.secretKey, s.dhr));
}

/**
 * Serialize a state so the app can store it (encrypted at rest). Layout, version 1:
 * version (u8) ‖ flags (u8: 1 = DHr, 2 = CKs, 4 = CKr present) ‖ DHs secret (32) ‖ DHs public (32)
 * ‖ [DHr (32)] ‖ RK (32) ‖ [CKs (32)] ‖ [CKr (32)] ‖ Ns ‖ Nr ‖ PN (u32 each)
 * ‖ past key count (u16) ‖ keys (32 each) ‖ skipped count (u16) ‖ (dh (32) ‖ n (u32) ‖ mk (32))…
 * All integers big-endian.
 * @param state - the state
 * @returns the bytes; they hold secret keys
 */
export function exportRatchetState(state: RatchetState): Uint8Array {
	const flags = (state.dhr ? 1 : 0) | (state.cks ? 2 : 0) | (state.ckr ? 4 : 0);
	const counters = new Uint8Array(12);
	const cv = new DataView(counters.buffer);
	cv.setUint32(0, state.ns);
	cv.setUint32(4, state.nr);
	cv.setUint32(8, state.pn);
	const parts: Uint8Array[] = [
		new Uint8Array([RATCHET_STATE_VERSION, flags]),
		state.dhs.secretKey,
		state.dhs.publicKey,
		...(state.dhr ? [state.dhr] : []),
		state.rk,
		...(state.cks ? [state.cks] : []),
		...(state.ckr ? [state.ckr] : []),
		counters,
		u16(state.pastKeys.length),
		...state.pastKeys,
		u16(state.skipped.size)
	];
	for (const k of state.skipped.values()) parts.push(k.dh, u32(k.n), k.mk);
	return concat(...parts);
}

/**
 * Parse the output of {@link exportRatchetState}.
 * @param bytes - the serialized state
 * @returns the state
 * @throws {TooLargeError} if longer than {@link MAX_RATCHET_STATE_BYTES}
 * @throws {UnsupportedVersionError} on an unknown version byte
 * @throws {MalformedError} if the bytes do not parse exactly
 */
export function importRatchetState(bytes: Uint8Array): RatchetState {
	abytes(bytes, undefined, 'bytes');
	if (bytes.length > MAX_RATCHET_STATE_BYTES)
		throw new TooLargeError('Ratchet state', bytes.length, MAX_RATCHET_STATE_BYTES);
	const r = new ByteReader(bytes, 'Ratchet state');
	r.version(RATCHET_STATE_VERSION);
	const flags = r.u8();
	if (flags > 7) throw new MalformedError('Ratchet state', 'unknown flags');
	const secretKey = r.bytes(32);
	const publicKey = r.bytes(32);
	const dhr = flags & 1 ? r.bytes(32) : null;
	const rk = r.bytes(32);
	const cks = flags & 2 ? r.bytes(32) : null;
	const ckr = flags & 4 ? r.bytes(32) : null;
	const ns = r.u32();
	const nr = r.u32();
	const pn = r.u32();
	const pastCount = r.u16();
	if (pastCount > MAX_PAST_RATCHET_KEYS) throw new MalformedError('Ratchet state', 'too many past keys');
	const pastKeys: Uint8Array[] = [];
	for (let i = 0; i < pastCount; i++) pastKeys.push(r.bytes(32));
	const skippedCount = r.u16();
	if (skippedCount > MAX_SKIPPED_KEYS) throw new MalformedError('Ratchet state', 'too many skipped keys');
	const skipped = new Map<string, SkippedKey>();
	for (let i = 0; i < skippedCount; i++) {
		const dh = r.bytes(32);
		const n = r.u32();
		skipped.set(skippedId(dh, n), { dh, n, mk: r.bytes(32) });
	}
	r.end();
	return { dhs: { publicKey, secretKey }, dhr, rk, cks, ckr, ns, nr, pn, skipped, pastKeys };
}

/**
 * Encode a big-endian u16.
 * @param n - 0..65535
 * @returns 2 bytes
 */
export function u16(n: number): Uint8Array {
	return new Uint8Array([(n >>> 8) & 0xff, n & 0xff]);
}

/**
 * Encode a big-endian u32.
 * @param n - 0..2³²−1
 * @returns 4 bytes
 */
export function u32(n: number): Uint8Array {
	const out = new Uint8Array(4);
	new DataView(out.buffer).setUint32(0, n);
	return out;
}

/**
 * A cursor over bytes from outside: every read checks the bounds first and throws a
 * MalformedError naming the structure; {@link ByteReader.end} refuses trailing bytes.
 * (Shared by the session modules; a candidate for bytes.ts.)
 */
export class ByteReader {
	readonly #bytes: Uint8Array;
	readonly #view: DataView;
	readonly #what: string;
	#offset = 0;

	/**
	 * @param bytes - the input
	 * @param what - the structure's name, for error messages
	 */
	constructor(bytes: Uint8Array, what: string) {
		this.#bytes = bytes;
		this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
		this.#what = what;
	}

	/** Bytes not yet read. */
	get remaining(): number {
		return this.#bytes.length - this.#offset;
	}

	#need(n: number): void {
		if (this.remaining < n) throw new MalformedError(this.#what, 'truncated');
	}

	/**
	 * Read a version byte and check it.
	 * @throws {UnsupportedVersionError} if it is not `expected`
	 */
	version(expected: number): void {
		const v = this.u8();
		if (v !== expected) throw new UnsupportedVersionError(this.#what, v);
	}

	/** @throws {MalformedError} if truncated */
	u8(): number {
		this.#need(1);
		return this.#bytes[this.#offset++]!;
	}

	/** Big-endian. @throws {MalformedError} if truncated */
	u16(): number {
		this.#need(2);
		const v = this.#view.getUint16(this.#offset);
		this.#offset += 2;
		return v;
	}

	/** Big-endian. @throws {MalformedError} if truncated */
	u32(): number {
		this.#need(4);
		const v = this.#view.getUint32(this.#offset);
		this.#offset += 4;
		return v;
	}

	/** A copy of the next `n` bytes. @throws {MalformedError} if truncated */
	bytes(n: number): Uint8Array {
		this.#need(n);
		const out = this.#bytes.slice(this.#offset, this.#offset + n);
		this.#offset += n;
		return out;
	}

	/** A copy of everything left. */
	rest(): Uint8Array {
		return this.bytes(this.remaining);
	}

	/** @throws {MalformedError} if bytes are left over */
	end(): void {
		if (this.remaining !== 0) throw new MalformedError(this.#what, 'unexpected trailing bytes');
	}
}

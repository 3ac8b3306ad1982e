/**
 * Local secrets at rest (docs/messaging.md §At rest): ratchet sessions and prekey secrets are
 * stored sealed under a key derived from the identity's own secrets, so a copied IndexedDB or
 * data folder is useless without the unlocked identity (ARCHITECTURE.md §Messages, issue 4:
 * "ratchet sessions kept encrypted at rest").
 *
 *   key    = HKDF-SHA-256(ikm = Ed25519 seed ‖ X25519 secret, salt = 32 zero bytes,
 *                         info = "miaou/v1/at-rest/" ‖ purpose, 32)
 *   sealed = 0x01 ‖ nonce (24, random) ‖ XSalsa20-Poly1305(key, nonce, u16(len(context)) ‖ context ‖ bytes)
 *
 * The `context` (e.g. "session:<peer id>") is sealed inside and checked on opening, so a stored
 * value cannot be moved to another slot (another peer's session) without detection.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import nacl from 'tweetnacl';
import { abytes, concat, equalBytes, utf8 } from '../core/bytes.ts';
import { DecryptError, MalformedError, TooLargeError, UnsupportedVersionError } from '../core/errors.ts';
import type { IdentityKeys } from '../core/x3dh.ts';
import { randomBytes as defaultRandom, type RandomBytes } from '../core/random.ts';

/** Version byte of a sealed value. */
export const AT_REST_VERSION = 1;
/** Bytes of an at-rest key (XSalsa20-Poly1305). */
export const AT_REST_KEY_LENGTH = nacl.secretbox.keyLength;
/** Bytes of the random nonce. */
export const AT_REST_NONCE_LENGTH = nacl.secretbox.nonceLength;
/** Bytes added around the value, besides the context: version, nonce, length, Poly1305 tag. */
export const AT_REST_OVERHEAD = 1 + AT_REST_NONCE_LENGTH + 2 + nacl.secretbox.overheadLength;
/** Longest context label, in UTF-8 bytes. */
export const MAX_AT_REST_CONTEXT_BYTES = 1024;
/** Largest sealed value opened (16 MiB); checked before decrypting. */
export const MAX_AT_REST_BYTES = 16 * 1024 * 1024;
/** The purposes keys are derived for: one key per kind of stored secret. */
export type AtRestPurpose = 'sessions' | 'prekeys' | 'history' | 'contacts';

const INFO_PREFIX = 'miaou/v1/at-rest/';
const ZERO_SALT = new Uint8Array(32);

/**
 * Derive the at-rest key of one purpose from an identity's secrets. Both secrets go in, so the
 * key is as strong as the identity itself; the purpose separates keys (RFC 5869 §3.2 "info").
 * @param identity - the unlocked identity (its signing secret key is seed ‖ public key)
 * @param purpose - what the key protects
 * @returns a 32-byte key; wipe it when done
 * @throws {TypeError | RangeError} when the identity's secret keys have the wrong type or length
 * @example const key = deriveAtRestKey(identity, 'sessions')
 */
export function deriveAtRestKey(identity: IdentityKeys, purpose: AtRestPurpose): Uint8Array {
	const seed = abytes(identity.signing.secretKey, 64, 'identity.signing.secretKey').subarray(0, 32);
	const agreement = abytes(identity.agreement.secretKey, 32, 'identity.agreement.secretKey');
	const ikm = concat(seed, agreement);
	const key = hkdf(sha256, ikm, ZERO_SALT, utf8(INFO_PREFIX + purpose), AT_REST_KEY_LENGTH);
	ikm.fill(0);
	return key;
}

function contextBytes(context: string): Uint8Array {
	if (typeof context !== 'string') throw new TypeError('context must be a string');
	const bytes = utf8(context);
	if (bytes.length > MAX_AT_REST_CONTEXT_BYTES)
		throw new RangeError(`context must be at most ${MAX_AT_REST_CONTEXT_BYTES} bytes`);
	return bytes;
}

/**
 * Seal bytes for storage.
 * @param key - a key from {@link deriveAtRestKey}
 * @param bytes - the secret value
 * @param context - the slot it is stored in; must be given again to open it
 * @param random - nonce source (default: WebCrypto)
 * @returns the sealed value
 * @throws {TypeError | RangeError} on a key of the wrong length or a context that is too long
 */
export function sealAtRest(
	key: Uint8Array,
	bytes: Uint8Array,
	context: string,
	random: RandomBytes = defaultRandom
): Uint8Array {
	abytes(key, AT_REST_KEY_LENGTH, 'key');
	abytes(bytes, undefined, 'bytes');
	const label = contextBytes(context);
	const nonce = abytes(random(AT_REST_NONCE_LENGTH), AT_REST_NONCE_LENGTH, 'nonce');
	const plain = concat(new Uint8Array([label.length >> 8, label.length & 0xff]), label, bytes);
	const box = nacl.secretbox(plain, nonce, key);
	plain.fill(0);
	return concat(new Uint8Array([AT_REST_VERSION]), nonce, box);
}

/**
 * Open what {@link sealAtRest} sealed, size-checked first.
 * @param key - the same key
 * @param sealed - the stored value
 * @param context - the slot it was read from
 * @returns the secret value
 * @throws {TooLargeError} over {@link MAX_AT_REST_BYTES}
 * @throws {MalformedError} when shorter than the overhead
 * @throws {UnsupportedVersionError} on an unknown version byte
 * @throws {DecryptError} when the key is wrong, the value was altered, or it belongs to another slot
 */
export function openAtRest(key: Uint8Array, sealed: Uint8Array, context: string): Uint8Array {
	abytes(key, AT_REST_KEY_LENGTH, 'key');
	abytes(sealed, undefined, 'sealed');
	if (sealed.length > MAX_AT_REST_BYTES) throw new TooLargeError('Stored value', sealed.length, MAX_AT_REST_BYTES);
	if (sealed.length < AT_REST_OVERHEAD) throw new MalformedError('Stored value', 'truncated');
	if (sealed[0] !== AT_REST_VERSION) throw new UnsupportedVersionError('Stored value', sealed[0]!);
	const nonce = sealed.subarray(1, 1 + AT_REST_NONCE_LENGTH);
	const plain = nacl.secretbox.open(sealed.subarray(1 + AT_REST_NONCE_LENGTH), nonce, key);
	if (!plain) throw new DecryptError('the stored value');
	const length = (plain[0]! << 8) | plain[1]!;
	const expected = contextBytes(context);
	if (2 + length > plain.length || !equalBytes(plain.subarray(2, 2 + length), expected)) {
		plain.fill(0);
		throw new DecryptError('the stored value (it belongs to another slot)');
	}
	return plain.slice(2 + length);
}

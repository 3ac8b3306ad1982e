/**
 * X25519 key agreement (RFC 7748 §5) through tweetnacl's scalarMult, with the all-zero output
 * check that RFC 7748 §6.1 asks for: tweetnacl returns zeros for small-order points instead of
 * failing, and a zero shared secret would let an attacker fix the session key.
 */
import nacl from 'tweetnacl';
import { abytes, fromHex } from './bytes.ts';
import { InvalidKeyError } from './errors.ts';
import { randomBytes as defaultRandom, type RandomBytes } from './random.ts';

export const X25519_KEY_LENGTH = 32;

/** An X25519 key pair. */
export interface AgreementKeyPair {
	publicKey: Uint8Array;
	secretKey: Uint8Array;
}

// The u-coordinates of order 1, 2, 4 or 8 (and the non-canonical encodings p, p + 1 of 0 and 1),
// compared with bit 255 masked since RFC 7748 §5 ignores it: exactly the inputs for which X25519
// with any clamped scalar (a multiple of the cofactor 8) gives all zeros. libsodium's list; checked
// in x25519.test.ts against tweetnacl's own output.
const SMALL_ORDER_U: readonly Uint8Array[] = [
	new Uint8Array(32),
	Uint8Array.of(1, ...new Uint8Array(31)),
	fromHex('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'),
	fromHex('5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157'),
	Uint8Array.of(0xec, ...new Uint8Array(30).fill(0xff), 0x7f),
	Uint8Array.of(0xed, ...new Uint8Array(30).fill(0xff), 0x7f),
	Uint8Array.of(0xee, ...new Uint8Array(30).fill(0xff), 0x7f)
];

/**
 * True when an X25519 public key is a small-order point, one that would make every shared secret
 * all zeros (RFC 7748 §6.1, §7). Use it to refuse such keys when they are published (prekeys, a
 * profile), before any agreement runs; `x25519` refuses them anyway.
 * @param publicKey - a 32-byte u-coordinate
 * @returns whether the key must be refused; false for a key of another length
 */
export function isSmallOrderX25519(publicKey: Uint8Array): boolean {
	if (!(publicKey instanceof Uint8Array) || publicKey.length !== X25519_KEY_LENGTH) return false;
	let found = 0;
	for (const bad of SMALL_ORDER_U) {
		let diff = (publicKey[31]! & 0x7f) ^ bad[31]!;
		for (let i = 0; i < 31; i++) diff |= publicKey[i]! ^ bad[i]!;
		found |= diff === 0 ? 1 : 0;
	}
	return found === 1;
}

/**
 * Derive an X25519 key pair from a 32-byte secret (clamped as RFC 7748 §5 says).
 * @param secretKey - 32 secret bytes (kept as given; clamping happens inside each multiplication)
 * @returns the key pair, with `publicKey` = X25519(secretKey, 9)
 * @throws {TypeError | RangeError} on a secret of the wrong type or length
 */
export function agreementKeyPairFromSecret(secretKey: Uint8Array): AgreementKeyPair {
	abytes(secretKey, X25519_KEY_LENGTH, 'secretKey');
	const kp = nacl.box.keyPair.fromSecretKey(secretKey);
	return { publicKey: kp.publicKey, secretKey: kp.secretKey };
}

/**
 * Generate a fresh X25519 key pair.
 * @param random - the source of the 32 secret bytes (default: WebCrypto's CSPRNG)
 * @returns a new key pair
 */
export function generateAgreementKeyPair(random: RandomBytes = defaultRandom): AgreementKeyPair {
	return agreementKeyPairFromSecret(random(X25519_KEY_LENGTH));
}

/**
 * X25519(secretKey, publicKey): the 32-byte shared secret (RFC 7748 §5, §6.1).
 * @param secretKey - our 32-byte secret
 * @param publicKey - their 32-byte public u-coordinate
 * @returns the shared secret; feed it to a KDF, never use it as a key directly
 * @throws {InvalidKeyError} when the result is all zeros (small-order public key, RFC 7748 §6.1)
 * @throws {TypeError | RangeError} on inputs of the wrong type or length
 */
export function x25519(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
	abytes(secretKey, X25519_KEY_LENGTH, 'secretKey');
	abytes(publicKey, X25519_KEY_LENGTH, 'publicKey');
	const shared = nacl.scalarMult(secretKey, publicKey);
	let acc = 0;
	for (const b of shared) acc |= b;
	if (acc === 0) throw new InvalidKeyError('the public key is a small-order point (all-zero shared secret)');
	return shared;
}

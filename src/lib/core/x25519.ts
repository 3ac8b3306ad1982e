/**
 * X25519 key agreement (RFC 7748 §5) through tweetnacl's scalarMult, with the all-zero output
 * check that RFC 7748 §6.1 asks for: tweetnacl returns zeros for small-order points instead of
 * failing, and a zero shared secret would let an attacker fix the session key.
 */
import nacl from 'tweetnacl';
import { abytes } from './bytes.ts';
import { InvalidKeyError } from './errors.ts';
import { randomBytes as defaultRandom, type RandomBytes } from './random.ts';

export const X25519_KEY_LENGTH = 32;

/** An X25519 key pair. */
export interface AgreementKeyPair {
	publicKey: Uint8Array;
	secretKey: Uint8Array;
}

/**
 * Derive an X25519 key pair from a 32-byte secret (clamped as RFC 7748 §5 says).
 * @throws {TypeError | RangeError} on a secret of the wrong type or length
 */
export function agreementKeyPairFromSecret(secretKey: Uint8Array): AgreementKeyPair {
	abytes(secretKey, X25519_KEY_LENGTH, 'secretKey');
	const kp = nacl.box.keyPair.fromSecretKey(secretKey);
	return { publicKey: kp.publicKey, secretKey: kp.secretKey };
}

/** Generate a fresh X25519 key pair. */
export function generateAgreementKeyPair(random: RandomBytes = defaultRandom): AgreementKeyPair {
	return agreementKeyPairFromSecret(random(X25519_KEY_LENGTH));
}

/**
 * X25519(secretKey, publicKey): the 32-byte shared secret.
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

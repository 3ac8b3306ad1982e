/**
 * Ed25519 (RFC 8032) behind one interface, so each runtime uses its fastest correct path:
 * WebCrypto where it has Ed25519 (browsers, Node), node:crypto on the relay and CLI
 * (`src/lib/node/ed25519-node.ts`), tweetnacl as the reference and fallback.
 *
 * All paths must agree, so the checks that implementations differ on are done here, once, before
 * any of them runs: lengths, and the canonical-S rule of RFC 8032 §5.1.7 (S < L), which
 * tweetnacl does not enforce while OpenSSL and WebCrypto do.
 */
import nacl from 'tweetnacl';
import { abytes } from './bytes.ts';

/** Ed25519 public keys are 32 bytes, signatures 64, tweetnacl-style secret keys 64 (seed ‖ public key). */
export const PUBLIC_KEY_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;
export const SECRET_KEY_LENGTH = 64;
export const SEED_LENGTH = 32;

/** A signing key pair: `secretKey` is the 32-byte seed followed by the 32-byte public key. */
export interface SigningKeyPair {
	publicKey: Uint8Array;
	secretKey: Uint8Array;
}

/** One Ed25519 implementation. `verify` never throws for bad input; it answers false. */
export interface Ed25519 {
	/** Which implementation this is, for diagnostics and benchmarks. */
	readonly name: string;
	/**
	 * Sign `message` with a 64-byte secret key.
	 * @throws {TypeError | RangeError} on a secret key of the wrong type or length
	 */
	sign(message: Uint8Array, secretKey: Uint8Array): Promise<Uint8Array>;
	/** Verify a detached signature; false for any malformed or non-canonical input. */
	verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean>;
}

// L = 2^252 + 27742317777372353535851937790883648493, little-endian (RFC 8032 §5.1).
const L = new Uint8Array([
	0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0x10
]);

/**
 * True when the signature's S half is below the group order L (RFC 8032 §5.1.7 step 1), which
 * rules out the malleable form S + L that some implementations accept.
 */
export function isCanonicalSignature(signature: Uint8Array): boolean {
	if (signature.length !== SIGNATURE_LENGTH) return false;
	for (let i = 31; i >= 0; i--) {
		const s = signature[32 + i]!;
		const l = L[i]!;
		if (s < l) return true;
		if (s > l) return false;
	}
	return false; // S == L
}

/** The checks every path runs before its own verification. */
export function preVerify(signature: unknown, message: unknown, publicKey: unknown): boolean {
	return (
		signature instanceof Uint8Array &&
		message instanceof Uint8Array &&
		publicKey instanceof Uint8Array &&
		publicKey.length === PUBLIC_KEY_LENGTH &&
		isCanonicalSignature(signature)
	);
}

/**
 * Generate a signing key pair from a 32-byte seed (RFC 8032 §5.1.5).
 * @param seed - 32 random bytes
 * @example const kp = signingKeyPairFromSeed(randomBytes(32))
 */
export function signingKeyPairFromSeed(seed: Uint8Array): SigningKeyPair {
	abytes(seed, SEED_LENGTH, 'seed');
	const kp = nacl.sign.keyPair.fromSeed(seed);
	return { publicKey: kp.publicKey, secretKey: kp.secretKey };
}

/** Synchronous reference signing (tweetnacl); deterministic per RFC 8032. */
export function signSync(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
	abytes(message, undefined, 'message');
	abytes(secretKey, SECRET_KEY_LENGTH, 'secretKey');
	return nacl.sign.detached(message, secretKey);
}

/** The reference implementation: tweetnacl, pure JavaScript, slow but everywhere. */
export const tweetnaclEd25519: Ed25519 = {
	name: 'tweetnacl',
	async sign(message, secretKey) {
		return signSync(message, secretKey);
	},
	async verify(signature, message, publicKey) {
		if (!preVerify(signature, message, publicKey)) return false;
		try {
			return nacl.sign.detached.verify(message, signature, publicKey);
		} catch {
			return false;
		}
	}
};

// PKCS#8 prefix for an Ed25519 private key (RFC 8410 §7): the 32-byte seed follows.
const PKCS8_PREFIX = new Uint8Array([
	0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20
]);

/**
 * Ed25519 through WebCrypto (`crypto.subtle`), with imported keys cached by public key.
 * @param subtle - the SubtleCrypto to use (default: the global one)
 * @param cacheSize - how many imported public keys to keep
 */
export function webcryptoEd25519(subtle: SubtleCrypto = globalThis.crypto.subtle, cacheSize = 1024): Ed25519 {
	const verifyKeys = new Map<string, Promise<CryptoKey>>();
	const keyFor = (publicKey: Uint8Array): Promise<CryptoKey> => {
		const tag = String.fromCharCode(...publicKey);
		let key = verifyKeys.get(tag);
		if (key) {
			verifyKeys.delete(tag); // move to the end: least recently used goes first
		} else {
			key = subtle.importKey('raw', publicKey as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, false, ['verify']);
			if (verifyKeys.size >= cacheSize) verifyKeys.delete(verifyKeys.keys().next().value!);
		}
		verifyKeys.set(tag, key);
		return key;
	};
	return {
		name: 'webcrypto',
		async sign(message, secretKey) {
			abytes(message, undefined, 'message');
			abytes(secretKey, SECRET_KEY_LENGTH, 'secretKey');
			const pkcs8 = new Uint8Array(48);
			pkcs8.set(PKCS8_PREFIX);
			pkcs8.set(secretKey.subarray(0, 32), 16);
			const key = await subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, ['sign']);
			pkcs8.fill(0);
			return new Uint8Array(await subtle.sign({ name: 'Ed25519' }, key, message as Uint8Array<ArrayBuffer>));
		},
		async verify(signature, message, publicKey) {
			if (!preVerify(signature, message, publicKey)) return false;
			try {
				return await subtle.verify(
					{ name: 'Ed25519' },
					await keyFor(publicKey),
					signature as Uint8Array<ArrayBuffer>,
					message as Uint8Array<ArrayBuffer>
				);
			} catch {
				verifyKeys.delete(String.fromCharCode(...publicKey));
				return false;
			}
		}
	};
}

/**
 * Pick the fastest correct implementation this runtime has: WebCrypto when it supports Ed25519
 * and passes a known-answer check (RFC 8032 §7.1 test 1), else tweetnacl.
 */
export async function detectEd25519(): Promise<Ed25519> {
	const subtle = globalThis.crypto?.subtle;
	if (!subtle) return tweetnaclEd25519;
	try {
		const impl = webcryptoEd25519(subtle);
		const kp = signingKeyPairFromSeed(new Uint8Array(32).fill(7));
		const msg = new Uint8Array([1, 2, 3]);
		const sig = await impl.sign(msg, kp.secretKey);
		const ok = (await impl.verify(sig, msg, kp.publicKey)) && nacl.sign.detached.verify(msg, sig, kp.publicKey);
		return ok ? impl : tweetnaclEd25519;
	} catch {
		return tweetnaclEd25519;
	}
}

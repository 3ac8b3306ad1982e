/**
 * Ed25519 (RFC 8032) behind one interface, so each runtime uses its fastest correct path:
 * WebCrypto where it has Ed25519 (browsers, Node), node:crypto on the relay and CLI
 * (`src/lib/node/ed25519-node.ts`), tweetnacl as the reference and fallback.
 *
 * All paths must agree, so the checks that implementations differ on are done here, once, before
 * any of them runs (`preVerify`): lengths, the canonical-S rule of RFC 8032 §5.1.7 (S < L), which
 * tweetnacl does not enforce while OpenSSL and WebCrypto do, the canonical encoding of the public
 * key (RFC 8032 §5.1.3), and the refusal of small-order public keys and R points, which none of
 * the libraries refuses by itself (libsodium does; we follow it).
 */
import nacl from 'tweetnacl';
import { abytes, equalBytes, fromHex } from './bytes.ts';

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
 * @param signature - a 64-byte detached signature (R ‖ S)
 * @returns false for any other length, or S ≥ L
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

// The eight points of the torsion subgroup (order 1, 2, 4 or 8) as encoded Edwards y coordinates,
// plus the non-canonical encodings p and p + 1 of y = 0 and y = 1; compared with the sign bit
// (bit 255) masked, so both x signs are caught. The same list as libsodium's
// `ge25519_has_small_order`. Checked in ed25519.test.ts: tweetnacl and OpenSSL both accept a forged
// signature (R = identity, S = 0) under each of these keys for a fraction of messages.
const SMALL_ORDER_POINTS: readonly Uint8Array[] = [
	// 0 (order 4)
	new Uint8Array(32),
	// 1 (order 1, the identity)
	Uint8Array.of(1, ...new Uint8Array(31)),
	// order 8
	fromHex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'),
	// order 8
	fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'),
	// p - 1 (order 2), p (= 0), p + 1 (= 1)
	Uint8Array.of(0xec, ...new Uint8Array(30).fill(0xff), 0x7f),
	Uint8Array.of(0xed, ...new Uint8Array(30).fill(0xff), 0x7f),
	Uint8Array.of(0xee, ...new Uint8Array(30).fill(0xff), 0x7f)
];

/**
 * True when the 32-byte encoded point is one of the small-order points (sign bit ignored).
 * A public key of small order lets anyone forge signatures that verify for a share of all
 * messages (R = identity, S = 0), and every library we use accepts them; a small-order R is
 * refused too, as libsodium does, so that no path is more lenient than another.
 * @param point - a 32-byte encoded Edwards point
 * @returns whether it must be refused as small-order
 */
export function isSmallOrderPoint(point: Uint8Array): boolean {
	if (point.length !== PUBLIC_KEY_LENGTH) return false;
	let found = 0;
	for (const bad of SMALL_ORDER_POINTS) {
		let diff = (point[31]! & 0x7f) ^ bad[31]!;
		for (let i = 0; i < 31; i++) diff |= point[i]! ^ bad[i]!;
		found |= diff === 0 ? 1 : 0;
	}
	return found === 1;
}

/**
 * True when the encoded y coordinate is below p = 2^255 - 19 (RFC 8032 §5.1.3 step 1). tweetnacl
 * reduces a larger y silently while RFC 8032 says decoding fails; refusing it here keeps the paths
 * alike.
 * @param point - a 32-byte encoded Edwards point
 * @returns whether the encoding is canonical
 */
export function isCanonicalPoint(point: Uint8Array): boolean {
	if (point.length !== PUBLIC_KEY_LENGTH) return false;
	if ((point[31]! & 0x7f) !== 0x7f) return true;
	for (let i = 30; i >= 1; i--) if (point[i] !== 0xff) return true;
	return point[0]! < 0xed;
}

/**
 * Whether a public key may be used at all: 32 bytes, canonical encoding, not of small order.
 * It does not check that the point is on the curve; verification fails for a point that is not.
 * @param publicKey - the candidate key
 * @returns false for anything that must be refused
 */
export function isUsablePublicKey(publicKey: unknown): boolean {
	return (
		publicKey instanceof Uint8Array &&
		publicKey.length === PUBLIC_KEY_LENGTH &&
		isCanonicalPoint(publicKey) &&
		!isSmallOrderPoint(publicKey)
	);
}

/**
 * The checks every path runs before its own verification, so that all paths accept exactly the
 * same signatures: types, lengths, canonical S (RFC 8032 §5.1.7), a usable public key and an R
 * that is not of small order.
 * @param signature - the detached signature
 * @param message - the signed bytes
 * @param publicKey - the signer's key
 * @returns false when the signature must be refused without further work
 */
export function preVerify(signature: unknown, message: unknown, publicKey: unknown): boolean {
	return (
		signature instanceof Uint8Array &&
		message instanceof Uint8Array &&
		isUsablePublicKey(publicKey) &&
		isCanonicalSignature(signature) &&
		!isSmallOrderPoint(signature.subarray(0, 32))
	);
}

/**
 * Generate a signing key pair from a 32-byte seed (RFC 8032 §5.1.5).
 * @param seed - 32 random bytes
 * @returns the public key and the 64-byte secret key (seed ‖ public key)
 * @throws {TypeError | RangeError} on a seed of the wrong type or length
 * @example const kp = signingKeyPairFromSeed(randomBytes(32))
 */
export function signingKeyPairFromSeed(seed: Uint8Array): SigningKeyPair {
	abytes(seed, SEED_LENGTH, 'seed');
	const kp = nacl.sign.keyPair.fromSeed(seed);
	return { publicKey: kp.publicKey, secretKey: kp.secretKey };
}

/**
 * Synchronous reference signing (tweetnacl); deterministic per RFC 8032 §5.1.6.
 * @param message - the bytes to sign
 * @param secretKey - 64 bytes, seed ‖ public key
 * @returns the 64-byte detached signature
 * @throws {TypeError | RangeError} on inputs of the wrong type or length
 */
export function signSync(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
	abytes(message, undefined, 'message');
	abytes(secretKey, SECRET_KEY_LENGTH, 'secretKey');
	return nacl.sign.detached(message, secretKey);
}

/**
 * Synchronous reference verification (tweetnacl) with the shared `preVerify` checks, for callers
 * that cannot await (about 50 verifications a second: prefer an `Ed25519` from `detectEd25519`
 * or `bestEd25519Node` wherever an await is possible).
 * @param signature - the detached signature
 * @param message - the signed bytes
 * @param publicKey - the signer's key
 * @returns true only for a valid, canonical signature; never throws
 */
export function verifySync(signature: unknown, message: unknown, publicKey: unknown): boolean {
	if (!preVerify(signature, message, publicKey)) return false;
	try {
		return nacl.sign.detached.verify(message as Uint8Array, signature as Uint8Array, publicKey as Uint8Array);
	} catch {
		return false;
	}
}

/** The reference implementation: tweetnacl, pure JavaScript, slow but everywhere. */
export const tweetnaclEd25519: Ed25519 = {
	name: 'tweetnacl',
	async sign(message, secretKey) {
		return signSync(message, secretKey);
	},
	async verify(signature, message, publicKey) {
		return verifySync(signature, message, publicKey);
	}
};

// PKCS#8 prefix for an Ed25519 private key (RFC 8410 §7): the 32-byte seed follows.
const PKCS8_PREFIX = new Uint8Array([
	0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20
]);

/**
 * Ed25519 through WebCrypto (`crypto.subtle`), with imported keys cached by public key.
 * @param subtle - the SubtleCrypto to use (default: the global one)
 * @param cacheSize - how many imported public keys to keep (least recently used go first)
 * @returns an `Ed25519` named 'webcrypto'
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

// RFC 8032 §7.1 TEST 3 (two-byte message): the known answer every path must reproduce.
const KAT_SEED = 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7';
const KAT_MESSAGE = Uint8Array.of(0xaf, 0x82);
const KAT_SIGNATURE =
	'6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a';

/**
 * Run the RFC 8032 §7.1 TEST 3 known answer through an implementation: the signature must match
 * byte for byte, verify, and stop verifying once one bit of it is flipped.
 * @param impl - the implementation to check
 * @returns whether it passed; never throws
 */
export async function selfTestEd25519(impl: Ed25519): Promise<boolean> {
	try {
		const kp = signingKeyPairFromSeed(fromHex(KAT_SEED));
		const expected = fromHex(KAT_SIGNATURE);
		const sig = await impl.sign(KAT_MESSAGE, kp.secretKey);
		if (!equalBytes(sig, expected)) return false;
		if (!(await impl.verify(sig, KAT_MESSAGE, kp.publicKey))) return false;
		const bad = Uint8Array.from(sig);
		bad[5]! ^= 1;
		return !(await impl.verify(bad, KAT_MESSAGE, kp.publicKey));
	} catch {
		return false;
	}
}

/**
 * Pick the fastest correct implementation this runtime has: WebCrypto when it supports Ed25519
 * and passes the RFC 8032 known-answer check (`selfTestEd25519`), else tweetnacl.
 * @param subtle - the SubtleCrypto to try (default: the global one, if any)
 * @returns an implementation that passed the check
 */
export async function detectEd25519(subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle): Promise<Ed25519> {
	if (!subtle) return tweetnaclEd25519;
	const impl = webcryptoEd25519(subtle);
	return (await selfTestEd25519(impl)) ? impl : tweetnaclEd25519;
}

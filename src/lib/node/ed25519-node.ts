/**
 * Ed25519 through node:crypto (OpenSSL), the path for the relay and the CLI: about 5,000
 * verifications a second on one core against about 50 for tweetnacl (see docs/benchmarks.md).
 *
 * A relay checks many records from the same few authors, so the `KeyObject` built for a public key
 * is kept in a bounded least-recently-used cache: building it (a DER parse) costs about as much as
 * the verification itself. The checks that must be alike on every path (`preVerify`: canonical S,
 * canonical and not small-order key, R not small-order) run first, as in the core's paths.
 */
import { Buffer } from 'node:buffer';
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { abytes } from '../core/bytes.ts';
import { preVerify, SECRET_KEY_LENGTH, SEED_LENGTH, type Ed25519 } from '../core/ed25519.ts';

/** How many public keys' `KeyObject`s the default instance keeps. */
export const DEFAULT_KEY_CACHE_SIZE = 4096;

// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4): SEQUENCE { SEQUENCE { OID 1.3.101.112 },
// BIT STRING (0 unused bits) } — the 32-byte raw key follows.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
// DER prefix of an Ed25519 PKCS#8 OneAsymmetricKey (RFC 8410 §7): the 32-byte seed follows.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** An `Ed25519` on node:crypto, with its synchronous verification exposed for hooks that cannot await. */
export interface NodeEd25519 extends Ed25519 {
	/**
	 * The same answer as `verify`, synchronously.
	 * @returns true only for a valid, canonical signature; never throws
	 */
	verifySync(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
	/**
	 * Sign synchronously (RFC 8032 §5.1.6; deterministic, the same bytes as every other path).
	 * @throws {TypeError | RangeError} on a secret key or message of the wrong type or length
	 */
	signSync(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
	/** How many public keys are cached now (for metrics and tests). */
	readonly cachedKeys: number;
}

/**
 * Build a node:crypto Ed25519 with its own key cache.
 * @param cacheSize - how many public keys to keep (least recently used go first); at least 1
 * @returns a `NodeEd25519` named 'node:crypto'
 * @throws {RangeError} when cacheSize is not a positive integer
 * @example const ed = createNodeEd25519({ cacheSize: 1024 }); await ed.verify(sig, msg, key)
 */
export function createNodeEd25519({ cacheSize = DEFAULT_KEY_CACHE_SIZE }: { cacheSize?: number } = {}): NodeEd25519 {
	if (!Number.isSafeInteger(cacheSize) || cacheSize < 1) throw new RangeError('cacheSize must be a positive integer');
	const keys = new Map<string, KeyObject>();

	const keyFor = (publicKey: Uint8Array): KeyObject => {
		const tag = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('latin1');
		let key = keys.get(tag);
		if (key) {
			keys.delete(tag); // re-inserted below: a Map iterates in insertion order, oldest first
		} else {
			key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
			if (keys.size >= cacheSize) keys.delete(keys.keys().next().value!);
		}
		keys.set(tag, key);
		return key;
	};

	const verifySync = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean => {
		if (!preVerify(signature, message, publicKey)) return false;
		try {
			return nodeVerify(null, message, keyFor(publicKey), signature);
		} catch {
			// OpenSSL refused the key or the inputs: the answer is no, as on every other path.
			return false;
		}
	};

	const signSync = (message: Uint8Array, secretKey: Uint8Array): Uint8Array => {
		abytes(message, undefined, 'message');
		abytes(secretKey, SECRET_KEY_LENGTH, 'secretKey');
		const der = Buffer.alloc(PKCS8_PREFIX.length + SEED_LENGTH);
		PKCS8_PREFIX.copy(der);
		der.set(secretKey.subarray(0, SEED_LENGTH), PKCS8_PREFIX.length);
		try {
			const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
			return new Uint8Array(nodeSign(null, message, key));
		} finally {
			der.fill(0);
		}
	};

	return {
		name: 'node:crypto',
		async sign(message, secretKey) {
			return signSync(message, secretKey);
		},
		async verify(signature, message, publicKey) {
			return verifySync(signature, message, publicKey);
		},
		verifySync,
		signSync,
		get cachedKeys() {
			return keys.size;
		}
	};
}

/** The shared node:crypto instance (cache of `DEFAULT_KEY_CACHE_SIZE` keys). */
export const nodeEd25519: NodeEd25519 = createNodeEd25519();

/**
 * The fastest correct Ed25519 on Node: node:crypto. Synchronous, since OpenSSL's Ed25519 is always
 * there on Node ≥ 12; `ed25519-node.test.ts` runs the RFC 8032 vectors through it.
 * @returns `nodeEd25519`
 */
export function bestEd25519Node(): NodeEd25519 {
	return nodeEd25519;
}

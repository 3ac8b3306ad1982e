import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import { concat, fromHex, toHex } from './bytes.ts';
import {
	detectEd25519,
	isCanonicalPoint,
	isCanonicalSignature,
	isSmallOrderPoint,
	isUsablePublicKey,
	preVerify,
	selfTestEd25519,
	signingKeyPairFromSeed,
	signSync,
	tweetnaclEd25519,
	verifySync,
	webcryptoEd25519,
	type Ed25519
} from './ed25519.ts';
import { flip, RFC8032_VECTORS, withSPlusL } from './testing/ed25519-fixtures.ts';

const vectors = RFC8032_VECTORS;

// The torsion points as encoded keys, both sign bits where the encoding exists.
const SMALL_ORDER_HEX = [
	'0000000000000000000000000000000000000000000000000000000000000000',
	'0000000000000000000000000000000000000000000000000000000000000080',
	'0100000000000000000000000000000000000000000000000000000000000000',
	'26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
	'26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
	'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
	'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
	'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'
];
const IDENTITY_POINT = fromHex('0100000000000000000000000000000000000000000000000000000000000000');

const paths: Ed25519[] = [tweetnaclEd25519, webcryptoEd25519()];

// R = identity, S = 0 verifies under a key A of order n whenever n divides H(R ‖ A ‖ M): for each
// small-order key, find a message for which the raw libraries (OpenSSL through WebCrypto, and
// tweetnacl) accept this forgery, proving both that the key is of small order and that the
// preVerify check is what stops it.
const FORGED = concat(IDENTITY_POINT, new Uint8Array(32));
let forgeryCache: Promise<{ key: Uint8Array; message: Uint8Array }[]> | undefined;
function forgeries(): Promise<{ key: Uint8Array; message: Uint8Array }[]> {
	forgeryCache ??= (async () => {
		const subtle = globalThis.crypto.subtle;
		const found = [];
		for (const hex of SMALL_ORDER_HEX) {
			const key = fromHex(hex);
			const cryptoKey = await subtle.importKey('raw', Uint8Array.from(key), { name: 'Ed25519' }, false, ['verify']);
			for (let i = 0; i < 256; i++) {
				const message = Uint8Array.of(i);
				if (await subtle.verify({ name: 'Ed25519' }, cryptoKey, Uint8Array.from(FORGED), message)) {
					found.push({ key, message });
					break;
				}
			}
		}
		return found;
	})();
	return forgeryCache;
}

describe.each(paths.map((impl) => [impl.name, impl] as const))('Ed25519 path %s', (_name, impl) => {
	it('reproduces every RFC 8032 §7.1 vector and verifies it', async () => {
		for (const v of vectors) {
			const kp = signingKeyPairFromSeed(v.seed);
			expect(toHex(kp.publicKey), v.name).toBe(toHex(v.publicKey));
			expect(toHex(await impl.sign(v.message, kp.secretKey)), v.name).toBe(toHex(v.signature));
			expect(await impl.verify(v.signature, v.message, v.publicKey), v.name).toBe(true);
		}
	});

	it('refuses a flipped bit in the signature, the message or the key', async () => {
		for (const v of vectors) {
			for (const index of [0, 31, 32, 63])
				expect(await impl.verify(flip(v.signature, index), v.message, v.publicKey)).toBe(false);
			const otherMessage = v.message.length ? flip(v.message, v.message.length - 1) : Uint8Array.of(0);
			expect(await impl.verify(v.signature, otherMessage, v.publicKey)).toBe(false);
			expect(await impl.verify(v.signature, v.message, flip(v.publicKey, 0))).toBe(false);
		}
	});

	it('refuses the non-canonical S + L that plain tweetnacl accepts', async () => {
		for (const v of vectors) {
			const malleable = withSPlusL(v.signature);
			expect(nacl.sign.detached.verify(v.message, malleable, v.publicKey)).toBe(true); // why the check exists
			expect(await impl.verify(malleable, v.message, v.publicKey)).toBe(false);
		}
	});

	it('refuses wrong lengths, small-order keys and garbage without throwing', async () => {
		const v = vectors[1]!;
		expect(await impl.verify(v.signature.subarray(0, 63), v.message, v.publicKey)).toBe(false);
		expect(await impl.verify(concat(v.signature, Uint8Array.of(0)), v.message, v.publicKey)).toBe(false);
		expect(await impl.verify(v.signature, v.message, v.publicKey.subarray(0, 31))).toBe(false);
		expect(await impl.verify(v.signature, v.message, concat(v.publicKey, Uint8Array.of(0)))).toBe(false);
		expect(await impl.verify(v.signature, v.message, new Uint8Array(32))).toBe(false);
		expect(await impl.verify(new Uint8Array(64), v.message, v.publicKey)).toBe(false);
		const garbage: unknown[] = [null, undefined, 'abc', 42, {}, [1, 2, 3], new ArrayBuffer(32), new Uint16Array(32)];
		for (const g of garbage) {
			const loose = impl.verify as (a: unknown, b: unknown, c: unknown) => Promise<boolean>;
			await expect(loose(g, v.message, v.publicKey)).resolves.toBe(false);
			await expect(loose(v.signature, g, v.publicKey)).resolves.toBe(false);
			await expect(loose(v.signature, v.message, g)).resolves.toBe(false);
		}
	});

	it('refuses signatures forged for small-order keys, which the raw libraries accept', async () => {
		for (const { key, message } of await forgeries()) expect(await impl.verify(FORGED, message, key)).toBe(false);
	});

	it('signs with a checked secret key', async () => {
		await expect(impl.sign(new Uint8Array(1), new Uint8Array(32))).rejects.toThrow(RangeError);
		await expect(impl.sign('x' as unknown as Uint8Array, new Uint8Array(64))).rejects.toThrow(TypeError);
	});

	it('passes its own known-answer self test', async () => {
		expect(await selfTestEd25519(impl)).toBe(true);
	});
});

describe('Ed25519 paths agree', () => {
	it('sign the same bytes and accept each other (property)', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.uint8Array({ minLength: 32, maxLength: 32 }),
				fc.uint8Array({ maxLength: 256 }),
				async (seed, msg) => {
					const kp = signingKeyPairFromSeed(seed);
					const sigs = await Promise.all(paths.map((p) => p.sign(msg, kp.secretKey)));
					for (const sig of sigs) expect(toHex(sig)).toBe(toHex(sigs[0]!));
					for (const p of paths) expect(await p.verify(sigs[0]!, msg, kp.publicKey)).toBe(true);
				}
			),
			{ numRuns: 12 }
		);
	});

	it('refuse any single tampered byte (property)', async () => {
		const kp = signingKeyPairFromSeed(new Uint8Array(32).fill(3));
		const msg = Uint8Array.from({ length: 40 }, (_, i) => i);
		const sig = signSync(msg, kp.secretKey);
		await fc.assert(
			fc.asyncProperty(
				fc.constantFrom('signature', 'message', 'key'),
				fc.nat(),
				fc.integer({ min: 1, max: 255 }),
				async (where, position, delta) => {
					const target = where === 'signature' ? sig : where === 'message' ? msg : kp.publicKey;
					const bad = Uint8Array.from(target);
					const i = position % bad.length;
					bad[i] = (bad[i]! + delta) & 0xff;
					const args: [Uint8Array, Uint8Array, Uint8Array] =
						where === 'signature'
							? [bad, msg, kp.publicKey]
							: where === 'message'
								? [sig, bad, kp.publicKey]
								: [sig, msg, bad];
					for (const p of paths) expect(await p.verify(...args)).toBe(false);
				}
			),
			{ numRuns: 15 }
		);
	});
});

describe('Ed25519 helpers', () => {
	it('the small-order forgeries really fool the raw libraries', async () => {
		const found = await forgeries();
		expect(found.map((f) => toHex(f.key))).toEqual(SMALL_ORDER_HEX);
		for (const { key, message } of found) expect(nacl.sign.detached.verify(message, FORGED, key)).toBe(true);
	});

	it('isCanonicalSignature compares S with L exactly', () => {
		const sig = new Uint8Array(64);
		const lBytes = withSPlusL(sig); // S = 0 + L = L
		expect(isCanonicalSignature(lBytes)).toBe(false);
		const below = Uint8Array.from(lBytes);
		below[32]! -= 1; // L - 1
		expect(isCanonicalSignature(below)).toBe(true);
		expect(isCanonicalSignature(sig)).toBe(true);
		expect(isCanonicalSignature(new Uint8Array(63))).toBe(false);
	});

	it('finds exactly the small-order points, either sign bit', () => {
		for (const hex of SMALL_ORDER_HEX) expect(isSmallOrderPoint(fromHex(hex)), hex).toBe(true);
		for (const v of vectors) expect(isSmallOrderPoint(v.publicKey)).toBe(false);
		fc.assert(
			fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
				expect(isSmallOrderPoint(signingKeyPairFromSeed(seed).publicKey)).toBe(false);
			}),
			{ numRuns: 30 }
		);
	});

	it('refuses non-canonical point encodings (y ≥ p, RFC 8032 §5.1.3)', () => {
		const p = fromHex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
		expect(isCanonicalPoint(p)).toBe(false);
		expect(isCanonicalPoint(flip(p, 31, 7))).toBe(false); // same y, other sign
		const pPlus3 = Uint8Array.from(p);
		pPlus3[0] = 0xf0;
		expect(isCanonicalPoint(pPlus3)).toBe(false);
		const pMinus2 = Uint8Array.from(p);
		pMinus2[0] = 0xeb;
		expect(isCanonicalPoint(pMinus2)).toBe(true);
		expect(isUsablePublicKey(pPlus3)).toBe(false);
		expect(isUsablePublicKey(vectors[0]!.publicKey)).toBe(true);
		expect(isUsablePublicKey('key')).toBe(false);
	});

	it('preVerify refuses a small-order R even under a good key', () => {
		const v = vectors[2]!;
		expect(preVerify(v.signature, v.message, v.publicKey)).toBe(true);
		const smallR = Uint8Array.from(v.signature);
		smallR.set(IDENTITY_POINT, 0);
		expect(preVerify(smallR, v.message, v.publicKey)).toBe(false);
	});

	it('verifySync answers like the async paths', () => {
		const v = vectors[3]!;
		expect(verifySync(v.signature, v.message, v.publicKey)).toBe(true);
		expect(verifySync(flip(v.signature, 10), v.message, v.publicKey)).toBe(false);
		expect(verifySync(null, v.message, v.publicKey)).toBe(false);
	});

	it('detectEd25519 picks WebCrypto here, and tweetnacl without it or when it is wrong', async () => {
		expect((await detectEd25519()).name).toBe('webcrypto');
		expect((await detectEd25519(undefined)).name).toBe('webcrypto'); // undefined means "the default"
		const subtle = globalThis.crypto.subtle;
		// A SubtleCrypto whose signatures are wrong must fail the known-answer check.
		const broken = {
			importKey: subtle.importKey.bind(subtle),
			verify: subtle.verify.bind(subtle),
			sign: async (...args: Parameters<SubtleCrypto['sign']>) => {
				const sig = new Uint8Array(await subtle.sign(...args));
				sig[0]! ^= 1;
				return sig.buffer;
			}
		} as unknown as SubtleCrypto;
		expect((await detectEd25519(broken)).name).toBe('tweetnacl');
		const missing = {
			importKey: async () => {
				throw new Error('NotSupportedError');
			}
		} as unknown as SubtleCrypto;
		expect((await detectEd25519(missing)).name).toBe('tweetnacl');
	});

	it('webcrypto keeps at most cacheSize imported keys and still verifies after eviction', async () => {
		const impl = webcryptoEd25519(globalThis.crypto.subtle, 2);
		for (const v of [...vectors, ...vectors]) expect(await impl.verify(v.signature, v.message, v.publicKey)).toBe(true);
	});
});

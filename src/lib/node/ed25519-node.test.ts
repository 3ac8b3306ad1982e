import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Buffer } from 'node:buffer';
import { createPublicKey, verify as rawVerify } from 'node:crypto';
import { concat, fromHex, toHex } from '../core/bytes.ts';
import {
	selfTestEd25519,
	signingKeyPairFromSeed,
	tweetnaclEd25519,
	webcryptoEd25519,
	type Ed25519
} from '../core/ed25519.ts';
import { flip, RFC8032_VECTORS, withSPlusL } from '../core/testing/ed25519-fixtures.ts';
import { bestEd25519Node, createNodeEd25519, nodeEd25519 } from './ed25519-node.ts';

const SPKI_PREFIX = fromHex('302a300506032b6570032100');
const rawNodeVerify = (sig: Uint8Array, msg: Uint8Array, key: Uint8Array): boolean =>
	rawVerify(
		null,
		msg,
		createPublicKey({ key: Buffer.from(concat(SPKI_PREFIX, key)), format: 'der', type: 'spki' }),
		sig
	);

const vectors = RFC8032_VECTORS;

const allPaths: Ed25519[] = [nodeEd25519, webcryptoEd25519(), tweetnaclEd25519];

describe('node:crypto Ed25519', () => {
	it('is named and chosen as the best Node path, and passes the self test', async () => {
		expect(nodeEd25519.name).toBe('node:crypto');
		expect(bestEd25519Node()).toBe(nodeEd25519);
		expect(await selfTestEd25519(nodeEd25519)).toBe(true);
	});

	it('reproduces every RFC 8032 §7.1 vector, sync and async', async () => {
		for (const v of vectors) {
			const { secretKey } = signingKeyPairFromSeed(v.seed);
			expect(toHex(nodeEd25519.signSync(v.message, secretKey)), v.name).toBe(toHex(v.signature));
			expect(toHex(await nodeEd25519.sign(v.message, secretKey)), v.name).toBe(toHex(v.signature));
			expect(nodeEd25519.verifySync(v.signature, v.message, v.publicKey), v.name).toBe(true);
			expect(await nodeEd25519.verify(v.signature, v.message, v.publicKey), v.name).toBe(true);
		}
	});

	it('refuses, like every other path, each kind of bad input', async () => {
		const v = vectors[2]!;
		const cases: [string, unknown, unknown, unknown][] = [
			['flipped signature bit', flip(v.signature, 7), v.message, v.publicKey],
			['flipped S bit', flip(v.signature, 40), v.message, v.publicKey],
			['flipped message bit', v.signature, flip(v.message, 0), v.publicKey],
			['flipped key bit', v.signature, v.message, flip(v.publicKey, 3)],
			['S + L', withSPlusL(v.signature), v.message, v.publicKey],
			['63-byte signature', v.signature.subarray(0, 63), v.message, v.publicKey],
			['65-byte signature', concat(v.signature, Uint8Array.of(1)), v.message, v.publicKey],
			['31-byte key', v.signature, v.message, v.publicKey.subarray(0, 31)],
			['33-byte key', v.signature, v.message, concat(v.publicKey, Uint8Array.of(1))],
			['all-zero key', v.signature, v.message, new Uint8Array(32)],
			['all-zero signature', new Uint8Array(64), v.message, v.publicKey],
			['null signature', null, v.message, v.publicKey],
			['string message', v.signature, 'af82', v.publicKey],
			['array key', v.signature, v.message, Array.from(v.publicKey)],
			['number key', v.signature, v.message, 7]
		];
		for (const [name, sig, msg, key] of cases) {
			for (const p of allPaths) {
				const loose = p.verify as (a: unknown, b: unknown, c: unknown) => Promise<boolean>;
				await expect(loose(sig, msg, key), `${p.name}: ${name}`).resolves.toBe(false);
			}
			const looseSync = nodeEd25519.verifySync as (a: unknown, b: unknown, c: unknown) => boolean;
			expect(looseSync(sig, msg, key), name).toBe(false);
		}
		// OpenSSL alone already refuses S + L; tweetnacl alone does not (see ed25519.test.ts).
		expect(rawNodeVerify(withSPlusL(v.signature), v.message, v.publicKey)).toBe(false);
	});

	it('refuses a small-order-key forgery that raw OpenSSL accepts', () => {
		// R = identity, S = 0 under the order-4 key y = 0: OpenSSL accepts it for about 1 message in 4.
		const forged = concat(Uint8Array.of(1, ...new Uint8Array(31)), new Uint8Array(32));
		const key = new Uint8Array(32);
		const accepted = [...Array(64).keys()].map((i) => Uint8Array.of(i)).filter((m) => rawNodeVerify(forged, m, key));
		expect(accepted.length).toBeGreaterThan(0);
		for (const m of accepted) expect(nodeEd25519.verifySync(forged, m, key)).toBe(false);
	});

	it('signs with a checked secret key', async () => {
		expect(() => nodeEd25519.signSync(new Uint8Array(1), new Uint8Array(32))).toThrow(RangeError);
		expect(() => nodeEd25519.signSync('m' as unknown as Uint8Array, new Uint8Array(64))).toThrow(TypeError);
		await expect(nodeEd25519.sign(new Uint8Array(1), new Uint8Array(65))).rejects.toThrow(RangeError);
	});

	it('keeps at most cacheSize keys, least recently used out first, and stays correct', () => {
		const ed = createNodeEd25519({ cacheSize: 2 });
		const [a, b, c] = vectors;
		const ok = (v: (typeof vectors)[number]) => ed.verifySync(v.signature, v.message, v.publicKey);
		expect(ok(a!) && ok(b!)).toBe(true);
		expect(ed.cachedKeys).toBe(2);
		expect(ok(a!)).toBe(true); // a is now the most recent
		expect(ok(c!)).toBe(true); // evicts b
		expect(ed.cachedKeys).toBe(2);
		expect(ok(b!) && ok(a!) && ok(c!)).toBe(true);
		expect(ed.cachedKeys).toBe(2);
		// Refused before OpenSSL: never enters the cache.
		expect(ed.verifySync(a!.signature, a!.message, new Uint8Array(32))).toBe(false);
		expect(ed.cachedKeys).toBe(2);
		expect(() => createNodeEd25519({ cacheSize: 0 })).toThrow(RangeError);
	});

	it('agrees with WebCrypto and tweetnacl on random keys and messages (property)', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.uint8Array({ minLength: 32, maxLength: 32 }),
				fc.uint8Array({ maxLength: 512 }),
				async (seed, msg) => {
					const kp = signingKeyPairFromSeed(seed);
					const sig = nodeEd25519.signSync(msg, kp.secretKey);
					expect(toHex(await webcryptoEd25519().sign(msg, kp.secretKey))).toBe(toHex(sig));
					expect(await webcryptoEd25519().verify(sig, msg, kp.publicKey)).toBe(true);
					expect(nodeEd25519.verifySync(sig, msg, kp.publicKey)).toBe(true);
				}
			),
			{ numRuns: 100 }
		);
		// tweetnacl is ~100× slower: fewer runs, same property.
		await fc.assert(
			fc.asyncProperty(
				fc.uint8Array({ minLength: 32, maxLength: 32 }),
				fc.uint8Array({ maxLength: 64 }),
				async (seed, msg) => {
					const kp = signingKeyPairFromSeed(seed);
					const sig = nodeEd25519.signSync(msg, kp.secretKey);
					expect(toHex(await tweetnaclEd25519.sign(msg, kp.secretKey))).toBe(toHex(sig));
					expect(await tweetnaclEd25519.verify(sig, msg, kp.publicKey)).toBe(true);
				}
			),
			{ numRuns: 8 }
		);
	});

	it('refuses any tampered byte of signature, message or key (property)', () => {
		const kp = signingKeyPairFromSeed(new Uint8Array(32).fill(9));
		const msg = Uint8Array.from({ length: 100 }, (_, i) => i * 7);
		const sig = nodeEd25519.signSync(msg, kp.secretKey);
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 195 }), fc.integer({ min: 1, max: 255 }), (position, delta) => {
				const s = Uint8Array.from(sig);
				const m = Uint8Array.from(msg);
				const k = Uint8Array.from(kp.publicKey);
				const [target, i] = position < 64 ? [s, position] : position < 164 ? [m, position - 64] : [k, position - 164];
				target[i] = (target[i]! + delta) & 0xff;
				expect(nodeEd25519.verifySync(s, m, k)).toBe(false);
			}),
			{ numRuns: 300 }
		);
	});
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import rfc7748 from '../../../tests/vectors/rfc7748-x25519.json' with { type: 'json' };
import naclBox from '../../../tests/vectors/nacl-box.json' with { type: 'json' };
import { fromHex, toHex } from './bytes.ts';
import { InvalidKeyError } from './errors.ts';
import {
	agreementKeyPairFromSecret,
	generateAgreementKeyPair,
	isSmallOrderX25519,
	x25519,
	X25519_KEY_LENGTH
} from './x25519.ts';

// u-coordinates of order dividing 8 (RFC 7748 §7; libsodium's list) and the non-canonical p, p + 1.
const SMALL_ORDER_U = [
	'0000000000000000000000000000000000000000000000000000000000000000',
	'0100000000000000000000000000000000000000000000000000000000000000',
	'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
	'5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
	'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
	'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
	'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'
];
/** The same points with bit 255 set, which RFC 7748 §5 says to ignore. */
const SMALL_ORDER_U_HIGH = SMALL_ORDER_U.map(
	(hex) => hex.slice(0, 62) + (parseInt(hex.slice(62), 16) | 0x80).toString(16)
);

describe('X25519 (RFC 7748)', () => {
	it('matches the §5.2 scalar-multiplication vectors', () => {
		for (const v of rfc7748.scalarMult) expect(toHex(x25519(fromHex(v.scalar), fromHex(v.u)))).toBe(v.output);
	});

	it('matches the §5.2 iterated vector after 1 and 1,000 rounds', () => {
		let k = fromHex(rfc7748.iterated.start);
		let u = fromHex(rfc7748.iterated.start);
		for (let i = 1; i <= 1000; i++) {
			[k, u] = [x25519(k, u), k];
			if (i === 1) expect(toHex(k)).toBe(rfc7748.iterated.after1);
		}
		expect(toHex(k)).toBe(rfc7748.iterated.after1000);
	});

	it('matches the §6.1 Diffie-Hellman between Alice and Bob', () => {
		const dh = rfc7748.diffieHellman;
		const alice = agreementKeyPairFromSecret(fromHex(dh.alicePrivate));
		const bob = agreementKeyPairFromSecret(fromHex(dh.bobPrivate));
		expect(toHex(alice.publicKey)).toBe(dh.alicePublic);
		expect(toHex(bob.publicKey)).toBe(dh.bobPublic);
		expect(toHex(x25519(alice.secretKey, bob.publicKey))).toBe(dh.shared);
		expect(toHex(x25519(bob.secretKey, alice.publicKey))).toBe(dh.shared);
	});

	it('refuses every small-order point with InvalidKeyError, either value of bit 255', () => {
		const secret = generateAgreementKeyPair().secretKey;
		for (const hex of [...SMALL_ORDER_U, ...SMALL_ORDER_U_HIGH]) {
			const point = fromHex(hex);
			// tweetnacl alone returns all zeros here: the reason for the check.
			expect(
				nacl.scalarMult(secret, point).every((b) => b === 0),
				hex
			).toBe(true);
			expect(() => x25519(secret, point), hex).toThrow(InvalidKeyError);
			expect(isSmallOrderX25519(point), hex).toBe(true);
		}
	});

	it('isSmallOrderX25519 is false for real public keys and wrong lengths', () => {
		fc.assert(
			fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (secret) => {
				expect(isSmallOrderX25519(agreementKeyPairFromSecret(secret).publicKey)).toBe(false);
			}),
			{ numRuns: 50 }
		);
		expect(isSmallOrderX25519(new Uint8Array(31))).toBe(false);
		expect(isSmallOrderX25519('x' as unknown as Uint8Array)).toBe(false);
	});

	it('is symmetric for random key pairs (property)', () => {
		fc.assert(
			fc.property(
				fc.uint8Array({ minLength: 32, maxLength: 32 }),
				fc.uint8Array({ minLength: 32, maxLength: 32 }),
				(a, b) => {
					const alice = agreementKeyPairFromSecret(a);
					const bob = agreementKeyPairFromSecret(b);
					expect(toHex(x25519(alice.secretKey, bob.publicKey))).toBe(toHex(x25519(bob.secretKey, alice.publicKey)));
				}
			),
			{ numRuns: 50 }
		);
	});

	it('checks input types and lengths', () => {
		const kp = generateAgreementKeyPair();
		expect(() => x25519(kp.secretKey.subarray(0, 31), kp.publicKey)).toThrow(RangeError);
		expect(() => x25519(kp.secretKey, new Uint8Array(33))).toThrow(RangeError);
		expect(() => x25519('k' as unknown as Uint8Array, kp.publicKey)).toThrow(TypeError);
		expect(() => agreementKeyPairFromSecret(new Uint8Array(16))).toThrow(RangeError);
	});

	it('generates from the given randomness', () => {
		const fixed = (n: number) => new Uint8Array(n).fill(5);
		const a = generateAgreementKeyPair(fixed);
		expect(a.publicKey).toHaveLength(X25519_KEY_LENGTH);
		expect(toHex(a.publicKey)).toBe(toHex(generateAgreementKeyPair(fixed).publicKey));
		expect(toHex(a.publicKey)).not.toBe(toHex(generateAgreementKeyPair().publicKey));
	});
});

describe('NaCl crypto_box known answer (NaCl tests/box.c, box2.c, secretbox.c)', () => {
	const v = {
		aliceSk: fromHex(naclBox.aliceSecretKey),
		alicePk: fromHex(naclBox.alicePublicKey),
		bobSk: fromHex(naclBox.bobSecretKey),
		bobPk: fromHex(naclBox.bobPublicKey),
		shared: fromHex(naclBox.sharedKey),
		nonce: fromHex(naclBox.nonce),
		message: fromHex(naclBox.message),
		ciphertext: fromHex(naclBox.ciphertext)
	};

	it('boxes Alice → Bob to the published ciphertext and Bob opens it', () => {
		expect(v.message).toHaveLength(131);
		expect(toHex(agreementKeyPairFromSecret(v.aliceSk).publicKey)).toBe(naclBox.alicePublicKey);
		expect(toHex(nacl.box(v.message, v.nonce, v.bobPk, v.aliceSk))).toBe(naclBox.ciphertext);
		const opened = nacl.box.open(v.ciphertext, v.nonce, v.alicePk, v.bobSk);
		expect(opened && toHex(opened)).toBe(naclBox.message);
	});

	it('derives the published beforenm key, and secretbox under it gives the same ciphertext', () => {
		expect(toHex(nacl.box.before(v.bobPk, v.aliceSk))).toBe(naclBox.sharedKey);
		expect(toHex(nacl.box.before(v.alicePk, v.bobSk))).toBe(naclBox.sharedKey);
		expect(toHex(nacl.secretbox(v.message, v.nonce, v.shared))).toBe(naclBox.ciphertext);
	});

	it('refuses the ciphertext with any byte changed', () => {
		fc.assert(
			fc.property(fc.nat({ max: v.ciphertext.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, delta) => {
				const bad = Uint8Array.from(v.ciphertext);
				bad[i] = (bad[i]! + delta) & 0xff;
				expect(nacl.box.open(bad, v.nonce, v.alicePk, v.bobSk)).toBeNull();
			}),
			{ numRuns: 50 }
		);
	});
});

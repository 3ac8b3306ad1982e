import { describe, expect, it } from 'vitest';
import nacl from 'tweetnacl';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, fromHex, utf8 } from './bytes.ts';
import { signingKeyPairFromSeed, signSync, webcryptoEd25519 } from './ed25519.ts';
import { BadSignatureError, InvalidKeyError, UnknownPrekeyError } from './errors.ts';
import type { RandomBytes } from './random.ts';
import { generateAgreementKeyPair } from './x25519.ts';
import { agreementSignatureMessage, createIdentity } from './identity.ts';
import {
	AD_LENGTH,
	agreementKeyMessage,
	createOneTimePrekeys,
	createPrekeyBundle,
	createSignedPrekey,
	initiateX3dh,
	memoryPrekeyStore,
	respondX3dh,
	signAgreementKey,
	signedPrekeyMessage,
	verifyPrekeyBundle,
	type IdentityKeys,
	type PrekeyBundle,
	type X3dhInitiation,
	type X3dhInitialMessage
} from './x3dh.ts';
import { seededRandom } from './seeded-random.ts';

function makeIdentity(random: RandomBytes): IdentityKeys {
	const signing = signingKeyPairFromSeed(random(32));
	const agreement = generateAgreementKeyPair(random);
	return { signing, agreement, agreementSignature: signAgreementKey(signing, agreement.publicKey) };
}

// Small-order points of Curve25519 and their non-canonical encodings (RFC 7748 §6.1; the list
// libsodium refuses): X25519 with any of them gives all zeros.
const SMALL_ORDER = [
	'0000000000000000000000000000000000000000000000000000000000000000',
	'0100000000000000000000000000000000000000000000000000000000000000',
	'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
	'5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
	'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
	'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'
].map(fromHex);

function setup(seed: string) {
	const random = seededRandom(seed);
	const alice = makeIdentity(random);
	const bob = makeIdentity(random);
	const spk = createSignedPrekey(bob.signing, 7, { random, now: () => 1_700_000_000_000 });
	const opks = createOneTimePrekeys(100, 3, random);
	const store = memoryPrekeyStore([spk], opks);
	return { random, alice, bob, spk, opks, store };
}

function initialMessage(alice: IdentityKeys, init: X3dhInitiation): X3dhInitialMessage {
	return {
		identityKey: alice.signing.publicKey,
		agreementKey: alice.agreement.publicKey,
		agreementSignature: alice.agreementSignature,
		ephemeralKey: init.ephemeralPublic,
		...init.usedPrekeys
	};
}

describe('x3dh', () => {
	it('gives both sides the same key and AD, with a one-time prekey', async () => {
		const { random, alice, bob, spk, opks, store } = setup('with-opk');
		const bundle = createPrekeyBundle(bob, spk, opks[1]);
		expect(await verifyPrekeyBundle(bundle)).toBe(true);
		const init = await initiateX3dh({ me: alice, bundle, random });
		expect(init.usedPrekeys).toEqual({ signedPrekeyId: 7, oneTimePrekeyId: 101 });
		expect(init.remoteRatchetKey).toEqual(spk.keyPair.publicKey);
		const resp = await respondX3dh({ me: bob, message: initialMessage(alice, init), prekeys: store });
		expect(resp.sharedKey).toEqual(init.sharedKey);
		expect(resp.ad).toEqual(init.ad);
		expect(init.ad).toHaveLength(AD_LENGTH);
		expect(init.ad).toEqual(
			concat(alice.signing.publicKey, alice.agreement.publicKey, bob.signing.publicKey, bob.agreement.publicKey)
		);
		expect(resp.signedPrekey).toBe(spk.keyPair);
	});

	it('gives both sides the same key without a one-time prekey, and a different key than with one', async () => {
		const { random, alice, bob, spk, store } = setup('without-opk');
		const bundle = createPrekeyBundle(bob, spk);
		const init = await initiateX3dh({ me: alice, bundle, random });
		expect(init.usedPrekeys).toEqual({ signedPrekeyId: 7 });
		const msg = initialMessage(alice, init);
		const resp = await respondX3dh({ me: bob, message: msg, prekeys: store });
		expect(resp.sharedKey).toEqual(init.sharedKey);
		// The same EK with an OPK added must change SK (DH4 is mixed in).
		const withOpk = await respondX3dh({ me: bob, message: { ...msg, oneTimePrekeyId: 100 }, prekeys: store });
		expect(withOpk.sharedKey).not.toEqual(init.sharedKey);
	});

	it('derives SK exactly as X3DH §2.2 and §3.3 define it', async () => {
		const { random, alice, bob, spk, opks, store } = setup('formula');
		const init = await initiateX3dh({ me: alice, bundle: createPrekeyBundle(bob, spk, opks[0]), random });
		// Recompute from the responder's secrets with tweetnacl directly.
		const ek = init.ephemeralPublic;
		const dh1 = nacl.scalarMult(spk.keyPair.secretKey, alice.agreement.publicKey);
		const dh2 = nacl.scalarMult(bob.agreement.secretKey, ek);
		const dh3 = nacl.scalarMult(spk.keyPair.secretKey, ek);
		const dh4 = nacl.scalarMult(opks[0]!.keyPair.secretKey, ek);
		const ikm = concat(new Uint8Array(32).fill(0xff), dh1, dh2, dh3, dh4);
		const expected = hkdf(sha256, ikm, new Uint8Array(32), utf8('miaou/v1/x3dh'), 32);
		expect(init.sharedKey).toEqual(expected);
		const resp = await respondX3dh({ me: bob, message: initialMessage(alice, init), prekeys: store });
		expect(resp.sharedKey).toEqual(expected);
	});

	it('refuses a bundle whose signed prekey signature does not verify', async () => {
		const { random, alice, bob, spk } = setup('bad-spk');
		const good = createPrekeyBundle(bob, spk);
		const flipped = good.signedPrekey.signature.slice();
		flipped[5]! ^= 1;
		const other = signingKeyPairFromSeed(random(32));
		const bad: PrekeyBundle[] = [
			{ ...good, signedPrekey: { ...good.signedPrekey, signature: flipped } },
			// A signature by another key.
			{
				...good,
				signedPrekey: {
					...good.signedPrekey,
					signature: signSync(signedPrekeyMessage(7, spk.keyPair.publicKey), other.secretKey)
				}
			},
			// The signature covers the id: it cannot be moved to another id.
			{ ...good, signedPrekey: { ...good.signedPrekey, id: 8 } },
			// Nor to another key.
			{ ...good, signedPrekey: { ...good.signedPrekey, publicKey: generateAgreementKeyPair(random).publicKey } }
		];
		for (const bundle of bad) {
			expect(await verifyPrekeyBundle(bundle)).toBe(false);
			await expect(initiateX3dh({ me: alice, bundle, random })).rejects.toThrow(BadSignatureError);
		}
	});

	it('refuses a bundle whose agreement key is not signed by its identity key', async () => {
		const { random, alice, bob, spk } = setup('bad-agreement');
		const mallory = makeIdentity(random);
		// Mallory pairs Bob's Ed25519 id with her own X25519 key.
		const bundle: PrekeyBundle = {
			...createPrekeyBundle(bob, spk),
			agreementKey: mallory.agreement.publicKey,
			agreementSignature: mallory.agreementSignature
		};
		expect(await verifyPrekeyBundle(bundle)).toBe(false);
		await expect(initiateX3dh({ me: alice, bundle, random })).rejects.toThrow(BadSignatureError);
	});

	it('refuses an initial message whose agreement key is not signed by the claimed sender', async () => {
		const { random, alice, bob, spk, store } = setup('bad-sender');
		const mallory = makeIdentity(random);
		const init = await initiateX3dh({ me: mallory, bundle: createPrekeyBundle(bob, spk), random });
		// Mallory claims Alice's id but can only sign with her own key.
		const message = { ...initialMessage(mallory, init), identityKey: alice.signing.publicKey };
		await expect(respondX3dh({ me: bob, message, prekeys: store })).rejects.toThrow(BadSignatureError);
	});

	it('refuses small-order keys with InvalidKeyError', async () => {
		const { random, alice, bob, spk, store } = setup('small-order');
		const ed25519 = webcryptoEd25519(); // the fast path: this test makes many signature checks
		for (const point of SMALL_ORDER) {
			// Correctly signed, so only the key check can catch it.
			const spkBundle: PrekeyBundle = {
				...createPrekeyBundle(bob, spk),
				signedPrekey: {
					id: 7,
					publicKey: point,
					signature: signSync(signedPrekeyMessage(7, point), bob.signing.secretKey)
				}
			};
			expect(await verifyPrekeyBundle(spkBundle, ed25519)).toBe(false);
			await expect(initiateX3dh({ me: alice, bundle: spkBundle, random, ed25519 })).rejects.toThrow(InvalidKeyError);
			const ikBundle: PrekeyBundle = {
				...createPrekeyBundle(bob, spk),
				agreementKey: point,
				agreementSignature: signAgreementKey(bob.signing, point)
			};
			expect(await verifyPrekeyBundle(ikBundle, ed25519)).toBe(false);
			await expect(initiateX3dh({ me: alice, bundle: ikBundle, random, ed25519 })).rejects.toThrow(InvalidKeyError);
			const opkBundle: PrekeyBundle = { ...createPrekeyBundle(bob, spk), oneTimePrekey: { id: 100, publicKey: point } };
			expect(await verifyPrekeyBundle(opkBundle, ed25519)).toBe(false);
			await expect(initiateX3dh({ me: alice, bundle: opkBundle, random, ed25519 })).rejects.toThrow(InvalidKeyError);
			const init = await initiateX3dh({ me: alice, bundle: createPrekeyBundle(bob, spk), random, ed25519 });
			const message = { ...initialMessage(alice, init), ephemeralKey: point };
			await expect(respondX3dh({ me: bob, message, prekeys: store, ed25519 })).rejects.toThrow(InvalidKeyError);
		}
	});

	it('refuses a one-time prekey that was already used, and an unknown signed prekey', async () => {
		const { random, alice, bob, spk, opks, store } = setup('used-opk');
		const init = await initiateX3dh({ me: alice, bundle: createPrekeyBundle(bob, spk, opks[2]), random });
		const message = initialMessage(alice, init);
		await respondX3dh({ me: bob, message, prekeys: store });
		// The caller removes it once the first message decrypted (session.ts does this).
		await store.removeOneTimePrekey(102);
		expect(store.oneTimeIds()).toEqual([100, 101]);
		await expect(respondX3dh({ me: bob, message, prekeys: store })).rejects.toThrow(UnknownPrekeyError);
		await expect(respondX3dh({ me: bob, message: { ...message, oneTimePrekeyId: 5 }, prekeys: store })).rejects.toThrow(
			/one-time prekey 5/
		);
		await expect(respondX3dh({ me: bob, message: { ...message, signedPrekeyId: 8 }, prekeys: store })).rejects.toThrow(
			/signed prekey 8/
		);
	});

	it('accepts an Identity from identity.ts as is: same agreement-key signature format', async () => {
		// x3dh.ts takes key pairs, not identity.ts; this guards the two against drifting apart.
		const random = seededRandom('identity-compat');
		const identity = createIdentity({ random, now: () => 0 });
		const k = identity.agreement.publicKey;
		expect(agreementKeyMessage(k)).toEqual(agreementSignatureMessage(k));
		const bob = makeIdentity(random);
		const spk = createSignedPrekey(bob.signing, 1, { random });
		const init = await initiateX3dh({ me: identity, bundle: createPrekeyBundle(bob, spk), random });
		const resp = await respondX3dh({
			me: bob,
			message: initialMessage(identity, init),
			prekeys: memoryPrekeyStore([spk])
		});
		expect(resp.sharedKey).toEqual(init.sharedKey);
		const bundle = createPrekeyBundle(identity, createSignedPrekey(identity.signing, 2, { random }));
		expect(await verifyPrekeyBundle(bundle)).toBe(true);
	});

	it('makes prekeys with consecutive ids and distinct keys, and checks ranges', () => {
		const random = seededRandom('prekeys');
		const opks = createOneTimePrekeys(10, 5, random);
		expect(opks.map((p) => p.id)).toEqual([10, 11, 12, 13, 14]);
		expect(new Set(opks.map((p) => p.keyPair.publicKey.join())).size).toBe(5);
		expect(() => createOneTimePrekeys(0xffff_fffe, 3, random)).toThrow(RangeError);
		expect(() => createOneTimePrekeys(0, 1001, random)).toThrow(RangeError);
		const signing = signingKeyPairFromSeed(random(32));
		expect(() => createSignedPrekey(signing, -1, { random })).toThrow(RangeError);
		expect(() => createSignedPrekey(signing, 1.5, { random })).toThrow(RangeError);
		const spk = createSignedPrekey(signing, 3, { random, now: () => 42 });
		expect(spk.createdAt).toBe(42);
		expect(
			nacl.sign.detached.verify(signedPrekeyMessage(3, spk.keyPair.publicKey), spk.signature, signing.publicKey)
		).toBe(true);
	});
});

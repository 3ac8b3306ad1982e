import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { base32 } from 'multiformats/bases/base32';
import { base58btc } from 'multiformats/bases/base58';
import rfc8032 from '../../../tests/vectors/rfc8032-ed25519.json' with { type: 'json' };
import { concat, fromHex, toBase64url, toHex, utf8 } from './bytes.ts';
import { signingKeyPairFromSeed, signSync, tweetnaclEd25519, webcryptoEd25519 } from './ed25519.ts';
import { BadSignatureError, InvalidIdError, MalformedError, TooLargeError, UnsupportedVersionError } from './errors.ts';
import {
	agreementSignatureMessage,
	createIdentity,
	decodeIdentitySecrets,
	encodeIdentitySecrets,
	idFromSigningKey,
	identityFromSecrets,
	identityToSecrets,
	isMiaouId,
	MAX_IDENTITY_SECRETS_BYTES,
	publicIdentity,
	safetyNumber,
	shortFingerprint,
	signingKeyFromId,
	verifyPublicIdentity,
	type Identity,
	type MiaouId
} from './identity.ts';

/** A deterministic RandomBytes: a counter-filled stream, so tests are reproducible. */
function seededRandom(seed: number) {
	let counter = seed;
	return (n: number) => Uint8Array.from({ length: n }, () => (counter = (counter * 1103515245 + 12345) >>> 0) >>> 24);
}

const idOf = (seed: Uint8Array) => idFromSigningKey(signingKeyPairFromSeed(seed).publicKey);
const didFromBytes = (bytes: Uint8Array) => `did:key:${base58btc.encode(bytes)}`;

describe('did:key ids', () => {
	it('matches the did:key spec test vector (all-zero Ed25519 seed)', () => {
		// w3c-ccg did-method-key test vectors: this did resolves to the publicKeyJwk x below, the
		// public key of the all-zero seed.
		const kp = signingKeyPairFromSeed(new Uint8Array(32));
		expect(toBase64url(kp.publicKey)).toBe('O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik');
		expect(idFromSigningKey(kp.publicKey)).toBe('did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp');
		expect(toHex(signingKeyFromId('did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp'))).toBe(
			toHex(kp.publicKey)
		);
	});

	it('encodes the RFC 8032 test keys as did:key:z6Mk…', () => {
		for (const v of rfc8032.vectors) {
			const id = idFromSigningKey(fromHex(v.publicKey));
			expect(id.startsWith('did:key:z6Mk')).toBe(true);
			expect(id).toHaveLength(56);
			expect(toHex(signingKeyFromId(id))).toBe(v.publicKey);
		}
	});

	it('round-trips any key (property)', () => {
		fc.assert(
			fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
				const { publicKey } = signingKeyPairFromSeed(seed);
				const id = idFromSigningKey(publicKey);
				expect(isMiaouId(id)).toBe(true);
				expect(id.startsWith('did:key:z6Mk')).toBe(true);
				expect(toHex(signingKeyFromId(id))).toBe(toHex(publicKey));
			}),
			{ numRuns: 40 }
		);
	});

	it('refuses each malformed id with InvalidIdError naming the reason', () => {
		const key = fromHex(rfc8032.vectors[0]!.publicKey);
		const good = idFromSigningKey(key);
		const cases: [unknown, RegExp][] = [
			[42, /not a string/],
			[good + 'z'.repeat(100), /longer than 128/],
			['did:web:example.com', /does not start with "did:key:"/],
			['DID:KEY:' + good.slice(8), /does not start with "did:key:"/],
			['did:key:' + 'f' + toHex(concat(Uint8Array.of(0xed, 0x01), key)), /multibase base58btc/],
			['did:key:z6Mk0OIl', /not valid base58btc/],
			[good + '#' + good.slice(8), /not valid base58btc/],
			['did:key:z', /multicodec/],
			[didFromBytes(concat(Uint8Array.of(0xec, 0x01), key)), /multicodec 0xec is not ed25519-pub/],
			[didFromBytes(concat(Uint8Array.of(0xe7, 0x01), key, Uint8Array.of(0))), /multicodec 0xe7/],
			[didFromBytes(concat(Uint8Array.of(0xed, 0x01), key.subarray(0, 31))), /31 bytes, not 32/],
			[didFromBytes(concat(Uint8Array.of(0xed, 0x01), key, Uint8Array.of(0))), /33 bytes, not 32/],
			[didFromBytes(concat(Uint8Array.of(0xed, 0x01), new Uint8Array(32))), /small-order/],
			[didFromBytes(concat(Uint8Array.of(0xed, 0x01), Uint8Array.of(1, ...new Uint8Array(31)))), /small-order/]
		];
		for (const [id, reason] of cases) {
			expect(() => signingKeyFromId(id as string), String(id)).toThrow(InvalidIdError);
			expect(() => signingKeyFromId(id as string), String(id)).toThrow(reason);
			expect(isMiaouId(id)).toBe(false);
		}
		expect(() => idFromSigningKey(new Uint8Array(31))).toThrow(InvalidIdError);
		expect(() => idFromSigningKey(new Uint8Array(32))).toThrow(/small-order/);
	});
});

describe('identities', () => {
	it('are created from the given randomness and clock', () => {
		const a = createIdentity({ random: seededRandom(1), now: () => 1_700_000_000_000 });
		const b = createIdentity({ random: seededRandom(1), now: () => 5 });
		expect(a.id).toBe(b.id);
		expect(a.createdAt).toBe(1_700_000_000_000);
		expect(a.signing.secretKey).toHaveLength(64);
		expect(toHex(a.signing.secretKey.subarray(32))).toBe(toHex(a.signing.publicKey));
		expect(a.id).toBe(idFromSigningKey(a.signing.publicKey));
		expect(createIdentity().id).not.toBe(createIdentity().id);
		expect(() => createIdentity({ random: () => new Uint8Array(4) })).toThrow(RangeError);
	});

	it('sign their agreement key, and the public identity verifies on every path', async () => {
		const me = createIdentity();
		const pub = publicIdentity(me);
		expect(pub.agreementSignature).toEqual(signSync(agreementSignatureMessage(pub.agreementKey), me.signing.secretKey));
		expect(await verifyPublicIdentity(pub)).toBe(true);
		expect(await verifyPublicIdentity(pub, webcryptoEd25519())).toBe(true);
		// publicIdentity copies: changing the copy leaves the identity alone.
		pub.agreementKey[0]! ^= 1;
		expect(me.agreement.publicKey[0]).not.toBe(pub.agreementKey[0]);
	});

	it('refuse a public identity whose parts do not belong together', async () => {
		const me = createIdentity();
		const other = createIdentity();
		const pub = publicIdentity(me);
		const flipped = (b: Uint8Array) => {
			const c = Uint8Array.from(b);
			c[0]! ^= 1;
			return c;
		};
		const smallOrder = new Uint8Array(32);
		const bad: unknown[] = [
			{ ...pub, agreementKey: flipped(pub.agreementKey) },
			{ ...pub, agreementSignature: flipped(pub.agreementSignature) },
			{ ...pub, id: other.id },
			{ ...pub, signingKey: other.signing.publicKey },
			{ ...publicIdentity(other), agreementKey: pub.agreementKey, agreementSignature: pub.agreementSignature },
			// Signed by the right key, but a small-order agreement key is refused all the same.
			{
				...pub,
				agreementKey: smallOrder,
				agreementSignature: signSync(agreementSignatureMessage(smallOrder), me.signing.secretKey)
			},
			{ ...pub, agreementKey: pub.agreementKey.subarray(0, 31) },
			{ ...pub, id: 'did:key:zzz' },
			{ ...pub, signingKey: 'key' },
			null,
			'identity',
			{}
		];
		for (const p of bad) expect(await verifyPublicIdentity(p as never, tweetnaclEd25519)).toBe(false);
	});
});

describe('safety numbers', () => {
	// An independent implementation of the documented construction, on WebCrypto's SHA-512.
	async function referenceHalf(id: MiaouId): Promise<string> {
		const key = signingKeyFromId(id);
		let hash = concat(Uint8Array.of(0, 0), key, utf8(id));
		for (let i = 0; i < 5200; i++)
			hash = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-512', Uint8Array.from(concat(hash, key))));
		let out = '';
		for (let c = 0; c < 6; c++) {
			const n = hash.subarray(c * 5, c * 5 + 5).reduce((acc, byte) => acc * 256n + BigInt(byte), 0n);
			out += (n % 100000n).toString().padStart(5, '0');
		}
		return out;
	}

	const alice = idOf(new Uint8Array(32).fill(1));
	const bob = idOf(new Uint8Array(32).fill(2));
	const carol = idOf(new Uint8Array(32).fill(3));

	it('are 60 digits in 12 groups of 5, the same from both sides', () => {
		const n = safetyNumber(alice, bob);
		expect(n).toMatch(/^\d{5}( \d{5}){11}$/);
		expect(safetyNumber(bob, alice)).toBe(n);
	});

	it('follow the documented construction (checked against a WebCrypto SHA-512 implementation)', async () => {
		const halves = [await referenceHalf(alice), await referenceHalf(bob)].sort();
		expect(safetyNumber(alice, bob).replaceAll(' ', '')).toBe(halves.join(''));
	});

	it('differ when either side differs', () => {
		const ab = safetyNumber(alice, bob);
		expect(safetyNumber(alice, carol)).not.toBe(ab);
		expect(safetyNumber(carol, bob)).not.toBe(ab);
		expect(() => safetyNumber(alice, 'did:key:zBad' as MiaouId)).toThrow(InvalidIdError);
	});

	it('short fingerprints are 4 groups of 4 base32 characters of SHA-256(key)', async () => {
		const f = shortFingerprint(alice);
		expect(f).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
		const digest = new Uint8Array(
			await globalThis.crypto.subtle.digest('SHA-256', Uint8Array.from(signingKeyFromId(alice)))
		);
		expect(f.replaceAll('-', '')).toBe(base32.baseEncode(digest).slice(0, 16));
		expect(shortFingerprint(bob)).not.toBe(f);
	});
});

describe('identity secrets', () => {
	const me = createIdentity({ random: seededRandom(7), now: () => 1234 });

	it('round-trip, rebuilding every key', () => {
		const back = decodeIdentitySecrets(encodeIdentitySecrets(me));
		expect(back.id).toBe(me.id);
		expect(back.signing).toEqual(me.signing);
		expect(back.agreement).toEqual(me.agreement);
		expect(back.agreementSignature).toEqual(me.agreementSignature);
		expect(back.createdAt).toBe(1234);
		expect(JSON.parse(JSON.stringify(identityToSecrets(me)))).toEqual(identityToSecrets(me));
	});

	it('refuse anything inconsistent, with a named error', () => {
		const good = identityToSecrets(me);
		const other = identityToSecrets(createIdentity());
		const cases: [unknown, new (...args: never[]) => Error][] = [
			[{ ...good, id: other.id }, MalformedError],
			[{ ...good, signingSeed: other.signingSeed }, MalformedError],
			[{ ...good, agreementSecret: other.agreementSecret }, BadSignatureError],
			[{ ...good, agreementSignature: other.agreementSignature }, BadSignatureError],
			[{ ...good, signingSeed: good.signingSeed.slice(0, 20) }, MalformedError],
			[{ ...good, agreementSignature: 42 }, MalformedError],
			[{ ...good, createdAt: -1 }, MalformedError],
			[{ ...good, createdAt: '1234' }, MalformedError],
			[{ ...good, extra: 1 }, MalformedError],
			[{ ...good, v: 2 }, UnsupportedVersionError],
			[{ ...good, v: undefined }, MalformedError],
			[{ ...good, id: 'did:key:nope' }, InvalidIdError],
			[[good], MalformedError],
			[null, MalformedError]
		];
		for (const [value, error] of cases) expect(() => identityFromSecrets(value), JSON.stringify(value)).toThrow(error);
	});

	it('decode size-checks before parsing', () => {
		expect(() => decodeIdentitySecrets(new Uint8Array(MAX_IDENTITY_SECRETS_BYTES + 1))).toThrow(TooLargeError);
		expect(() => decodeIdentitySecrets(utf8('{"v":1,'))).toThrow(MalformedError);
		expect(() => decodeIdentitySecrets(Uint8Array.of(0xff))).toThrow(MalformedError);
	});

	it('refuse to serialize an identity with keys of the wrong size', () => {
		const broken = { ...me, signing: { ...me.signing, secretKey: new Uint8Array(32) } } as Identity;
		expect(() => identityToSecrets(broken)).toThrow(RangeError);
	});
});

/**
 * A Miaou identity: an Ed25519 signing key (the user's id) and an X25519 agreement key signed by
 * it (ARCHITECTURE.md, "Identity").
 *
 * The id is the signing key as a `did:key` (W3C CCG did:key method, §2 "Format"):
 * `did:key:` + multibase base58btc (`z`) of the multicodec varint of ed25519-pub (0xed, encoded as
 * the two bytes 0xed 0x01) followed by the 32-byte key. Every Ed25519 did:key starts `did:key:z6Mk`.
 *
 * Two short forms are derived for people: `safetyNumber` (60 digits, for checking a contact in person)
 * and `shortFingerprint` (16 base32 characters, for recognising an id at a glance).
 */
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { base32 } from 'multiformats/bases/base32';
import { base58btc } from 'multiformats/bases/base58';
import { varint } from 'multiformats';
import { concat, equalBytes, fromBase64url, fromUtf8, toBase64url, utf8 } from './bytes.ts';
import {
	isUsablePublicKey,
	PUBLIC_KEY_LENGTH,
	SEED_LENGTH,
	SIGNATURE_LENGTH,
	signingKeyPairFromSeed,
	signSync,
	tweetnaclEd25519,
	verifySync,
	type Ed25519,
	type SigningKeyPair
} from './ed25519.ts';
import { BadSignatureError, InvalidIdError, MalformedError, TooLargeError, UnsupportedVersionError } from './errors.ts';
import { randomBytes as defaultRandom, systemClock, type Clock, type RandomBytes } from './random.ts';
import {
	agreementKeyPairFromSecret,
	generateAgreementKeyPair,
	isSmallOrderX25519,
	X25519_KEY_LENGTH,
	type AgreementKeyPair
} from './x25519.ts';

/** A user id: the Ed25519 signing key as a did:key. Only `signingKeyFromId` / `isMiaouId` vouch for one. */
export type MiaouId = `did:key:z${string}`;

/** A full identity, secrets included. Never leaves the device except encrypted (`keystore.ts`). */
export interface Identity {
	id: MiaouId;
	/** Ed25519; `secretKey` is 64 bytes, seed ‖ public key (the tweetnacl form). */
	signing: SigningKeyPair;
	/** X25519, for key agreement. */
	agreement: AgreementKeyPair;
	/** Ed25519 signature by `signing` over `agreementSignatureMessage(agreement.publicKey)`. */
	agreementSignature: Uint8Array;
	/** Creation time, ms since the Unix epoch. */
	createdAt: number;
}

/** What others learn of an identity. */
export interface PublicIdentity {
	id: MiaouId;
	signingKey: Uint8Array;
	agreementKey: Uint8Array;
	agreementSignature: Uint8Array;
}

/** The did:key method prefix (did:key spec §2). */
export const DID_KEY_PREFIX = 'did:key:';
/** The multicodec code of an Ed25519 public key (multicodec table: ed25519-pub). */
export const ED25519_PUB_MULTICODEC = 0xed;
/** An Ed25519 did:key is 56 characters; anything longer than this is refused before decoding. */
export const MAX_ID_LENGTH = 128;
/** Domain separation for the agreement-key signature, so it can never be mistaken for another signed object. */
export const AGREEMENT_KEY_CONTEXT = 'miaou/v1/agreement-key';
/** SHA-512 rounds per id in the safety number (Signal's NumericFingerprintGenerator uses 5200). */
export const SAFETY_NUMBER_ITERATIONS = 5200;
/** Version bytes at the head of the safety-number hash input; bump if the construction changes. */
export const SAFETY_NUMBER_VERSION = 0;

// varint(0xed) = 0xed 0x01 (multiformats unsigned-varint: 7 low bits with the continuation bit, then 1).
const ED25519_PUB_PREFIX = Uint8Array.of(0xed, 0x01);

/**
 * The did:key of an Ed25519 public key.
 * @param publicKey - 32-byte Ed25519 public key
 * @returns `did:key:z6Mk…`
 * @throws {InvalidIdError} when the key is not 32 bytes or is not usable (non-canonical, small order)
 * @example idFromSigningKey(identity.signing.publicKey) // 'did:key:z6Mk…'
 */
export function idFromSigningKey(publicKey: Uint8Array): MiaouId {
	if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_LENGTH)
		throw new InvalidIdError(`an Ed25519 public key is ${PUBLIC_KEY_LENGTH} bytes`);
	if (!isUsablePublicKey(publicKey))
		throw new InvalidIdError('the key is a small-order or non-canonical Ed25519 point');
	return `${DID_KEY_PREFIX}${base58btc.encode(concat(ED25519_PUB_PREFIX, publicKey))}` as MiaouId;
}

/**
 * The Ed25519 public key inside a did:key, checking each layer in turn.
 * @param id - the text to decode
 * @returns the 32-byte public key
 * @throws {InvalidIdError} naming the layer that failed: type or length, the `did:key:` prefix, the
 *   multibase prefix `z`, the base58btc encoding, the multicodec (must be ed25519-pub 0xed), the key
 *   length, or a small-order / non-canonical key
 */
export function signingKeyFromId(id: string): Uint8Array {
	if (typeof id !== 'string') throw new InvalidIdError('it is not a string');
	if (id.length > MAX_ID_LENGTH) throw new InvalidIdError(`it is longer than ${MAX_ID_LENGTH} characters`);
	if (!id.startsWith(DID_KEY_PREFIX)) throw new InvalidIdError(`it does not start with "${DID_KEY_PREFIX}"`);
	const multibase = id.slice(DID_KEY_PREFIX.length);
	if (!multibase.startsWith('z'))
		throw new InvalidIdError('the key is not multibase base58btc (it must start with "z" after "did:key:")');
	let bytes: Uint8Array;
	try {
		bytes = base58btc.decode(multibase);
	} catch {
		throw new InvalidIdError('the key is not valid base58btc text');
	}
	let code: number;
	try {
		code = varint.decode(bytes)[0];
	} catch {
		throw new InvalidIdError('the key has no valid multicodec prefix');
	}
	if (code !== ED25519_PUB_MULTICODEC || bytes[0] !== 0xed || bytes[1] !== 0x01)
		throw new InvalidIdError(`multicodec 0x${code.toString(16)} is not ed25519-pub (0xed)`);
	const key = bytes.subarray(ED25519_PUB_PREFIX.length);
	if (key.length !== PUBLIC_KEY_LENGTH)
		throw new InvalidIdError(`the Ed25519 key is ${key.length} bytes, not ${PUBLIC_KEY_LENGTH}`);
	if (!isUsablePublicKey(key)) throw new InvalidIdError('the key is a small-order or non-canonical Ed25519 point');
	return Uint8Array.from(key);
}

/**
 * Whether a value is a well-formed Miaou id (see `signingKeyFromId` for what is checked).
 * @param value - anything
 * @returns true for a usable Ed25519 did:key
 */
export function isMiaouId(value: unknown): value is MiaouId {
	if (typeof value !== 'string') return false;
	try {
		signingKeyFromId(value);
		return true;
	} catch {
		return false;
	}
}

/**
 * The bytes the agreement-key signature covers: utf8(AGREEMENT_KEY_CONTEXT) ‖ X25519 public key.
 * @param agreementKey - the 32-byte X25519 public key
 * @returns the message to sign or verify
 */
export function agreementSignatureMessage(agreementKey: Uint8Array): Uint8Array {
	return concat(utf8(AGREEMENT_KEY_CONTEXT), agreementKey);
}

function takeRandom(random: RandomBytes, n: number): Uint8Array {
	const out = random(n);
	if (!(out instanceof Uint8Array) || out.length !== n) throw new RangeError(`random(${n}) must return ${n} bytes`);
	return out;
}

/**
 * Create a new identity: a random Ed25519 seed, a random X25519 secret, the signature binding them.
 * @param opts.random - source of randomness (default: WebCrypto's CSPRNG); pass one only in tests
 * @param opts.now - clock for `createdAt` (default: the system clock)
 * @returns the new identity
 * @throws {RangeError} when `random` does not return the bytes asked for
 * @example const me = createIdentity(); me.id // 'did:key:z6Mk…'
 */
export function createIdentity(opts: { random?: RandomBytes; now?: Clock } = {}): Identity {
	const random = opts.random ?? defaultRandom;
	const now = opts.now ?? systemClock;
	const signing = signingKeyPairFromSeed(takeRandom(random, SEED_LENGTH));
	const agreement = generateAgreementKeyPair((n) => takeRandom(random, n));
	return {
		id: idFromSigningKey(signing.publicKey),
		signing,
		agreement,
		agreementSignature: signSync(agreementSignatureMessage(agreement.publicKey), signing.secretKey),
		createdAt: now()
	};
}

/**
 * The public half of an identity, as published in a profile.
 * @param identity - a full identity
 * @returns copies of the id, both public keys and the agreement signature
 */
export function publicIdentity(identity: Identity): PublicIdentity {
	return {
		id: identity.id,
		signingKey: Uint8Array.from(identity.signing.publicKey),
		agreementKey: Uint8Array.from(identity.agreement.publicKey),
		agreementSignature: Uint8Array.from(identity.agreementSignature)
	};
}

/**
 * Check a public identity from outside: the id decodes to `signingKey`, the agreement key is a
 * usable X25519 key (not small order), and the signing key signed it.
 * @param p - the public identity to check (any shape; wrong types answer false)
 * @param ed - the Ed25519 implementation to verify with (default: tweetnacl; pass a faster one)
 * @returns true when every check holds; never throws
 */
export async function verifyPublicIdentity(p: PublicIdentity, ed: Ed25519 = tweetnaclEd25519): Promise<boolean> {
	try {
		if (typeof p !== 'object' || p === null) return false;
		const { id, signingKey, agreementKey, agreementSignature } = p;
		if (!isMiaouId(id) || !(signingKey instanceof Uint8Array) || !equalBytes(signingKeyFromId(id), signingKey))
			return false;
		if (!(agreementKey instanceof Uint8Array) || agreementKey.length !== X25519_KEY_LENGTH) return false;
		if (isSmallOrderX25519(agreementKey)) return false;
		if (!(agreementSignature instanceof Uint8Array) || agreementSignature.length !== SIGNATURE_LENGTH) return false;
		return await ed.verify(agreementSignature, agreementSignatureMessage(agreementKey), signingKey);
	} catch {
		return false;
	}
}

function fingerprintDigits(id: MiaouId, key: Uint8Array): string {
	// Signal's NumericFingerprintGenerator (v2 "scalable" fingerprint): hash_0 = version ‖ key ‖ stable
	// id, hash_{i+1} = SHA-512(hash_i ‖ key), 5200 rounds, to make a second-preimage search on the
	// 30 displayed digits cost 5200 hashes per try.
	const version = Uint8Array.of(SAFETY_NUMBER_VERSION >> 8, SAFETY_NUMBER_VERSION & 0xff);
	let hash = sha512(concat(version, key, utf8(id), key));
	const block = new Uint8Array(64 + PUBLIC_KEY_LENGTH); // hash_i ‖ key, reused for every later round
	block.set(key, 64);
	for (let i = 1; i < SAFETY_NUMBER_ITERATIONS; i++) {
		block.set(hash, 0);
		hash = sha512(block);
	}
	let digits = '';
	// The first 30 bytes, as six 5-byte big-endian integers, each mod 100000 as 5 digits.
	for (let chunk = 0; chunk < 6; chunk++) {
		let value = 0; // at most 2^40: exact in a double
		for (let j = 0; j < 5; j++) value = value * 256 + hash[chunk * 5 + j]!;
		digits += String(value % 100000).padStart(5, '0');
	}
	return digits;
}

/**
 * The safety number of a pair of ids, the same for both sides: two people read it to each other (or
 * compare it on screen) to know that no one sits between them.
 *
 * Construction (after Signal's numeric fingerprint): for each id, hash_0 = 0x0000 ‖ its 32-byte
 * Ed25519 key ‖ utf8(id); hash_{i+1} = SHA-512(hash_i ‖ key) for 5200 rounds; the first 30 bytes of
 * the result give six 5-digit groups (each 5 bytes as a big-endian integer, mod 100000). The two
 * 30-digit halves are sorted, so the order of the arguments does not matter, and concatenated.
 * Costs about 2 × 5200 SHA-512 (≈ 0.1–0.25 s in JavaScript).
 * @param a - one id
 * @param b - the other id
 * @returns 60 digits in 12 groups of 5 separated by single spaces
 * @throws {InvalidIdError} when either id is not a valid Miaou id
 */
export function safetyNumber(a: MiaouId, b: MiaouId): string {
	const halves = [fingerprintDigits(a, signingKeyFromId(a)), fingerprintDigits(b, signingKeyFromId(b))].sort();
	return halves.join('').replace(/(\d{5})(?=\d)/g, '$1 ');
}

/**
 * A short display form of an id: the first 80 bits of SHA-256(public key) in lower-case RFC 4648
 * base32, as four groups of four characters joined by '-'. For recognising an id at a glance, not
 * for verifying one (use `safetyNumber` for that).
 * @param id - a Miaou id
 * @returns e.g. 'mfrg-gzdf-mztw-q2lk'
 * @throws {InvalidIdError} when the id is not a valid Miaou id
 */
export function shortFingerprint(id: MiaouId): string {
	const text = base32.baseEncode(sha256(signingKeyFromId(id))).slice(0, 16);
	return text.replace(/(.{4})(?=.)/g, '$1-');
}

// ——— Secret-material serialization ———

/** Version of the `IdentitySecrets` form. */
export const IDENTITY_SECRETS_VERSION = 1;
/** Upper bound of an encoded `IdentitySecrets` (it is about 330 bytes). */
export const MAX_IDENTITY_SECRETS_BYTES = 2048;

/**
 * An identity's secrets as plain JSON-safe values (base64url without padding): what the key backup
 * encrypts, and what the web app may keep in IndexedDB *only inside* an encrypted backup or for the
 * lifetime of an unlocked session. Everything else (public keys) is derived from it again on load.
 */
export interface IdentitySecrets {
	v: typeof IDENTITY_SECRETS_VERSION;
	id: MiaouId;
	/** The 32-byte Ed25519 seed. */
	signingSeed: string;
	/** The 32-byte X25519 secret. */
	agreementSecret: string;
	/** The 64-byte agreement-key signature (re-verified on load). */
	agreementSignature: string;
	createdAt: number;
}

const SECRET_FIELDS = ['v', 'id', 'signingSeed', 'agreementSecret', 'agreementSignature', 'createdAt'];

/**
 * The secrets of an identity, to store or encrypt.
 * @param identity - a full identity
 * @returns the JSON-safe secrets (handle as secret material)
 * @throws {TypeError | RangeError} when the identity's keys have the wrong type or length
 */
export function identityToSecrets(identity: Identity): IdentitySecrets {
	const { signing, agreement } = identity;
	if (!(signing?.secretKey instanceof Uint8Array) || signing.secretKey.length !== 64)
		throw new RangeError('identity.signing.secretKey must be 64 bytes');
	if (!(agreement?.secretKey instanceof Uint8Array) || agreement.secretKey.length !== X25519_KEY_LENGTH)
		throw new RangeError('identity.agreement.secretKey must be 32 bytes');
	return {
		v: IDENTITY_SECRETS_VERSION,
		id: identity.id,
		signingSeed: toBase64url(signing.secretKey.subarray(0, SEED_LENGTH)),
		agreementSecret: toBase64url(agreement.secretKey),
		agreementSignature: toBase64url(identity.agreementSignature),
		createdAt: identity.createdAt
	};
}

function field(value: unknown, length: number, name: string): Uint8Array {
	if (typeof value !== 'string') throw new MalformedError('Identity secrets', `${name} is not a string`);
	const bytes = fromBase64url(value);
	if (bytes.length !== length) throw new MalformedError('Identity secrets', `${name} is not ${length} bytes`);
	return bytes;
}

/**
 * Rebuild an identity from its secrets, checking everything: the field set, the id against the key
 * derived from the seed, and the agreement signature.
 * @param value - the parsed secrets (any shape; it is checked)
 * @returns the identity
 * @throws {MalformedError} on a wrong shape, a wrong length, or keys that do not match the id
 * @throws {UnsupportedVersionError} on an unknown `v`
 * @throws {InvalidIdError} when `id` is not a Miaou id
 * @throws {BadSignatureError} when the agreement signature does not verify
 */
export function identityFromSecrets(value: unknown): Identity {
	if (typeof value !== 'object' || value === null || Array.isArray(value))
		throw new MalformedError('Identity secrets', 'not an object');
	const v = value as Record<string, unknown>;
	if (v.v !== IDENTITY_SECRETS_VERSION) {
		if (typeof v.v === 'number') throw new UnsupportedVersionError('Identity secrets', v.v);
		throw new MalformedError('Identity secrets', 'no version');
	}
	for (const k of Object.keys(v))
		if (!SECRET_FIELDS.includes(k)) throw new MalformedError('Identity secrets', `unknown field ${JSON.stringify(k)}`);
	const claimed = signingKeyFromId(v.id as string);
	const signing = signingKeyPairFromSeed(field(v.signingSeed, SEED_LENGTH, 'signingSeed'));
	if (!equalBytes(signing.publicKey, claimed))
		throw new MalformedError('Identity secrets', 'the signing key does not match the id');
	const agreement = agreementKeyPairFromSecret(field(v.agreementSecret, X25519_KEY_LENGTH, 'agreementSecret'));
	const agreementSignature = field(v.agreementSignature, SIGNATURE_LENGTH, 'agreementSignature');
	if (!verifySync(agreementSignature, agreementSignatureMessage(agreement.publicKey), signing.publicKey))
		throw new BadSignatureError('the agreement key');
	const createdAt = v.createdAt;
	if (typeof createdAt !== 'number' || !Number.isSafeInteger(createdAt) || createdAt < 0)
		throw new MalformedError('Identity secrets', 'createdAt is not a non-negative integer');
	return { id: v.id as MiaouId, signing, agreement, agreementSignature, createdAt };
}

/**
 * Encode an identity's secrets as JSON text (UTF-8 bytes), e.g. as the plaintext of a key backup.
 * @param identity - a full identity
 * @returns the UTF-8 JSON of `identityToSecrets(identity)`; wipe it after use
 */
export function encodeIdentitySecrets(identity: Identity): Uint8Array {
	return utf8(JSON.stringify(identityToSecrets(identity)));
}

/**
 * Decode what `encodeIdentitySecrets` wrote, size-checked first.
 * @param bytes - UTF-8 JSON
 * @returns the identity, fully checked (see `identityFromSecrets`)
 * @throws {TooLargeError} over `MAX_IDENTITY_SECRETS_BYTES`
 * @throws {MalformedError} on invalid UTF-8 or JSON, and everything `identityFromSecrets` throws
 */
export function decodeIdentitySecrets(bytes: Uint8Array): Identity {
	if (bytes.length > MAX_IDENTITY_SECRETS_BYTES)
		throw new TooLargeError('Identity secrets', bytes.length, MAX_IDENTITY_SECRETS_BYTES);
	let parsed: unknown;
	try {
		parsed = JSON.parse(fromUtf8(bytes));
	} catch (error) {
		if (error instanceof MalformedError) throw error;
		throw new MalformedError('Identity secrets', 'not JSON');
	}
	return identityFromSecrets(parsed);
}

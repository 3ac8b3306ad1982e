/**
 * First contact by X3DH (Signal, "The X3DH Key Agreement Protocol", revision 1, 2016-11-04,
 * https://signal.org/docs/specifications/x3dh/), curve X25519, hash SHA-256,
 * info "miaou/v1/x3dh".
 *
 * One change from the spec: a Miaou identity is an Ed25519 signing key plus an X25519 agreement key
 * that the Ed25519 key signs, so the identity key in DH1/DH2 is that X25519 key and signatures use
 * Ed25519 directly — no XEdDSA (spec §2.2, Sig) is needed. Because of that, a peer's
 * agreement key is trusted only once its signature by the peer's Ed25519 key verifies; without
 * that check anyone could pair someone else's Ed25519 key with their own X25519 key.
 *
 * No I/O: keys, randomness and the prekey store come in as parameters.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { abytes, concat, utf8 } from './bytes.ts';
import {
	PUBLIC_KEY_LENGTH,
	SIGNATURE_LENGTH,
	signSync,
	tweetnaclEd25519,
	type Ed25519,
	type SigningKeyPair
} from './ed25519.ts';
import { BadSignatureError, UnknownPrekeyError } from './errors.ts';
import { randomBytes as defaultRandom, systemClock, type Clock, type RandomBytes } from './random.ts';
import {
	generateAgreementKeyPair,
	isSmallOrderX25519,
	x25519,
	X25519_KEY_LENGTH,
	type AgreementKeyPair
} from './x25519.ts';

/** HKDF info of the X3DH KDF (spec §2.1 "info"). */
export const X3DH_INFO = utf8('miaou/v1/x3dh');
/** Domain label signed before a signed prekey's id and public key. */
export const SIGNED_PREKEY_LABEL = utf8('miaou/v1/signed-prekey');
/** Domain label signed before an identity's X25519 agreement key. */
export const AGREEMENT_KEY_LABEL = utf8('miaou/v1/agreement-key');
/** Length of the associated data: both identities' Ed25519 and X25519 public keys. */
export const AD_LENGTH = 4 * 32;
/** Prekey ids are unsigned 32-bit integers. */
export const MAX_PREKEY_ID = 0xffff_ffff;

// Spec §2.2: F is 32 0xFF bytes for X25519, for domain separation from XEdDSA; salt is 32 zeros.
const F = new Uint8Array(32).fill(0xff);
const ZERO_SALT = new Uint8Array(32);

/**
 * The long-term keys of one party. `Identity` from identity.ts has this shape, so an identity can be
 * passed as is.
 */
export interface IdentityKeys {
	/** Ed25519: the user's id and signing key. */
	readonly signing: SigningKeyPair;
	/** X25519: the identity key used in DH. */
	readonly agreement: AgreementKeyPair;
	/** Ed25519 signature over {@link agreementKeyMessage}(agreement.publicKey). */
	readonly agreementSignature: Uint8Array;
}

/** A signed prekey with its secret, kept by its owner (spec §3.2 SPK). */
export interface SignedPrekey {
	readonly id: number;
	readonly keyPair: AgreementKeyPair;
	/** Ed25519 signature over {@link signedPrekeyMessage}(id, public key). */
	readonly signature: Uint8Array;
	/** When it was made (ms since epoch), so the owner can rotate it; not signed. */
	readonly createdAt: number;
}

/** A one-time prekey with its secret, kept by its owner until used once (spec §3.2 OPK). */
export interface OneTimePrekey {
	readonly id: number;
	readonly keyPair: AgreementKeyPair;
}

/** What a party publishes so others can start a session with it (spec §3.2 "prekey bundle"). */
export interface PrekeyBundle {
	/** Ed25519 public key: the peer's identity. */
	readonly identityKey: Uint8Array;
	/** X25519 identity key. */
	readonly agreementKey: Uint8Array;
	/** Signature of `agreementKey` by `identityKey`. */
	readonly agreementSignature: Uint8Array;
	readonly signedPrekey: { readonly id: number; readonly publicKey: Uint8Array; readonly signature: Uint8Array };
	readonly oneTimePrekey?: { readonly id: number; readonly publicKey: Uint8Array };
}

/** The prekey ids an initiator used, sent in the initial message (spec §3.3). */
export interface UsedPrekeys {
	readonly signedPrekeyId: number;
	readonly oneTimePrekeyId?: number;
}

/** The result of {@link initiateX3dh}. */
export interface X3dhInitiation {
	/** SK: 32 bytes, the Double Ratchet's first root key. */
	readonly sharedKey: Uint8Array;
	/** AD: the associated data every message of the session authenticates. */
	readonly ad: Uint8Array;
	/** EK_A public key, sent to the responder. */
	readonly ephemeralPublic: Uint8Array;
	readonly usedPrekeys: UsedPrekeys;
	/** The responder's signed prekey: its first ratchet public key (Double Ratchet spec §5.1). */
	readonly remoteRatchetKey: Uint8Array;
}

/** The X3DH fields of an initial message, as the responder receives them (spec §3.3). */
export interface X3dhInitialMessage {
	readonly identityKey: Uint8Array;
	readonly agreementKey: Uint8Array;
	readonly agreementSignature: Uint8Array;
	readonly ephemeralKey: Uint8Array;
	readonly signedPrekeyId: number;
	readonly oneTimePrekeyId?: number;
}

/** The result of {@link respondX3dh}. */
export interface X3dhResponse {
	readonly sharedKey: Uint8Array;
	readonly ad: Uint8Array;
	/** The signed prekey pair the initiator used: the responder's first ratchet key pair. */
	readonly signedPrekey: AgreementKeyPair;
}

/**
 * Where a responder finds its prekey secrets. Lookups may be async (IndexedDB, a file). A one-time
 * prekey is removed only after a message using it decrypted, so a forged message cannot burn one.
 */
export interface PrekeyStore {
	signedPrekey(id: number): AgreementKeyPair | undefined | Promise<AgreementKeyPair | undefined>;
	oneTimePrekey(id: number): AgreementKeyPair | undefined | Promise<AgreementKeyPair | undefined>;
	removeOneTimePrekey(id: number): void | Promise<void>;
}

function checkId(id: number, label: string): number {
	if (!Number.isInteger(id) || id < 0 || id > MAX_PREKEY_ID)
		throw new RangeError(`${label} must be an integer from 0 to ${MAX_PREKEY_ID}`);
	return id;
}

/**
 * An in-memory {@link PrekeyStore}, for the CLI's loaded key file and for tests.
 * @param signedPrekeys - the signed prekeys still accepted (current and recently rotated)
 * @param oneTimePrekeys - the unused one-time prekeys
 * @returns a store whose removals are reflected in later lookups
 */
export function memoryPrekeyStore(
	signedPrekeys: readonly SignedPrekey[],
	oneTimePrekeys: readonly OneTimePrekey[] = []
): PrekeyStore & { readonly oneTimeIds: () => number[] } {
	const signed = new Map(signedPrekeys.map((p) => [p.id, p.keyPair]));
	const oneTime = new Map(oneTimePrekeys.map((p) => [p.id, p.keyPair]));
	return {
		signedPrekey: (id) => signed.get(id),
		oneTimePrekey: (id) => oneTime.get(id),
		removeOneTimePrekey: (id) => void oneTime.delete(id),
		oneTimeIds: () => [...oneTime.keys()]
	};
}

/**
 * The bytes an identity signs to vouch for its X25519 key: "miaou/v1/agreement-key" ‖ key.
 * @param agreementKey - the 32-byte X25519 public key
 * @returns the message to sign or verify
 */
export function agreementKeyMessage(agreementKey: Uint8Array): Uint8Array {
	return concat(AGREEMENT_KEY_LABEL, abytes(agreementKey, X25519_KEY_LENGTH, 'agreementKey'));
}

/**
 * Sign an X25519 agreement key with the identity's Ed25519 key.
 * @param signing - the identity's signing key pair
 * @param agreementKey - the X25519 public key to vouch for
 * @returns the 64-byte signature
 * @throws {TypeError | RangeError} on inputs of the wrong type or length
 */
export function signAgreementKey(signing: SigningKeyPair, agreementKey: Uint8Array): Uint8Array {
	return signSync(agreementKeyMessage(agreementKey), signing.secretKey);
}

/**
 * The bytes signed for a signed prekey (spec §3.2 Sig(IK_B, Encode(SPK_B)), plus a domain label and
 * the id so a signature cannot be moved to another id): label ‖ id (u32 big-endian) ‖ key.
 * @param id - the prekey id
 * @param publicKey - the 32-byte X25519 public key
 * @returns the message to sign or verify
 * @throws {RangeError} on a bad id or key length
 */
export function signedPrekeyMessage(id: number, publicKey: Uint8Array): Uint8Array {
	const idBytes = new Uint8Array(4);
	new DataView(idBytes.buffer).setUint32(0, checkId(id, 'id'));
	return concat(SIGNED_PREKEY_LABEL, idBytes, abytes(publicKey, X25519_KEY_LENGTH, 'publicKey'));
}

/**
 * Make a signed prekey (spec §3.2).
 * @param signing - the identity's Ed25519 key pair
 * @param id - its id, unique among this identity's signed prekeys
 * @param opts - `random` for the key, `now` for `createdAt`
 * @returns the prekey with its secret; publish `{ id, publicKey, signature }`
 * @throws {RangeError} on a bad id
 * @example const spk = createSignedPrekey(identity.signing, 1)
 */
export function createSignedPrekey(
	signing: SigningKeyPair,
	id: number,
	opts: { random?: RandomBytes; now?: Clock } = {}
): SignedPrekey {
	checkId(id, 'id');
	const keyPair = generateAgreementKeyPair(opts.random ?? defaultRandom);
	const signature = signSync(signedPrekeyMessage(id, keyPair.publicKey), signing.secretKey);
	return { id, keyPair, signature, createdAt: (opts.now ?? systemClock)() };
}

/**
 * Make `count` one-time prekeys with consecutive ids (spec §3.2 OPK).
 * @param startId - the first id
 * @param count - how many, 0..1000
 * @param random - source of the keys
 * @returns the prekeys with their secrets
 * @throws {RangeError} on a bad id range or count
 */
export function createOneTimePrekeys(
	startId: number,
	count: number,
	random: RandomBytes = defaultRandom
): OneTimePrekey[] {
	if (!Number.isInteger(count) || count < 0 || count > 1000) throw new RangeError('count must be 0..1000');
	checkId(startId, 'startId');
	checkId(startId + Math.max(0, count - 1), 'last id');
	return Array.from({ length: count }, (_, i) => ({ id: startId + i, keyPair: generateAgreementKeyPair(random) }));
}

/**
 * Assemble the public bundle from one's own keys.
 * @param identity - the publishing identity
 * @param signedPrekey - its current signed prekey
 * @param oneTimePrekey - one unused one-time prekey, if any are left
 * @returns the bundle to publish
 */
export function createPrekeyBundle(
	identity: IdentityKeys,
	signedPrekey: SignedPrekey,
	oneTimePrekey?: OneTimePrekey
): PrekeyBundle {
	return {
		identityKey: identity.signing.publicKey,
		agreementKey: identity.agreement.publicKey,
		agreementSignature: identity.agreementSignature,
		signedPrekey: { id: signedPrekey.id, publicKey: signedPrekey.keyPair.publicKey, signature: signedPrekey.signature },
		...(oneTimePrekey ? { oneTimePrekey: { id: oneTimePrekey.id, publicKey: oneTimePrekey.keyPair.publicKey } } : {})
	};
}

/**
 * Check that the agreement key is signed by `identityKey`.
 * @param identityKey - the Ed25519 public key
 * @param agreementKey - the X25519 public key it should vouch for
 * @param signature - the signature to check
 * @param ed25519 - the Ed25519 implementation
 * @returns true when the signature verifies; false for any malformed input
 */
export async function verifyAgreementKey(
	identityKey: Uint8Array,
	agreementKey: Uint8Array,
	signature: Uint8Array,
	ed25519: Ed25519 = tweetnaclEd25519
): Promise<boolean> {
	if (!(agreementKey instanceof Uint8Array) || agreementKey.length !== X25519_KEY_LENGTH) return false;
	return ed25519.verify(signature, agreementKeyMessage(agreementKey), identityKey);
}

/**
 * Check a bundle before publishing or using it: both signatures (the agreement key's and the signed
 * prekey's; spec §3.3: "Alice verifies the prekey signature and aborts the protocol if verification
 * fails"), the ids, and that no key is a small-order point.
 * @param bundle - a bundle from the network
 * @param ed25519 - the Ed25519 implementation
 * @returns true when both signatures verify and every field is well formed
 */
export async function verifyPrekeyBundle(bundle: PrekeyBundle, ed25519: Ed25519 = tweetnaclEd25519): Promise<boolean> {
	const spk = bundle.signedPrekey;
	const opk = bundle.oneTimePrekey;
	const goodId = (id: number) => Number.isInteger(id) && id >= 0 && id <= MAX_PREKEY_ID;
	// RFC 7748 §6.1: small-order keys would make a DH output all zeros; refuse them up front.
	const goodKey = (k: unknown) => k instanceof Uint8Array && k.length === X25519_KEY_LENGTH && !isSmallOrderX25519(k);
	if (!goodId(spk.id) || !goodKey(spk.publicKey) || !goodKey(bundle.agreementKey)) return false;
	if (opk && (!goodId(opk.id) || !goodKey(opk.publicKey))) return false;
	const [agreementOk, prekeyOk] = await Promise.all([
		verifyAgreementKey(bundle.identityKey, bundle.agreementKey, bundle.agreementSignature, ed25519),
		ed25519.verify(spk.signature, signedPrekeyMessage(spk.id, spk.publicKey), bundle.identityKey)
	]);
	return agreementOk && prekeyOk;
}

/**
 * AD = Encode(IK_A) ‖ Encode(IK_B) (spec §3.3), where each identity is its Ed25519 key followed by
 * its X25519 key: initiator first, then responder.
 * @param initiatorIdentityKey - IK_A's Ed25519 public key
 * @param initiatorAgreementKey - IK_A's X25519 public key
 * @param responderIdentityKey - IK_B's Ed25519 public key
 * @param responderAgreementKey - IK_B's X25519 public key
 * @returns {@link AD_LENGTH} bytes
 * @throws {TypeError | RangeError} on keys of the wrong type or length
 */
export function x3dhAssociatedData(
	initiatorIdentityKey: Uint8Array,
	initiatorAgreementKey: Uint8Array,
	responderIdentityKey: Uint8Array,
	responderAgreementKey: Uint8Array
): Uint8Array {
	return concat(
		abytes(initiatorIdentityKey, PUBLIC_KEY_LENGTH, 'initiatorIdentityKey'),
		abytes(initiatorAgreementKey, X25519_KEY_LENGTH, 'initiatorAgreementKey'),
		abytes(responderIdentityKey, PUBLIC_KEY_LENGTH, 'responderIdentityKey'),
		abytes(responderAgreementKey, X25519_KEY_LENGTH, 'responderAgreementKey')
	);
}

function kdf(dhs: Uint8Array[]): Uint8Array {
	// Spec §2.2: KDF(KM) = HKDF(ikm = F ‖ KM, salt = zeros, info), 32 bytes.
	const km = concat(F, ...dhs);
	const sk = hkdf(sha256, km, ZERO_SALT, X3DH_INFO, 32);
	// Spec §3.3: the DH outputs are deleted once SK is computed (as far as JavaScript allows).
	km.fill(0);
	for (const dh of dhs) dh.fill(0);
	return sk;
}

/**
 * The initiator's half (spec §3.3): verify the bundle, then
 * DH1 = DH(IK_A, SPK_B), DH2 = DH(EK_A, IK_B), DH3 = DH(EK_A, SPK_B), DH4 = DH(EK_A, OPK_B) if an
 * OPK is in the bundle; SK = KDF(DH1 ‖ DH2 ‖ DH3 [‖ DH4]).
 * The caller must already know that `bundle.identityKey` is the peer it means to reach.
 * @param params.me - the initiator's keys
 * @param params.bundle - the responder's bundle
 * @param params.random - source of the ephemeral key
 * @param params.ed25519 - the Ed25519 implementation for the signature checks
 * @returns SK, AD, EK_A's public key and the prekey ids used
 * @throws {BadSignatureError} if either signature in the bundle does not verify
 * @throws {InvalidKeyError} if a key in the bundle is a small-order point
 * @throws {RangeError} on a malformed bundle (bad lengths or ids)
 */
export async function initiateX3dh(params: {
	me: IdentityKeys;
	bundle: PrekeyBundle;
	random?: RandomBytes;
	ed25519?: Ed25519;
}): Promise<X3dhInitiation> {
	const { me, bundle } = params;
	const ed = params.ed25519 ?? tweetnaclEd25519;
	abytes(bundle.identityKey, PUBLIC_KEY_LENGTH, 'bundle.identityKey');
	abytes(bundle.agreementKey, X25519_KEY_LENGTH, 'bundle.agreementKey');
	abytes(bundle.agreementSignature, SIGNATURE_LENGTH, 'bundle.agreementSignature');
	abytes(bundle.signedPrekey.publicKey, X25519_KEY_LENGTH, 'bundle.signedPrekey.publicKey');
	checkId(bundle.signedPrekey.id, 'bundle.signedPrekey.id');
	if (bundle.oneTimePrekey) {
		abytes(bundle.oneTimePrekey.publicKey, X25519_KEY_LENGTH, 'bundle.oneTimePrekey.publicKey');
		checkId(bundle.oneTimePrekey.id, 'bundle.oneTimePrekey.id');
	}
	if (!(await verifyAgreementKey(bundle.identityKey, bundle.agreementKey, bundle.agreementSignature, ed)))
		throw new BadSignatureError("the peer's agreement key");
	const spk = bundle.signedPrekey;
	if (!(await ed.verify(spk.signature, signedPrekeyMessage(spk.id, spk.publicKey), bundle.identityKey)))
		throw new BadSignatureError('the signed prekey');

	const ek = generateAgreementKeyPair(params.random ?? defaultRandom);
	const dhs = [
		x25519(me.agreement.secretKey, spk.publicKey),
		x25519(ek.secretKey, bundle.agreementKey),
		x25519(ek.secretKey, spk.publicKey)
	];
	if (bundle.oneTimePrekey) dhs.push(x25519(ek.secretKey, bundle.oneTimePrekey.publicKey));
	const sharedKey = kdf(dhs);
	ek.secretKey.fill(0);
	return {
		sharedKey,
		ad: x3dhAssociatedData(me.signing.publicKey, me.agreement.publicKey, bundle.identityKey, bundle.agreementKey),
		ephemeralPublic: ek.publicKey,
		usedPrekeys: {
			signedPrekeyId: spk.id,
			...(bundle.oneTimePrekey ? { oneTimePrekeyId: bundle.oneTimePrekey.id } : {})
		},
		remoteRatchetKey: spk.publicKey.slice()
	};
}

/**
 * The responder's half (spec §3.4): verify the initiator's agreement key, look up the prekeys the
 * message names, and compute the same SK and AD. It does not remove the one-time prekey: the caller
 * does that once the first message decrypts (spec §3.4 "deletes any one-time prekey private key
 * that was used"), so a forged initial message cannot use one up.
 * @param params.me - the responder's keys
 * @param params.message - the X3DH fields of the initial message
 * @param params.prekeys - where the prekey secrets are
 * @param params.ed25519 - the Ed25519 implementation for the signature check
 * @returns SK, AD and the signed prekey pair (the first ratchet key pair)
 * @throws {BadSignatureError} if the initiator's agreement key is not signed by its identity key
 * @throws {UnknownPrekeyError} if the signed or one-time prekey is not (or no longer) in the store
 * @throws {InvalidKeyError} if a key in the message is a small-order point
 * @throws {TypeError | RangeError} on fields of the wrong type or length
 */
export async function respondX3dh(params: {
	me: IdentityKeys;
	message: X3dhInitialMessage;
	prekeys: PrekeyStore;
	ed25519?: Ed25519;
}): Promise<X3dhResponse> {
	const { me, message, prekeys } = params;
	abytes(message.identityKey, PUBLIC_KEY_LENGTH, 'message.identityKey');
	abytes(message.agreementKey, X25519_KEY_LENGTH, 'message.agreementKey');
	abytes(message.ephemeralKey, X25519_KEY_LENGTH, 'message.ephemeralKey');
	checkId(message.signedPrekeyId, 'message.signedPrekeyId');
	if (message.oneTimePrekeyId !== undefined) checkId(message.oneTimePrekeyId, 'message.oneTimePrekeyId');
	const ed = params.ed25519 ?? tweetnaclEd25519;
	if (!(await verifyAgreementKey(message.identityKey, message.agreementKey, message.agreementSignature, ed)))
		throw new BadSignatureError("the sender's agreement key");

	const spk = await prekeys.signedPrekey(message.signedPrekeyId);
	if (!spk) throw new UnknownPrekeyError('signed', message.signedPrekeyId);
	let opk: AgreementKeyPair | undefined;
	if (message.oneTimePrekeyId !== undefined) {
		opk = await prekeys.oneTimePrekey(message.oneTimePrekeyId);
		if (!opk) throw new UnknownPrekeyError('one-time', message.oneTimePrekeyId);
	}
	const dhs = [
		x25519(spk.secretKey, message.agreementKey),
		x25519(me.agreement.secretKey, message.ephemeralKey),
		x25519(spk.secretKey, message.ephemeralKey)
	];
	if (opk) dhs.push(x25519(opk.secretKey, message.ephemeralKey));
	return {
		sharedKey: kdf(dhs),
		ad: x3dhAssociatedData(message.identityKey, message.agreementKey, me.signing.publicKey, me.agreement.publicKey),
		signedPrekey: spk
	};
}

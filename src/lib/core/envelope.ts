/**
 * The message envelope, version 1: what a relay stores and forwards. See docs/protocol.md for the
 * full layout.
 *
 *   envelope = version (u8 = 1) ‖ E (32, a one-time X25519 public key) ‖ sealed
 *   sealed   = ENCRYPT(k, pad(inner), AD = version ‖ E ‖ R)
 *   k        = HKDF-SHA-256(ikm = X25519(e, R), salt = 32 zero bytes, info = "miaou/v1/envelope", 32)
 *
 * where R is the recipient's X25519 identity key and ENCRYPT is the ratchet's AEAD
 * ({@link sealWithKey}). A relay sees the version, a fresh key and a bucket-sized ciphertext: not
 * the sender, not the message type, not the exact length ("sealed sender", after Signal's).
 *
 * The sender is authenticated inside, by the session rather than by a signature (deniability, as
 * in Signal): a first-contact message derives its key from DH(IK_A, SPK_B) with IK_A signed by the
 * sender's Ed25519 key (X3DH §4.1); a ratchet message decrypts only under the session keys that
 * only the two parties hold, and that session's AD binds both identities.
 */
import { abytes, concat, utf8 } from './bytes.ts';
import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from './ed25519.ts';
import { DecryptError, InvalidKeyError, MalformedError, TooLargeError, UnsupportedVersionError } from './errors.ts';
import { MAX_PADDED_BYTES, MAX_UNPADDED_BYTES, PADDING_BUCKETS, isBucketLength, pad, unpad } from './padding.ts';
import { randomBytes as defaultRandom, type RandomBytes } from './random.ts';
import {
	AEAD_TAG_LENGTH,
	ByteReader,
	decodeHeader,
	encodeHeader,
	HEADER_LENGTH,
	openWithKey,
	sealWithKey,
	u32,
	type RatchetMessage
} from './ratchet.ts';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { generateAgreementKeyPair, x25519, X25519_KEY_LENGTH, type AgreementKeyPair } from './x25519.ts';
import type { X3dhInitialMessage } from './x3dh.ts';

/** The first byte of every envelope of this format. */
export const ENVELOPE_VERSION = 1;
/** version (1) ‖ one-time key (32) ‖ Poly1305 tag (16): bytes added around the padded inner message. */
export const ENVELOPE_OVERHEAD = 1 + X25519_KEY_LENGTH + AEAD_TAG_LENGTH;
/** The shortest well-formed envelope (smallest bucket). */
export const MIN_ENVELOPE_BYTES = ENVELOPE_OVERHEAD + PADDING_BUCKETS[0]!;
/** The longest envelope accepted: 1 MiB of padded content plus the overhead. Checked before parsing. */
export const MAX_ENVELOPE_BYTES = ENVELOPE_OVERHEAD + MAX_PADDED_BYTES;

/** Bytes of a message id (random, for dedupe and receipts). */
export const MESSAGE_ID_LENGTH = 16;
/** Timestamps inside messages are rounded down to the minute, to leak less about the sender. */
export const TIMESTAMP_GRANULARITY_MS = 60_000;
/** Content header: type (1) ‖ message id (16) ‖ minutes since the epoch (u32). */
export const CONTENT_HEADER_LENGTH = 1 + MESSAGE_ID_LENGTH + 4;
/** Largest first-contact prefix: kind, keys, signature, ephemeral key, prekey ids, ratchet header. */
const FIRST_CONTACT_OVERHEAD = 1 + 32 + 32 + SIGNATURE_LENGTH + 32 + 4 + 1 + 4 + HEADER_LENGTH;
/** Largest message body that fits any envelope, first contact included. */
export const MAX_BODY_BYTES = MAX_UNPADDED_BYTES - FIRST_CONTACT_OVERHEAD - AEAD_TAG_LENGTH - CONTENT_HEADER_LENGTH;
/** Most message ids one receipt may carry. */
export const MAX_RECEIPT_IDS = 1000;

const ENVELOPE_INFO = utf8('miaou/v1/envelope');
const ZERO_SALT = new Uint8Array(32);

/** Kinds of content; receipts reference earlier message ids in their body. */
export type ContentType = 'message' | 'delivered' | 'read';
/** Wire codes of {@link ContentType}. */
export const CONTENT_TYPE_CODES: Readonly<Record<ContentType, number>> = { message: 1, delivered: 2, read: 3 };
const CONTENT_TYPES = new Map(Object.entries(CONTENT_TYPE_CODES).map(([k, v]) => [v, k as ContentType]));

/** What the ratchet encrypts: the application's bytes with a type, an id and a coarse time. */
export interface Content {
	readonly type: ContentType;
	readonly messageId: Uint8Array;
	/** Milliseconds since the epoch, a multiple of {@link TIMESTAMP_GRANULARITY_MS}. */
	readonly timestamp: number;
	readonly body: Uint8Array;
}

/** Inner message kind 1: X3DH fields and the session's first ratchet message (X3DH spec §3.3). */
export interface FirstContactMessage {
	readonly kind: 'first-contact';
	readonly x3dh: X3dhInitialMessage;
	readonly message: RatchetMessage;
}

/** Inner message kind 2: a ratchet message and who claims to send it (checked by decryption). */
export interface SessionMessage {
	readonly kind: 'ratchet';
	readonly senderIdentityKey: Uint8Array;
	readonly message: RatchetMessage;
}

/** What the envelope's outer layer carries. */
export type InnerMessage = FirstContactMessage | SessionMessage;

const KIND_FIRST_CONTACT = 1;
const KIND_RATCHET = 2;

/**
 * Round a time down to the minute.
 * @param ms - milliseconds since the epoch
 * @returns the start of that minute, in milliseconds
 */
export function coarseTimestamp(ms: number): number {
	return Math.floor(ms / TIMESTAMP_GRANULARITY_MS) * TIMESTAMP_GRANULARITY_MS;
}

/**
 * Encode content: type (u8) ‖ message id (16) ‖ minutes since the epoch (u32 big-endian) ‖ body.
 * @param content - the content; its timestamp is rounded down to the minute
 * @returns the bytes the ratchet encrypts
 * @throws {RangeError} on a bad type, id length or timestamp
 * @throws {TooLargeError} if the body is over {@link MAX_BODY_BYTES}
 */
export function encodeContent(content: Content): Uint8Array {
	const code = CONTENT_TYPE_CODES[content.type];
	if (code === undefined) throw new RangeError(`unknown content type ${String(content.type)}`);
	abytes(content.messageId, MESSAGE_ID_LENGTH, 'messageId');
	abytes(content.body, undefined, 'body');
	if (content.body.length > MAX_BODY_BYTES)
		throw new TooLargeError('Message body', content.body.length, MAX_BODY_BYTES);
	const minutes = Math.floor(content.timestamp / TIMESTAMP_GRANULARITY_MS);
	if (!Number.isSafeInteger(minutes) || minutes < 0 || minutes > 0xffff_ffff)
		throw new RangeError('timestamp is out of range');
	return concat(new Uint8Array([code]), content.messageId, u32(minutes), content.body);
}

/**
 * Decode content.
 * @param bytes - decrypted content bytes
 * @returns the content
 * @throws {TooLargeError} if longer than the largest padded content
 * @throws {MalformedError} if shorter than the content header or of an unknown type
 */
export function decodeContent(bytes: Uint8Array): Content {
	abytes(bytes, undefined, 'content');
	if (bytes.length > MAX_UNPADDED_BYTES) throw new TooLargeError('Message content', bytes.length, MAX_UNPADDED_BYTES);
	const r = new ByteReader(bytes, 'Message content');
	const code = r.u8();
	const type = CONTENT_TYPES.get(code);
	if (!type) throw new MalformedError('Message content', `unknown type ${code}`);
	const messageId = r.bytes(MESSAGE_ID_LENGTH);
	const timestamp = r.u32() * TIMESTAMP_GRANULARITY_MS;
	return { type, messageId, timestamp, body: r.rest() };
}

/**
 * Encode a receipt body: the ids of the messages it acknowledges, concatenated.
 * @param messageIds - 1..{@link MAX_RECEIPT_IDS} ids of 16 bytes
 * @returns the body of a 'delivered' or 'read' content
 * @throws {RangeError} on a bad count or id length
 */
export function encodeReceipt(messageIds: readonly Uint8Array[]): Uint8Array {
	if (messageIds.length < 1 || messageIds.length > MAX_RECEIPT_IDS)
		throw new RangeError(`a receipt holds 1 to ${MAX_RECEIPT_IDS} message ids`);
	return concat(...messageIds.map((id, i) => abytes(id, MESSAGE_ID_LENGTH, `messageIds[${i}]`)));
}

/**
 * Decode a receipt body.
 * @param body - the body of a 'delivered' or 'read' content
 * @returns the message ids
 * @throws {MalformedError} if not a whole, non-empty, bounded list of 16-byte ids
 */
export function decodeReceipt(body: Uint8Array): Uint8Array[] {
	abytes(body, undefined, 'body');
	const count = body.length / MESSAGE_ID_LENGTH;
	if (!Number.isInteger(count) || count < 1 || count > MAX_RECEIPT_IDS)
		throw new MalformedError('Receipt', `expected 1 to ${MAX_RECEIPT_IDS} ids of ${MESSAGE_ID_LENGTH} bytes`);
	return Array.from({ length: count }, (_, i) => body.slice(i * MESSAGE_ID_LENGTH, (i + 1) * MESSAGE_ID_LENGTH));
}

/**
 * Encode an inner message (see docs/protocol.md §Inner message).
 * @param inner - the message
 * @returns its bytes, before padding
 * @throws {TypeError | RangeError} on fields of the wrong type, length or range
 */
export function encodeInner(inner: InnerMessage): Uint8Array {
	const tail = [encodeHeader(inner.message.header), abytes(inner.message.ciphertext, undefined, 'ciphertext')];
	if (inner.kind === 'ratchet')
		return concat(
			new Uint8Array([KIND_RATCHET]),
			abytes(inner.senderIdentityKey, PUBLIC_KEY_LENGTH, 'senderIdentityKey'),
			...tail
		);
	const x = inner.x3dh;
	const hasOneTime = x.oneTimePrekeyId !== undefined;
	return concat(
		new Uint8Array([KIND_FIRST_CONTACT]),
		abytes(x.identityKey, PUBLIC_KEY_LENGTH, 'identityKey'),
		abytes(x.agreementKey, X25519_KEY_LENGTH, 'agreementKey'),
		abytes(x.agreementSignature, SIGNATURE_LENGTH, 'agreementSignature'),
		abytes(x.ephemeralKey, X25519_KEY_LENGTH, 'ephemeralKey'),
		u32(checkU32(x.signedPrekeyId, 'signedPrekeyId')),
		new Uint8Array([hasOneTime ? 1 : 0]),
		...(hasOneTime ? [u32(checkU32(x.oneTimePrekeyId!, 'oneTimePrekeyId'))] : []),
		...tail
	);
}

function checkU32(n: number, label: string): number {
	if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff)
		throw new RangeError(`${label} must be a 32-bit unsigned integer`);
	return n;
}

/**
 * Decode an inner message.
 * @param bytes - the unpadded plaintext of an envelope
 * @returns the message
 * @throws {TooLargeError} if longer than the largest padded content
 * @throws {MalformedError} on an unknown kind, a bad flag, or too few bytes
 */
export function decodeInner(bytes: Uint8Array): InnerMessage {
	abytes(bytes, undefined, 'inner');
	if (bytes.length > MAX_UNPADDED_BYTES) throw new TooLargeError('Inner message', bytes.length, MAX_UNPADDED_BYTES);
	const r = new ByteReader(bytes, 'Inner message');
	const kind = r.u8();
	if (kind === KIND_RATCHET) {
		const senderIdentityKey = r.bytes(PUBLIC_KEY_LENGTH);
		return { kind: 'ratchet', senderIdentityKey, message: readRatchetMessage(r) };
	}
	if (kind !== KIND_FIRST_CONTACT) throw new MalformedError('Inner message', `unknown kind ${kind}`);
	const identityKey = r.bytes(PUBLIC_KEY_LENGTH);
	const agreementKey = r.bytes(X25519_KEY_LENGTH);
	const agreementSignature = r.bytes(SIGNATURE_LENGTH);
	const ephemeralKey = r.bytes(X25519_KEY_LENGTH);
	const signedPrekeyId = r.u32();
	const flag = r.u8();
	if (flag > 1) throw new MalformedError('Inner message', 'bad one-time prekey flag');
	const x3dh: X3dhInitialMessage = {
		identityKey,
		agreementKey,
		agreementSignature,
		ephemeralKey,
		signedPrekeyId,
		...(flag === 1 ? { oneTimePrekeyId: r.u32() } : {})
	};
	return { kind: 'first-contact', x3dh, message: readRatchetMessage(r) };
}

function readRatchetMessage(r: ByteReader): RatchetMessage {
	const header = decodeHeader(r.bytes(HEADER_LENGTH));
	if (r.remaining < AEAD_TAG_LENGTH) throw new MalformedError('Inner message', 'ciphertext too short');
	return { header, ciphertext: r.rest() };
}

function envelopeKey(dh: Uint8Array): Uint8Array {
	const key = hkdf(sha256, dh, ZERO_SALT, ENVELOPE_INFO, 32);
	dh.fill(0);
	return key;
}

/**
 * Seal an inner message to a recipient under a one-time key: encode, pad to a bucket, encrypt.
 * @param inner - the inner message
 * @param recipientAgreementKey - the recipient's X25519 identity key (R)
 * @param random - source of the one-time key pair
 * @returns the envelope bytes
 * @throws {InvalidKeyError} if the recipient key is a small-order point
 * @throws {TooLargeError} if the inner message does not fit the largest bucket
 */
export function sealEnvelope(
	inner: InnerMessage,
	recipientAgreementKey: Uint8Array,
	random: RandomBytes = defaultRandom
): Uint8Array {
	abytes(recipientAgreementKey, X25519_KEY_LENGTH, 'recipientAgreementKey');
	const padded = pad(encodeInner(inner));
	const e = generateAgreementKeyPair(random);
	const key = envelopeKey(x25519(e.secretKey, recipientAgreementKey));
	e.secretKey.fill(0);
	const head = concat(new Uint8Array([ENVELOPE_VERSION]), e.publicKey);
	return concat(head, sealWithKey(key, padded, concat(head, recipientAgreementKey)));
}

/**
 * Check an envelope's size and version without decrypting: what a relay can check.
 * @param envelope - bytes from the network
 * @throws {TooLargeError} if over {@link MAX_ENVELOPE_BYTES}
 * @throws {MalformedError} if shorter than {@link MIN_ENVELOPE_BYTES} or not a bucket size
 * @throws {UnsupportedVersionError} if the first byte is not {@link ENVELOPE_VERSION}
 */
export function checkEnvelope(envelope: Uint8Array): void {
	abytes(envelope, undefined, 'envelope');
	if (envelope.length > MAX_ENVELOPE_BYTES) throw new TooLargeError('Envelope', envelope.length, MAX_ENVELOPE_BYTES);
	if (envelope.length === 0) throw new MalformedError('Envelope', 'empty');
	if (envelope[0] !== ENVELOPE_VERSION) throw new UnsupportedVersionError('Envelope', envelope[0]!);
	if (envelope.length < MIN_ENVELOPE_BYTES) throw new MalformedError('Envelope', 'truncated');
	if (!isBucketLength(envelope.length - ENVELOPE_OVERHEAD))
		throw new MalformedError('Envelope', 'its length is not a padding bucket');
}

/**
 * Open an envelope's outer layer with the recipient's X25519 identity key pair.
 * @param envelope - bytes from the network
 * @param recipientAgreement - the recipient's X25519 identity key pair
 * @returns the inner message (not yet decrypted by the ratchet)
 * @throws {TooLargeError | MalformedError | UnsupportedVersionError} from {@link checkEnvelope}
 * @throws {DecryptError} if the envelope was altered or is for another key
 * @throws {MalformedError} if the decrypted content does not parse
 */
export function unsealEnvelope(envelope: Uint8Array, recipientAgreement: AgreementKeyPair): InnerMessage {
	checkEnvelope(envelope);
	const head = envelope.subarray(0, 1 + X25519_KEY_LENGTH);
	const ephemeral = head.subarray(1);
	let dh: Uint8Array;
	try {
		dh = x25519(recipientAgreement.secretKey, ephemeral);
	} catch (err) {
		if (err instanceof InvalidKeyError) throw new DecryptError('the envelope');
		throw err;
	}
	const key = envelopeKey(dh);
	const padded = openWithKey(
		key,
		envelope.subarray(head.length),
		concat(head, recipientAgreement.publicKey),
		'the envelope'
	);
	return decodeInner(unpad(padded));
}

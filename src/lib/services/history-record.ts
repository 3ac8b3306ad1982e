/**
 * One message of the history as a stored record (docs/messaging.md §History at rest): the message
 * is sealed on its own under the at-rest key for `history` (at-rest.ts, XSalsa20-Poly1305), and
 * the record is filed under keyed hashes of its conversation and of its id, never the ids
 * themselves, so a copied database does not list who one talks to.
 *
 *   tag key           = HMAC-SHA-256(history key, "miaou/v1/history/tag")
 *   conversation tag  = base64url(HMAC-SHA-256(tag key, "c\n" ‖ contact)[0..16])
 *   message tag       = base64url(HMAC-SHA-256(tag key, "m\n" ‖ contact ‖ "\n" ‖ message id)[0..16])
 *   sealed record     = sealAtRest(history key, UTF-8 JSON {v: 1, …message},
 *                                  context = "miaou/v1/history/message\n" ‖ conv tag ‖ "\n" ‖ sentAt ‖ "\n" ‖ msg tag)
 *
 * The context is where the record is filed (its IndexedDB key), so a record moved to another
 * conversation, another time or another message's place no longer opens (DecryptError).
 *
 * Imports only modules that run unbundled in a browser page (the IndexedDB tests load it so).
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { abytes, fromUtf8, toBase64url, utf8 } from '../core/bytes.ts';
import { DecryptError, MalformedError, TooLargeError, UnsupportedVersionError } from '../core/errors.ts';
import type { MiaouId } from '../core/identity.ts';
import type { RandomBytes } from '../core/random.ts';
import { AT_REST_KEY_LENGTH, openAtRest, sealAtRest } from './at-rest.ts';
import { MAX_TEXT_BYTES } from './chat-content.ts';
import { OUTGOING_STATUSES, type ChatMessage } from './history.ts';

/** Version of a sealed message record's content. */
export const HISTORY_RECORD_VERSION = 1;
/**
 * Largest sealed record opened, checked before decrypting: a text of {@link MAX_TEXT_BYTES} UTF-8
 * bytes at worst sixfold in JSON (`\u0000` escapes), plus the other fields.
 */
export const MAX_HISTORY_RECORD_BYTES = 6 * MAX_TEXT_BYTES + 4096;
/** Bytes of a tag before base64url (128 bits: no collision among a history's records). */
export const HISTORY_TAG_BYTES = 16;

const STATUSES: readonly string[] = [...OUTGOING_STATUSES, 'failed', 'received'];
// An Ed25519 did:key (z6Mk + 44 base58btc characters). The sealed record is authenticated, so a
// shape check is enough here; identity.ts decodes ids fully where they come from the network.
const CONTACT = /^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]{44}$/;
const MESSAGE_ID = /^[A-Za-z0-9_-]{22}$/;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Check a message read from storage and rebuild it with known fields only.
 * @param value - parsed JSON
 * @returns the message
 * @throws {MalformedError} when a field is missing or wrong
 */
export function checkHistoryMessage(value: unknown): ChatMessage {
	if (typeof value !== 'object' || value === null) throw new MalformedError('History', 'a message is not an object');
	const m = value as Record<string, unknown>;
	if (typeof m.id !== 'string' || !MESSAGE_ID.test(m.id)) throw new MalformedError('History', 'bad message id');
	if (typeof m.contact !== 'string' || !CONTACT.test(m.contact)) throw new MalformedError('History', 'bad contact id');
	if (m.direction !== 'in' && m.direction !== 'out') throw new MalformedError('History', 'bad direction');
	if (typeof m.text !== 'string' || m.text.length > MAX_TEXT_BYTES) throw new MalformedError('History', 'bad text');
	if (!isTime(m.sentAt)) throw new MalformedError('History', 'bad send time');
	if (m.receivedAt !== undefined && !isTime(m.receivedAt)) throw new MalformedError('History', 'bad receive time');
	if (typeof m.status !== 'string' || !STATUSES.includes(m.status)) throw new MalformedError('History', 'bad status');
	const out: ChatMessage = {
		id: m.id,
		contact: m.contact as MiaouId,
		direction: m.direction,
		text: m.text,
		sentAt: m.sentAt,
		status: m.status as ChatMessage['status']
	};
	if (m.receivedAt !== undefined) out.receivedAt = m.receivedAt as number;
	if (m.error !== undefined) {
		const e = m.error as Record<string, unknown>;
		if (typeof e !== 'object' || e === null || typeof e.code !== 'string' || typeof e.message !== 'string')
			throw new MalformedError('History', 'bad error');
		out.error = { code: e.code.slice(0, 64), message: e.message.slice(0, 1024) };
	}
	return out;
}

/** Computes the keyed hashes records are filed under. */
export interface HistoryTagger {
	/** The tag of a conversation. */
	conversation(contact: MiaouId): string;
	/** The tag of a message of a conversation. */
	message(contact: MiaouId, id: string): string;
	/** The tag of a handled mailbox entry (`<mailbox>/<entry id>`). */
	entry(entry: string): string;
}

/**
 * The keyed hashes of one history key (HMAC-SHA-256, RFC 2104, truncated to 128 bits). A
 * conversation's tag is computed once and kept, since every call names a conversation.
 * @param key - `deriveAtRestKey(identity, 'history')`
 * @returns the tagger
 * @throws {TypeError | RangeError} when the key is not 32 bytes
 */
export function historyTagger(key: Uint8Array): HistoryTagger {
	abytes(key, AT_REST_KEY_LENGTH, 'key');
	// A separate key for hashing, so a tag never equals anything computed with the sealing key.
	const tagKey = hmac(sha256, key, utf8('miaou/v1/history/tag'));
	const tag = (text: string) => toBase64url(hmac(sha256, tagKey, utf8(text)).subarray(0, HISTORY_TAG_BYTES));
	const conversations = new Map<string, string>();
	return {
		conversation(contact) {
			let t = conversations.get(contact);
			if (t === undefined) conversations.set(contact, (t = tag(`c\n${contact}`)));
			return t;
		},
		message: (contact, id) => tag(`m\n${contact}\n${id}`),
		entry: (entry) => tag(`e\n${entry}`)
	};
}

/** Where a record is filed: its conversation tag, send time and message tag. */
export interface RecordPlace {
	c: string;
	t: number;
	m: string;
}

const context = (place: RecordPlace) => `miaou/v1/history/message\n${place.c}\n${place.t}\n${place.m}`;

/**
 * Seal one message for storage at its place.
 * @param key - the history key
 * @param message - the message
 * @param place - its tags and `sentAt`, as the store files it
 * @param random - nonce source
 * @returns the sealed record
 */
export function sealHistoryRecord(
	key: Uint8Array,
	message: ChatMessage,
	place: RecordPlace,
	random?: RandomBytes
): Uint8Array {
	const plain = utf8(JSON.stringify({ v: HISTORY_RECORD_VERSION, ...message }));
	return sealAtRest(key, plain, context(place), random);
}

/**
 * Open a sealed record read from a place, size-checked first.
 * @param key - the history key
 * @param sealed - the stored bytes
 * @param place - where it was read from
 * @returns the message
 * @throws {TooLargeError} over {@link MAX_HISTORY_RECORD_BYTES}
 * @throws {DecryptError} when the record was altered, or moved from another place
 * @throws {UnsupportedVersionError | MalformedError} when its content is not a message of this version
 */
export function openHistoryRecord(key: Uint8Array, sealed: unknown, place: RecordPlace): ChatMessage {
	if (!(sealed instanceof Uint8Array)) throw new MalformedError('A stored message', 'not bytes');
	if (sealed.length > MAX_HISTORY_RECORD_BYTES)
		throw new TooLargeError('A stored message', sealed.length, MAX_HISTORY_RECORD_BYTES);
	let raw: unknown;
	try {
		raw = JSON.parse(fromUtf8(openAtRest(key, sealed, context(place))));
	} catch (error) {
		if (error instanceof SyntaxError) throw new MalformedError('A stored message', 'not JSON');
		if (error instanceof DecryptError) throw new DecryptError('a stored message (altered, or moved from its place)');
		throw error;
	}
	const v = (raw as { v?: unknown } | null)?.v;
	if (v !== HISTORY_RECORD_VERSION) throw new UnsupportedVersionError('A stored message', String(v));
	const message = checkHistoryMessage(raw);
	if (message.sentAt !== place.t) throw new DecryptError('a stored message (filed under another time)');
	return message;
}

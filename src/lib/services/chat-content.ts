/**
 * The body of a chat message (docs/messaging.md §Chat body): what goes inside a `message` content
 * of the envelope (docs/protocol.md §Content), encrypted end to end.
 *
 *   body = UTF-8( JSON { "v": 1, "text": string, "sentAt": integer } )
 *
 * - `text`: the message, 1 … {@link MAX_TEXT_BYTES} bytes of well-formed Unicode. It is shown as
 *   text, never interpreted as markup.
 * - `sentAt`: the sender's clock in milliseconds. The content header's timestamp is rounded to the
 *   minute (to leak less if a device is seized); this exact time orders a conversation the same
 *   way on both sides. It is seen only by the recipient; relays see the box entry's state, which
 *   is the same instant anyway.
 *
 * Unknown fields are ignored, so later versions can add optional ones; a change that old
 * clients must not misread gets a new `v`, which they refuse.
 */
import { fromUtf8, utf8 } from '../core/bytes.ts';
import { MalformedError, TooLargeError, UnsupportedVersionError } from '../core/errors.ts';

/** The version this code writes and reads. */
export const CHAT_CONTENT_VERSION = 1;
/** Longest message text, in UTF-8 bytes (longer text goes as a shared file). */
export const MAX_TEXT_BYTES = 32 * 1024;
/** Largest body decoded, checked before parsing: the text, escaped at worst 6 bytes a byte, plus the fields. */
export const MAX_CHAT_BODY_BYTES = 6 * MAX_TEXT_BYTES + 1024;

/** A decoded chat body. */
export interface ChatContent {
	text: string;
	sentAt: number;
}

/**
 * Check a message text before it is sent.
 * @param text - what the user typed
 * @returns the same text
 * @throws {TypeError} when it is not a string
 * @throws {MalformedError} when it is empty or not well-formed Unicode
 * @throws {TooLargeError} over {@link MAX_TEXT_BYTES}
 */
export function checkText(text: string): string {
	if (typeof text !== 'string') throw new TypeError('text must be a string');
	if (text.length > MAX_TEXT_BYTES) throw new TooLargeError('Message text', utf8(text).length, MAX_TEXT_BYTES);
	if (text.length === 0) throw new MalformedError('Message text', 'empty');
	// In a `u` regular expression a surrogate pair is one code point, so \p{Cs} finds only lone halves.
	if (/\p{Cs}/u.test(text)) throw new MalformedError('Message text', 'not well-formed Unicode');
	const size = utf8(text).length;
	if (size > MAX_TEXT_BYTES) throw new TooLargeError('Message text', size, MAX_TEXT_BYTES);
	return text;
}

/**
 * Encode a chat body.
 * @param content - the text and the send time
 * @returns the bytes to encrypt as a `message` content
 * @throws as {@link checkText}; {@link RangeError} on a bad time
 */
export function encodeChatContent(content: ChatContent): Uint8Array {
	checkText(content.text);
	if (!Number.isSafeInteger(content.sentAt) || content.sentAt < 0) throw new RangeError('sentAt must be a time in ms');
	return utf8(JSON.stringify({ v: CHAT_CONTENT_VERSION, text: content.text, sentAt: content.sentAt }));
}

/**
 * Decode a chat body from a peer, size-checked first.
 * @param bytes - the decrypted body
 * @returns the text and send time
 * @throws {TooLargeError} over {@link MAX_CHAT_BODY_BYTES}
 * @throws {UnsupportedVersionError} on a version other than 1
 * @throws {MalformedError} when it is not such a JSON object, or the text is bad
 */
export function decodeChatContent(bytes: Uint8Array): ChatContent {
	if (bytes.length > MAX_CHAT_BODY_BYTES) throw new TooLargeError('Chat message', bytes.length, MAX_CHAT_BODY_BYTES);
	let raw: unknown;
	try {
		raw = JSON.parse(fromUtf8(bytes));
	} catch {
		throw new MalformedError('Chat message', 'not JSON');
	}
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
		throw new MalformedError('Chat message', 'not an object');
	const o = raw as Record<string, unknown>;
	if (o.v !== CHAT_CONTENT_VERSION) {
		if (typeof o.v === 'number') throw new UnsupportedVersionError('Chat message', o.v);
		throw new MalformedError('Chat message', 'no version');
	}
	if (typeof o.text !== 'string') throw new MalformedError('Chat message', 'no text');
	if (typeof o.sentAt !== 'number' || !Number.isSafeInteger(o.sentAt) || o.sentAt < 0)
		throw new MalformedError('Chat message', 'no valid send time');
	return { text: checkText(o.text), sentAt: o.sentAt };
}

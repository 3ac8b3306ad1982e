import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../core/bytes.ts';
import { MalformedError, TooLargeError, UnsupportedVersionError } from '../core/errors.ts';
import {
	checkText,
	decodeChatContent,
	encodeChatContent,
	MAX_CHAT_BODY_BYTES,
	MAX_TEXT_BYTES
} from './chat-content.ts';

describe('chat content', () => {
	it('has the documented layout', () => {
		const bytes = encodeChatContent({ text: 'héllo <b>', sentAt: 1_700_000_000_123 });
		expect(new TextDecoder().decode(bytes)).toBe('{"v":1,"text":"héllo <b>","sentAt":1700000000123}');
	});

	it('round-trips any well-formed text', () => {
		fc.assert(
			fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }), fc.nat(), (text, sentAt) => {
				expect(decodeChatContent(encodeChatContent({ text, sentAt }))).toEqual({ text, sentAt });
			}),
			{ numRuns: 100 }
		);
	});

	it('bounds the text', () => {
		expect(checkText('x'.repeat(MAX_TEXT_BYTES))).toHaveLength(MAX_TEXT_BYTES);
		expect(() => checkText('é'.repeat(MAX_TEXT_BYTES / 2 + 1))).toThrow(TooLargeError);
		expect(() => checkText('')).toThrow(MalformedError);
		expect(() => checkText('a\ud800b')).toThrow(MalformedError);
		expect(checkText('😀')).toBe('😀');
		expect(() => checkText(5 as never)).toThrow(TypeError);
	});

	it('refuses bad bodies from a peer', () => {
		const enc = (o: unknown) => utf8(JSON.stringify(o));
		expect(decodeChatContent(enc({ v: 1, text: 'a', sentAt: 1, later: 'ignored' }))).toEqual({ text: 'a', sentAt: 1 });
		expect(() => decodeChatContent(enc({ v: 2, text: 'a', sentAt: 1 }))).toThrow(UnsupportedVersionError);
		expect(() => decodeChatContent(enc({ text: 'a', sentAt: 1 }))).toThrow(MalformedError);
		expect(() => decodeChatContent(enc({ v: 1, text: 'a', sentAt: -1 }))).toThrow(MalformedError);
		expect(() => decodeChatContent(enc({ v: 1, text: 'a', sentAt: 1.5 }))).toThrow(MalformedError);
		expect(() => decodeChatContent(enc({ v: 1, text: '', sentAt: 1 }))).toThrow(MalformedError);
		expect(() => decodeChatContent(utf8('{"v":1,"text":"\\ud800","sentAt":1}'))).toThrow(MalformedError);
		expect(() => decodeChatContent(enc([1]))).toThrow(MalformedError);
		expect(() => decodeChatContent(new Uint8Array([0xff]))).toThrow(MalformedError);
		expect(() => decodeChatContent(new Uint8Array(MAX_CHAT_BODY_BYTES + 1))).toThrow(TooLargeError);
	});
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toBase64url } from '../core/bytes.ts';
import { DecryptError, MalformedError, TooLargeError, UnsupportedVersionError } from '../core/errors.ts';
import { createIdentity } from '../core/identity.ts';
import { randomBytes } from '../core/random.ts';
import { deriveAtRestKey, sealAtRest } from './at-rest.ts';
import type { ChatMessage } from './history.ts';
import {
	checkHistoryMessage,
	historyTagger,
	MAX_HISTORY_RECORD_BYTES,
	openHistoryRecord,
	sealHistoryRecord
} from './history-record.ts';
import { MAX_TEXT_BYTES } from './chat-content.ts';

const key = deriveAtRestKey(createIdentity(), 'history');
const tags = historyTagger(key);
const bob = createIdentity().id;
const carol = createIdentity().id;
const message = (fields: Partial<ChatMessage> = {}): ChatMessage => ({
	id: toBase64url(randomBytes(16)),
	contact: bob,
	direction: 'out',
	text: 'hello',
	sentAt: 1_700_000_000_000,
	status: 'failed',
	error: { code: 'ERR_X', message: 'no relay' },
	...fields
});
const placeOf = (m: ChatMessage) => ({
	c: tags.conversation(m.contact),
	t: m.sentAt,
	m: tags.message(m.contact, m.id)
});

describe('historyTagger', () => {
	it('gives stable, distinct, keyed tags that do not contain the ids', () => {
		const id = toBase64url(randomBytes(16));
		expect(tags.conversation(bob)).toBe(historyTagger(key).conversation(bob));
		expect(tags.conversation(bob)).toMatch(/^[A-Za-z0-9_-]{22}$/);
		expect(tags.conversation(bob)).not.toBe(tags.conversation(carol));
		expect(tags.message(bob, id)).not.toBe(tags.message(carol, id));
		expect(tags.entry('box/1')).not.toBe(tags.entry('box/2'));
		const other = historyTagger(deriveAtRestKey(createIdentity(), 'history'));
		expect(other.conversation(bob)).not.toBe(tags.conversation(bob));
		expect(() => historyTagger(new Uint8Array(31))).toThrow(RangeError);
	});
});

describe('history records', () => {
	it('round-trips any message at its place', () => {
		fc.assert(
			fc.property(
				fc.string({ maxLength: 200 }),
				fc.nat({ max: 2 ** 50 }),
				fc.constantFrom('pending', 'sent', 'read', 'received' as const),
				(text, sentAt, status) => {
					const m = message({ text, sentAt, status });
					expect(openHistoryRecord(key, sealHistoryRecord(key, m, placeOf(m)), placeOf(m))).toEqual(m);
				}
			),
			{ numRuns: 50 }
		);
	});

	it('refuses a record read from another place, altered, or under another key', () => {
		const m = message();
		const place = placeOf(m);
		const sealed = sealHistoryRecord(key, m, place);
		expect(() => openHistoryRecord(key, sealed, { ...place, c: tags.conversation(carol) })).toThrow(DecryptError);
		expect(() => openHistoryRecord(key, sealed, { ...place, t: place.t + 1 })).toThrow(DecryptError);
		expect(() => openHistoryRecord(key, sealed, { ...place, m: tags.message(bob, 'A'.repeat(22)) })).toThrow(
			DecryptError
		);
		for (const at of [1, 30, sealed.length - 1]) {
			const flipped = sealed.slice();
			flipped[at]! ^= 0x01;
			expect(() => openHistoryRecord(key, flipped, place)).toThrow(DecryptError);
		}
		expect(() => openHistoryRecord(deriveAtRestKey(createIdentity(), 'history'), sealed, place)).toThrow(DecryptError);
	});

	it('checks size, type, version and fields', () => {
		const m = message();
		const place = placeOf(m);
		const context = `miaou/v1/history/message\n${place.c}\n${place.t}\n${place.m}`;
		const seal = (o: unknown) => sealAtRest(key, new TextEncoder().encode(JSON.stringify(o)), context);
		expect(() => openHistoryRecord(key, new Uint8Array(MAX_HISTORY_RECORD_BYTES + 1), place)).toThrow(TooLargeError);
		expect(() => openHistoryRecord(key, 'bytes', place)).toThrow(MalformedError);
		expect(() => openHistoryRecord(key, seal({ ...m, v: 2 }), place)).toThrow(UnsupportedVersionError);
		expect(() => openHistoryRecord(key, seal({ ...m, v: 1, status: 'lost' }), place)).toThrow(MalformedError);
		expect(() => openHistoryRecord(key, seal({ ...m, v: 1, sentAt: 5 }), place)).toThrow(DecryptError);
		expect(() => openHistoryRecord(key, sealAtRest(key, new TextEncoder().encode('{nope'), context), place)).toThrow(
			MalformedError
		);
		// The largest text fits under the record limit even with every character escaped.
		const big = message({ text: '\u0001'.repeat(MAX_TEXT_BYTES) });
		expect(sealHistoryRecord(key, big, placeOf(big)).length).toBeLessThanOrEqual(MAX_HISTORY_RECORD_BYTES);
	});

	it('checkHistoryMessage keeps known fields only and refuses bad ones', () => {
		const m = message();
		expect(checkHistoryMessage({ ...m, extra: 1 })).toEqual(m);
		for (const bad of [
			null,
			{ ...m, id: 'short' },
			{ ...m, contact: 'did:key:nope' },
			{ ...m, direction: 'up' },
			{ ...m, text: 'x'.repeat(MAX_TEXT_BYTES + 1) },
			{ ...m, sentAt: -1 },
			{ ...m, receivedAt: 1.5 },
			{ ...m, error: { code: 1 } }
		])
			expect(() => checkHistoryMessage(bad)).toThrow(MalformedError);
	});
});

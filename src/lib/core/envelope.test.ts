import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { toHex, utf8 } from './bytes.ts';
import {
	checkEnvelope,
	coarseTimestamp,
	CONTENT_HEADER_LENGTH,
	decodeContent,
	decodeInner,
	decodeReceipt,
	encodeContent,
	encodeInner,
	encodeReceipt,
	ENVELOPE_OVERHEAD,
	MAX_BODY_BYTES,
	MAX_ENVELOPE_BYTES,
	MAX_RECEIPT_IDS,
	MIN_ENVELOPE_BYTES,
	sealEnvelope,
	unsealEnvelope,
	type InnerMessage
} from './envelope.ts';
import { DecryptError, MalformedError, TooLargeError, UnsupportedVersionError } from './errors.ts';
import { isBucketLength, paddedLength } from './padding.ts';
import type { RandomBytes } from './random.ts';
import { generateAgreementKeyPair } from './x25519.ts';
import { seededRandom } from './seeded-random.ts';

const random = seededRandom('envelope tests');
const recipient = generateAgreementKeyPair(random);
const senderIdentity = random(32);
const senderAgreement = generateAgreementKeyPair(random).publicKey;

function ratchetInner(ciphertextLength: number, r: RandomBytes = random): InnerMessage {
	return {
		kind: 'ratchet',
		senderIdentityKey: senderIdentity,
		message: { header: { dh: r(32), pn: 3, n: 9 }, ciphertext: r(ciphertextLength) }
	};
}

function firstContactInner(ciphertextLength: number, oneTime = true): InnerMessage {
	return {
		kind: 'first-contact',
		x3dh: {
			identityKey: senderIdentity,
			agreementKey: senderAgreement,
			agreementSignature: random(64),
			ephemeralKey: random(32),
			signedPrekeyId: 0xfeed_beef,
			...(oneTime ? { oneTimePrekeyId: 42 } : {})
		},
		message: { header: { dh: random(32), pn: 0, n: 0 }, ciphertext: random(ciphertextLength) }
	};
}

const ACCEPTED_ERRORS = [DecryptError, MalformedError, UnsupportedVersionError];
function expectRefused(fn: () => unknown): Error {
	try {
		fn();
	} catch (err) {
		expect(
			ACCEPTED_ERRORS.some((c) => err instanceof c),
			String(err)
		).toBe(true);
		return err as Error;
	}
	throw new Error('expected the envelope to be refused, but it opened');
}

describe('envelope', () => {
	it('round-trips inner messages of random sizes up to 100 KiB, on bucket sizes', () => {
		fc.assert(
			fc.property(fc.integer({ min: 16, max: 100 * 1024 }), fc.boolean(), fc.string(), (length, first, seed) => {
				const inner = first ? firstContactInner(length) : ratchetInner(length, seededRandom(seed));
				const envelope = sealEnvelope(inner, recipient.publicKey, random);
				expect(envelope[0]).toBe(1);
				expect(isBucketLength(envelope.length - ENVELOPE_OVERHEAD)).toBe(true);
				expect(envelope.length - ENVELOPE_OVERHEAD).toBe(paddedLength(encodeInner(inner).length));
				expect(unsealEnvelope(envelope, recipient)).toEqual(inner);
			}),
			{ numRuns: 40 }
		);
	});

	it('refuses every single-byte change of an envelope, never yielding content', () => {
		const envelope = sealEnvelope(ratchetInner(40), recipient.publicKey, random);
		expect(envelope.length).toBe(MIN_ENVELOPE_BYTES);
		for (let i = 0; i < envelope.length; i++) {
			for (const mask of [0x01, 0x80]) {
				const bad = envelope.slice();
				bad[i]! ^= mask;
				const err = expectRefused(() => unsealEnvelope(bad, recipient));
				if (i === 0) expect(err).toBeInstanceOf(UnsupportedVersionError);
			}
		}
	});

	it('refuses random byte changes of a larger first-contact envelope', () => {
		const envelope = sealEnvelope(firstContactInner(3000), recipient.publicKey, random);
		fc.assert(
			fc.property(fc.nat(envelope.length - 1), fc.integer({ min: 1, max: 255 }), (i, mask) => {
				const bad = envelope.slice();
				bad[i]! ^= mask;
				expectRefused(() => unsealEnvelope(bad, recipient));
			}),
			{ numRuns: 100 }
		);
	});

	it('refuses truncated, oversized, wrong-version and misaddressed envelopes with named errors', () => {
		const envelope = sealEnvelope(ratchetInner(500), recipient.publicKey, random);
		for (const length of [
			0,
			1,
			33,
			ENVELOPE_OVERHEAD,
			MIN_ENVELOPE_BYTES - 1,
			envelope.length - 1,
			envelope.length - 16
		])
			expect(() => unsealEnvelope(envelope.subarray(0, length), recipient), `length ${length}`).toThrow(MalformedError);
		const huge = new Uint8Array(MAX_ENVELOPE_BYTES + 1);
		huge[0] = 1;
		expect(() => unsealEnvelope(huge, recipient)).toThrow(TooLargeError);
		expect(() => checkEnvelope(huge)).toThrow(TooLargeError);
		for (const version of [0, 2, 255]) {
			const other = envelope.slice();
			other[0] = version;
			expect(() => unsealEnvelope(other, recipient)).toThrow(UnsupportedVersionError);
		}
		expect(() => unsealEnvelope(envelope, generateAgreementKeyPair(random))).toThrow(DecryptError);
		// A small-order one-time key gives an all-zero DH: refused as undecryptable.
		const zeroKey = envelope.slice();
		zeroKey.fill(0, 1, 33);
		expect(() => unsealEnvelope(zeroKey, recipient)).toThrow(DecryptError);
		expect(() => checkEnvelope(envelope)).not.toThrow();
	});

	it('fits the largest body in the largest envelope, and no more', () => {
		const inner = firstContactInner(CONTENT_HEADER_LENGTH + MAX_BODY_BYTES + 16);
		const envelope = sealEnvelope(inner, recipient.publicKey, random);
		expect(envelope.length).toBe(MAX_ENVELOPE_BYTES);
		expect(unsealEnvelope(envelope, recipient)).toEqual(inner);
		const id = new Uint8Array(16);
		expect(() =>
			encodeContent({ type: 'message', messageId: id, timestamp: 0, body: new Uint8Array(MAX_BODY_BYTES + 1) })
		).toThrow(TooLargeError);
		expect(() =>
			sealEnvelope(firstContactInner(CONTENT_HEADER_LENGTH + MAX_BODY_BYTES + 17), recipient.publicKey, random)
		).toThrow(TooLargeError);
	});

	it('hides the sender: its keys appear nowhere in the envelope', () => {
		const envelope = sealEnvelope(firstContactInner(100), recipient.publicKey, random);
		const hex = toHex(envelope);
		for (const key of [senderIdentity, senderAgreement])
			for (let i = 0; i + 8 <= key.length; i++) expect(hex).not.toContain(toHex(key.subarray(i, i + 8)));
	});

	it('encodes inner messages with and without a one-time prekey, and refuses malformed ones', () => {
		for (const inner of [firstContactInner(20, true), firstContactInner(20, false), ratchetInner(16)]) {
			expect(decodeInner(encodeInner(inner))).toEqual(inner);
		}
		const bytes = encodeInner(firstContactInner(20, false));
		const badKind = bytes.slice();
		badKind[0] = 9;
		expect(() => decodeInner(badKind)).toThrow(/unknown kind 9/);
		const badFlag = bytes.slice();
		badFlag[1 + 32 + 32 + 64 + 32 + 4] = 2;
		expect(() => decodeInner(badFlag)).toThrow(/flag/);
		expect(() => decodeInner(encodeInner(ratchetInner(16)).subarray(0, 1 + 32 + 40 + 15))).toThrow(MalformedError);
		expect(() => decodeInner(new Uint8Array(0))).toThrow(MalformedError);
		expect(() => decodeInner(new Uint8Array(MAX_ENVELOPE_BYTES))).toThrow(TooLargeError);
		expect(() => decodeContent(new Uint8Array(MAX_ENVELOPE_BYTES))).toThrow(TooLargeError);
	});

	it('encodes content with a coarse timestamp, and receipts as lists of ids', () => {
		const messageId = random(16);
		const t = Date.UTC(2025, 0, 2, 3, 4, 5, 678);
		const bytes = encodeContent({ type: 'read', messageId, timestamp: t, body: utf8('x') });
		expect(bytes).toHaveLength(CONTENT_HEADER_LENGTH + 1);
		expect(bytes[0]).toBe(3);
		const c = decodeContent(bytes);
		expect(c).toEqual({ type: 'read', messageId, timestamp: Date.UTC(2025, 0, 2, 3, 4), body: utf8('x') });
		expect(coarseTimestamp(t)).toBe(c.timestamp);
		const unknown = bytes.slice();
		unknown[0] = 0;
		expect(() => decodeContent(unknown)).toThrow(MalformedError);
		expect(() => decodeContent(bytes.subarray(0, CONTENT_HEADER_LENGTH - 1))).toThrow(MalformedError);
		expect(() =>
			encodeContent({ type: 'message', messageId: new Uint8Array(15), timestamp: t, body: utf8('') })
		).toThrow(RangeError);

		const ids = [random(16), random(16), random(16)];
		expect(decodeReceipt(encodeReceipt(ids))).toEqual(ids);
		expect(() => encodeReceipt([])).toThrow(RangeError);
		expect(() => encodeReceipt(Array.from({ length: MAX_RECEIPT_IDS + 1 }, () => messageId))).toThrow(RangeError);
		expect(() => decodeReceipt(new Uint8Array(17))).toThrow(MalformedError);
		expect(() => decodeReceipt(new Uint8Array(0))).toThrow(MalformedError);
	});
});

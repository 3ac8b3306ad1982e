import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../core/bytes.ts';
import { DecryptError, MalformedError, TooLargeError, UnsupportedVersionError } from '../core/errors.ts';
import { createIdentity } from '../core/identity.ts';
import {
	AT_REST_OVERHEAD,
	deriveAtRestKey,
	MAX_AT_REST_BYTES,
	MAX_AT_REST_CONTEXT_BYTES,
	openAtRest,
	sealAtRest
} from './at-rest.ts';

const identity = createIdentity();
const key = deriveAtRestKey(identity, 'sessions');

describe('at-rest sealing', () => {
	it('derives one key per identity and purpose', () => {
		expect(toHex(deriveAtRestKey(identity, 'sessions'))).toBe(toHex(key));
		expect(toHex(deriveAtRestKey(identity, 'prekeys'))).not.toBe(toHex(key));
		expect(toHex(deriveAtRestKey(createIdentity(), 'sessions'))).not.toBe(toHex(key));
		expect(key).toHaveLength(32);
	});

	it('round-trips any bytes and context, with a fresh nonce each time', () => {
		fc.assert(
			fc.property(fc.uint8Array({ maxLength: 2000 }), fc.string({ maxLength: 50 }), (bytes, context) => {
				const sealed = sealAtRest(key, bytes, context);
				expect(sealed.length).toBe(bytes.length + AT_REST_OVERHEAD + new TextEncoder().encode(context).length);
				expect(openAtRest(key, sealed, context)).toEqual(bytes);
			}),
			{ numRuns: 50 }
		);
		const a = sealAtRest(key, new Uint8Array([1, 2, 3]), 'x');
		const b = sealAtRest(key, new Uint8Array([1, 2, 3]), 'x');
		expect(toHex(a)).not.toBe(toHex(b));
	});

	it('refuses a wrong key, an altered byte, another slot', () => {
		const sealed = sealAtRest(key, new Uint8Array(100).fill(7), 'session:alice');
		expect(() => openAtRest(deriveAtRestKey(identity, 'prekeys'), sealed, 'session:alice')).toThrow(DecryptError);
		expect(() => openAtRest(key, sealed, 'session:bob')).toThrow(DecryptError);
		for (const index of [1, 30, sealed.length - 1]) {
			const altered = sealed.slice();
			altered[index]! ^= 1;
			expect(() => openAtRest(key, altered, 'session:alice')).toThrow(DecryptError);
		}
	});

	it('checks size and version before decrypting', () => {
		const sealed = sealAtRest(key, new Uint8Array(4), 'c');
		expect(() => openAtRest(key, sealed.subarray(0, AT_REST_OVERHEAD - 1), 'c')).toThrow(MalformedError);
		const v2 = sealed.slice();
		v2[0] = 2;
		expect(() => openAtRest(key, v2, 'c')).toThrow(UnsupportedVersionError);
		expect(() => openAtRest(key, new Uint8Array(MAX_AT_REST_BYTES + 1), 'c')).toThrow(TooLargeError);
		expect(() => sealAtRest(key, new Uint8Array(1), 'x'.repeat(MAX_AT_REST_CONTEXT_BYTES + 1))).toThrow(RangeError);
		expect(() => sealAtRest(new Uint8Array(31), new Uint8Array(1), 'c')).toThrow(RangeError);
	});
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { equalBytes } from './bytes.ts';
import { MalformedError, TooLargeError } from './errors.ts';
import {
	isBucketLength,
	MAX_PADDED_BYTES,
	MAX_UNPADDED_BYTES,
	pad,
	PADDING_BUCKETS,
	PADDING_STEP,
	paddedLength,
	unpad
} from './padding.ts';

describe('padding', () => {
	it('puts sizes in the documented buckets', () => {
		expect(PADDING_BUCKETS).toEqual([256, 1024, 4096, 16384, 65536]);
		const cases: [number, number][] = [
			[0, 256],
			[255, 256],
			[256, 1024],
			[1023, 1024],
			[1024, 4096],
			[4095, 4096],
			[16383, 16384],
			[65535, 65536],
			[65536, 131072],
			[131071, 131072],
			[131072, 196608],
			[MAX_UNPADDED_BYTES, MAX_PADDED_BYTES]
		];
		for (const [n, bucket] of cases) expect(paddedLength(n), `length ${n}`).toBe(bucket);
		expect(() => paddedLength(MAX_UNPADDED_BYTES + 1)).toThrow(TooLargeError);
		expect(() => paddedLength(-1)).toThrow(RangeError);
		expect(() => pad(new Uint8Array(MAX_UNPADDED_BYTES + 1))).toThrow(TooLargeError);
	});

	it('round-trips any data, always onto a bucket, the smallest that fits', () => {
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 300_000 }), fc.nat(255), (length, fill) => {
				const data = new Uint8Array(length).fill(fill);
				const padded = pad(data);
				expect(isBucketLength(padded.length)).toBe(true);
				expect(padded.length).toBeGreaterThan(length);
				// Smallest: the next smaller bucket could not hold data ‖ 0x80.
				const smaller = [...PADDING_BUCKETS, ...Array.from({ length: 16 }, (_, i) => (i + 1) * PADDING_STEP)].filter(
					(b) => b < padded.length
				);
				if (smaller.length > 0) expect(Math.max(...smaller)).toBeLessThan(length + 1);
				// equalBytes: toEqual on 300 KB arrays is slow.
				expect(equalBytes(unpad(padded), data)).toBe(true);
			}),
			{ numRuns: 200 }
		);
	});

	it('is unambiguous for data ending in 0x80 or zeros', () => {
		for (const data of [[0x80], [0x80, 0], [0, 0, 0], [1, 0x80, 0x80]]) {
			const bytes = new Uint8Array(data);
			expect(unpad(pad(bytes))).toEqual(bytes);
		}
	});

	it('refuses bad padding and non-bucket lengths', () => {
		expect(() => unpad(new Uint8Array(256))).toThrow(MalformedError); // no marker
		const p = pad(new Uint8Array([1, 2, 3]));
		p[3] = 0x81;
		expect(() => unpad(p)).toThrow(MalformedError);
		const q = pad(new Uint8Array([1]));
		q[255] = 1; // byte after the marker not zero
		expect(() => unpad(q)).toThrow(MalformedError);
		expect(() => unpad(new Uint8Array(255).fill(0x80))).toThrow(MalformedError);
		expect(() => unpad(new Uint8Array(0))).toThrow(MalformedError);
		expect(() => unpad(new Uint8Array(MAX_PADDED_BYTES + PADDING_STEP))).toThrow(MalformedError);
		expect(isBucketLength(3 * PADDING_STEP)).toBe(true);
		expect(isBucketLength(3 * PADDING_STEP + 256)).toBe(false);
	});
});

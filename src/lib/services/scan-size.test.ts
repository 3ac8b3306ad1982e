import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SCAN_IMAGE_SIDE, MAX_SCAN_SIDE, scanSize } from './scan-size.ts';

describe('scanSize', () => {
	it('scales the longest side down to the limit, keeping the aspect', () => {
		expect(scanSize(1920, 1080)).toEqual({ width: MAX_SCAN_SIDE, height: 450 });
		expect(scanSize(1080, 1920)).toEqual({ width: 450, height: MAX_SCAN_SIDE });
		expect(scanSize(4000, 3000, 400)).toEqual({ width: 400, height: 300 });
		expect(scanSize(4000, 3000, MAX_SCAN_IMAGE_SIDE)).toEqual({ width: 1600, height: 1200 });
	});

	it('never enlarges and never reaches zero', () => {
		expect(scanSize(320, 240)).toEqual({ width: 320, height: 240 });
		expect(scanSize(100_000, 1)).toEqual({ width: MAX_SCAN_SIDE, height: 1 });
		fc.assert(
			fc.property(fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 1, max: 20_000 }), (w, h) => {
				const s = scanSize(w, h);
				expect(Math.max(s.width, s.height)).toBeLessThanOrEqual(MAX_SCAN_SIDE);
				expect(s.width).toBeGreaterThanOrEqual(1);
				expect(s.height).toBeGreaterThanOrEqual(1);
				expect(s.width).toBeLessThanOrEqual(w);
				expect(s.height).toBeLessThanOrEqual(h);
			})
		);
	});

	it('refuses sizes that are not positive numbers', () => {
		expect(() => scanSize(0, 10)).toThrow(RangeError);
		expect(() => scanSize(10, Number.NaN)).toThrow(RangeError);
		expect(() => scanSize(10, 10, -1)).toThrow(RangeError);
		expect(() => scanSize(Number.POSITIVE_INFINITY, 10)).toThrow(RangeError);
	});
});

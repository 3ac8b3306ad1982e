import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';

const opts = { baseMs: 1000, capMs: 60_000, jitter: 0.5 };

describe('backoffDelay', () => {
	it('doubles from the base up to the cap (random part at its maximum)', () => {
		const delays = [0, 1, 2, 3, 4, 5, 6, 7, 50, 5000].map((a) => backoffDelay(a, opts, () => 1));
		expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000, 60000]);
	});

	it('never goes below half the nominal delay with equal jitter', () => {
		expect(backoffDelay(3, opts, () => 0)).toBe(4000);
		expect(backoffDelay(3, opts, () => 0.5)).toBe(6000);
	});

	it('stays within [d·(1 − jitter), d] for any attempt, jitter and random value', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 0, max: 2000 }),
				fc.double({ min: 0, max: 1, noNaN: true }),
				fc.double({ min: 0, max: 1, noNaN: true }),
				(attempt, jitter, r) => {
					const o = { ...opts, jitter };
					const nominal = Math.min(o.capMs, o.baseMs * 2 ** Math.min(attempt, 1024));
					const d = backoffDelay(attempt, o, () => r);
					expect(d).toBeGreaterThanOrEqual(Math.floor(nominal * (1 - jitter)));
					expect(d).toBeLessThanOrEqual(nominal);
				}
			),
			{ numRuns: 300 }
		);
	});

	it('refuses bad input', () => {
		expect(() => backoffDelay(-1, opts)).toThrow(RangeError);
		expect(() => backoffDelay(1.5, opts)).toThrow(RangeError);
		expect(() => backoffDelay(0, { ...opts, baseMs: 0 })).toThrow(RangeError);
		expect(() => backoffDelay(0, { ...opts, capMs: 10 })).toThrow(RangeError);
		expect(() => backoffDelay(0, { ...opts, jitter: 2 })).toThrow(RangeError);
	});
});

import { describe, expect, it } from 'vitest';
import { UsageError } from '../../lib/core/errors.ts';
import { TrustLevel } from '../../lib/core/trust.ts';
import { parseTrustLevel } from './trust.ts';

describe('parseTrustLevel', () => {
	it('reads integers from -100 to 100', () => {
		for (const [text, level] of [
			['0', 0],
			['-0', 0],
			['+25', 25],
			['-100', -100],
			['100', 100],
			[' 42 ', 42]
		] as const)
			expect(parseTrustLevel(text), text).toBe(level);
		expect(Object.is(parseTrustLevel('-0'), 0)).toBe(true);
	});

	it('reads the level names in any case, with or without spaces, dashes or underscores', () => {
		for (const [name, level] of Object.entries(TrustLevel)) {
			expect(parseTrustLevel(name)).toBe(level);
			expect(parseTrustLevel(name.toUpperCase())).toBe(level);
		}
		expect(parseTrustLevel('highly-trusted')).toBe(100);
		expect(parseTrustLevel('Highly Trusted')).toBe(100);
		expect(parseTrustLevel('highly_trusted')).toBe(100);
	});

	it('refuses the rest with the list of names', () => {
		for (const text of ['101', '-101', '1.5', '1e2', '', 'trustworthy', '0x10', '10000'])
			expect(() => parseTrustLevel(text), text).toThrow(UsageError);
		expect(() => parseTrustLevel('mate')).toThrow(
			'"mate" is not a trust level: give an integer from -100 to 100 or a name: Blocked (-100), Suspicious (-50), Unknown (0), Acquaintance (25), Friend (50), Trusted (75), HighlyTrusted (100).'
		);
	});
});

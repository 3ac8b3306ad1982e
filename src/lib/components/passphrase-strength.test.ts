import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	estimateBits,
	FAIR_BITS,
	MIN_PASSPHRASE_LENGTH,
	passphraseStrength,
	STRONG_BITS
} from './passphrase-strength.ts';

describe('passphraseStrength', () => {
	it('is too short under the minimum, whatever the characters', () => {
		expect(passphraseStrength('')).toBe('too-short');
		expect(passphraseStrength('Aa1!Bb2@C')).toBe('too-short');
		expect(passphraseStrength('a'.repeat(MIN_PASSPHRASE_LENGTH))).toBe('weak');
	});

	it('rates repetition as weak and several words as strong', () => {
		expect(passphraseStrength('aaaaaaaaaaaaaaaaaaaa')).toBe('weak');
		expect(passphraseStrength('abababababababababab')).toBe('weak');
		expect(passphraseStrength('sunflower7')).toBe('fair');
		expect(passphraseStrength('purple lantern orbit meadow')).toBe('strong');
		expect(passphraseStrength('chat noir sur le toit')).toBe('strong');
	});

	it('counts characters, not UTF-16 units', () => {
		expect(passphraseStrength('🐱'.repeat(MIN_PASSPHRASE_LENGTH - 1))).toBe('too-short');
	});

	it('levels follow the bit thresholds', () => {
		fc.assert(
			fc.property(fc.string({ minLength: MIN_PASSPHRASE_LENGTH, maxLength: 64 }), (p) => {
				const bits = estimateBits(p);
				const level = passphraseStrength(p);
				if ([...p].length < MIN_PASSPHRASE_LENGTH) return level === 'too-short';
				return level === (bits < FAIR_BITS ? 'weak' : bits < STRONG_BITS ? 'fair' : 'strong');
			})
		);
	});

	it('appending a new character never lowers the estimate', () => {
		fc.assert(
			fc.property(fc.string({ maxLength: 40 }), fc.constantFrom('a', 'Z', '7', '!', 'é'), (p, c) => {
				const longer = p + c;
				return p.endsWith(c) || estimateBits(longer) >= estimateBits(p);
			})
		);
	});
});

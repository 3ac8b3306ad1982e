/**
 * A rough passphrase strength hint for the create form. It only guides: the real protection is
 * the memory-hard KDF of the key backup (keystore.ts), which makes every guess expensive. The
 * estimate is deliberately simple — character pool × length, repeated characters discounted — so
 * that people understand it: longer is better, several words beat one clever word.
 */

/** Shortest passphrase the app accepts for protecting keys. */
export const MIN_PASSPHRASE_LENGTH = 10;

// The longest passphrase is keystore's bound (UTF-16 units, as an input's maxlength counts them).
export { MAX_PASSPHRASE_LENGTH } from '../core/keystore.ts';

/** Estimated bits below which a passphrase counts as weak. */
export const FAIR_BITS = 50;

/** Estimated bits from which a passphrase counts as strong. */
export const STRONG_BITS = 80;

/** The levels the hint shows. */
export type Strength = 'too-short' | 'weak' | 'fair' | 'strong';

/**
 * Rough entropy estimate, in bits.
 *
 * Pool: 26 per letter case used, 10 for digits, 33 for ASCII punctuation and space, 100 for any
 * other character. Length: characters (code points), but a character repeating the one before it
 * adds nothing, and no more than twice the number of distinct characters counts — so
 * "aaaaaaaaaaaa" and "abababababab" stay weak.
 *
 * @param passphrase - the text typed
 * @returns estimated bits (0 for the empty string)
 */
export function estimateBits(passphrase: string): number {
	const chars = [...passphrase];
	if (chars.length === 0) return 0;
	let pool = 0;
	if (/[a-z]/.test(passphrase)) pool += 26;
	if (/[A-Z]/.test(passphrase)) pool += 26;
	if (/[0-9]/.test(passphrase)) pool += 10;
	if (/[\x20-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]/.test(passphrase)) pool += 33;
	if (/[^\x20-\x7e]/.test(passphrase)) pool += 100;
	let length = 0;
	for (let i = 0; i < chars.length; i++) if (i === 0 || chars[i] !== chars[i - 1]) length++;
	length = Math.min(length, 2 * new Set(chars).size);
	return length * Math.log2(pool);
}

/**
 * The strength level shown beside the passphrase field.
 * @param passphrase - the text typed
 * @returns 'too-short' under MIN_PASSPHRASE_LENGTH characters, else weak / fair / strong by estimateBits
 */
export function passphraseStrength(passphrase: string): Strength {
	if ([...passphrase].length < MIN_PASSPHRASE_LENGTH) return 'too-short';
	const bits = estimateBits(passphrase);
	if (bits < FAIR_BITS) return 'weak';
	if (bits < STRONG_BITS) return 'fair';
	return 'strong';
}

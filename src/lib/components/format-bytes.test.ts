import { describe, expect, it } from 'vitest';
import { en } from '../i18n/en.ts';
import { fr } from '../i18n/fr.ts';
import { formatBytes } from './format-bytes.ts';

describe('formatBytes', () => {
	it('uses binary units with the language’s number format and unit names', () => {
		expect(formatBytes(0, 'en', en.share.units)).toBe('0 B');
		expect(formatBytes(1023, 'en', en.share.units)).toBe('1,023 B');
		expect(formatBytes(1024, 'en', en.share.units)).toBe('1 KiB');
		expect(formatBytes(5 * 1024 * 1024, 'en', en.share.units)).toBe('5 MiB');
		expect(formatBytes(5.25 * 1024 * 1024, 'en', en.share.units)).toBe('5.3 MiB');
		expect(formatBytes(5.25 * 1024 * 1024, 'fr', fr.share.units)).toBe('5,3 Mio');
		expect(formatBytes(512 * 1024 * 1024, 'en', en.share.units)).toBe('512 MiB');
		expect(formatBytes(3 * 1024 ** 3, 'fr', fr.share.units)).toBe('3 Gio');
		expect(formatBytes(5000 * 1024 ** 3, 'en', en.share.units)).toBe('5,000 GiB');
	});

	it('refuses what is not a byte count', () => {
		for (const bad of [-1, NaN, Infinity]) expect(() => formatBytes(bad, 'en', en.share.units)).toThrow(RangeError);
	});
});

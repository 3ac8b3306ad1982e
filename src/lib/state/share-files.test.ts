import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	cleanFileName,
	fileNameFromHash,
	hasKeyInHash,
	MAX_FRAGMENT_LENGTH,
	MAX_SHARED_NAME_LENGTH,
	shareFragment,
	withFileName
} from './share-files.ts';

const LINK = 'https://relay.example/c/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy';
const KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';

describe('file names in links', () => {
	it('adds the name beside the key, and reads it back', () => {
		const link = withFileName(`${LINK}#k=${KEY}`, 'Report 2024 (final).pdf');
		expect(link).toBe(`${LINK}#k=${KEY}&n=Report+2024+%28final%29.pdf`);
		const hash = link.slice(link.indexOf('#'));
		expect(fileNameFromHash(hash)).toBe('Report 2024 (final).pdf');
		expect(hasKeyInHash(hash)).toBe(true);
		expect(withFileName(LINK, 'été.txt')).toBe(`${LINK}#n=%C3%A9t%C3%A9.txt`);
		expect(hasKeyInHash(`#n=x`)).toBe(false);
		expect(fileNameFromHash('#k=abc')).toBeUndefined();
	});

	it('cleans names: no separators, controls or direction overrides, bounded, never empty or a dot name', () => {
		expect(cleanFileName('../../etc/passwd')).toBe('.._.._etc_passwd');
		expect(cleanFileName('a\\b')).toBe('a_b');
		expect(cleanFileName('invoice\u202efdp.exe')).toBe('invoicefdp.exe');
		expect(cleanFileName('line\nbreak\u0000.txt')).toBe('linebreak.txt');
		expect(cleanFileName('  ..  ')).toBeUndefined();
		expect(cleanFileName('\u0001\u0002')).toBeUndefined();
		expect(cleanFileName('😀'.repeat(MAX_SHARED_NAME_LENGTH + 5))).toBe('😀'.repeat(MAX_SHARED_NAME_LENGTH));
		expect(withFileName(LINK, '...')).toBe(LINK);
	});

	it('any name survives a link round trip as its cleaned form', () => {
		fc.assert(
			fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (name) => {
				const cleaned = cleanFileName(name);
				const link = withFileName(LINK, name);
				const hash = link.includes('#') ? link.slice(link.indexOf('#')) : '';
				expect(fileNameFromHash(hash)).toBe(cleaned);
				if (cleaned !== undefined) {
					expect(cleaned).not.toMatch(/[/\\]/);
					expect([...cleaned].length).toBeLessThanOrEqual(MAX_SHARED_NAME_LENGTH);
				}
			})
		);
	});

	it('ignores oversized fragments', () => {
		const long = `#n=${'a'.repeat(MAX_FRAGMENT_LENGTH)}`;
		expect(fileNameFromHash(long)).toBeUndefined();
		expect(hasKeyInHash(`#k=1&${'x'.repeat(MAX_FRAGMENT_LENGTH)}`)).toBe(false);
	});
});

describe('shareFragment', () => {
	it('keeps only the key and the name of a pasted link', () => {
		expect(shareFragment(`${LINK}#k=${KEY}&n=a.txt&utm=1`)).toBe(`k=${KEY}&n=a.txt`);
		expect(shareFragment(`${LINK}#n=a.txt`)).toBe('n=a.txt');
		expect(shareFragment(LINK)).toBe('');
		expect(shareFragment('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')).toBe('');
		expect(shareFragment(`${LINK}#${'k'.repeat(MAX_FRAGMENT_LENGTH + 1)}`)).toBe('');
	});
});

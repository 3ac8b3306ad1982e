import { describe, expect, it } from 'vitest';
import {
	AbortError,
	BrowserStorageError,
	MalformedError,
	MiaouError,
	TooLargeError,
	WrongPassphraseError
} from '../core/errors.ts';
import { en } from './en.ts';
import { errorMessage, MAX_ERROR_DETAIL_LENGTH } from './error-message.ts';
import { fr } from './fr.ts';

describe('errorMessage', () => {
	it('gives the translated sentence of a known MiaouError code', () => {
		expect(errorMessage(new WrongPassphraseError(), en)).toBe(en.errors.ERR_WRONG_PASSPHRASE);
		expect(errorMessage(new WrongPassphraseError(), fr)).toBe(fr.errors.ERR_WRONG_PASSPHRASE);
		expect(errorMessage(new MalformedError('Key backup', 'not JSON'), fr)).toBe(fr.errors.ERR_MALFORMED);
		expect(errorMessage(new TooLargeError('Key backup', 70000, 65536), en)).toBe(en.errors.ERR_TOO_LARGE);
		expect(errorMessage(new BrowserStorageError('quota'), en)).toBe(en.errors.ERR_BROWSER_STORAGE);
		expect(errorMessage(new AbortError(), en)).toBe(en.errors.ERR_ABORTED);
	});

	it('keeps the own message of a MiaouError whose code has no translation yet', () => {
		const e = new MiaouError('ERR_SOMETHING_NEW', 'A new thing failed in a readable way.');
		expect(errorMessage(e, fr)).toBe('A new thing failed in a readable way.');
	});

	it('recognises a code on a plain object (an error rebuilt from a worker message)', () => {
		expect(errorMessage({ code: 'ERR_WRONG_PASSPHRASE', message: 'x' }, en)).toBe(en.errors.ERR_WRONG_PASSPHRASE);
	});

	it('does not treat the dictionary helpers as error codes', () => {
		expect(errorMessage(new MiaouError('unknown', 'Own text.'), en)).toBe('Own text.');
		expect(errorMessage(new MiaouError('offline', 'Own text.'), en)).toBe('Own text.');
	});

	it('turns browser storage refusals into the storage sentence', () => {
		for (const name of ['QuotaExceededError', 'InvalidStateError', 'UnknownError', 'SecurityError'])
			expect(errorMessage(new DOMException('x', name), en), name).toBe(en.errors.ERR_BROWSER_STORAGE);
		expect(errorMessage(new DOMException('x', 'AbortError'), fr)).toBe(fr.errors.ERR_ABORTED);
	});

	it('names anything else as unexpected with a short one-line detail', () => {
		expect(errorMessage(new RangeError('bad\n  thing'), en)).toBe(en.errors.unknown('RangeError: bad thing'));
		expect(errorMessage('boom', fr)).toBe(fr.errors.unknown('boom'));
		expect(errorMessage(undefined, en)).toBe(en.errors.unknown('undefined'));
		const long = errorMessage(new Error('y'.repeat(1000)), en);
		expect(long.length).toBeLessThan(MAX_ERROR_DETAIL_LENGTH + 60);
		expect(long).toContain('…');
	});

	it('always returns one non-empty sentence', () => {
		for (const v of [null, 0, {}, [], Symbol('s'), new Error(''), ''])
			expect(errorMessage(v, en).length).toBeGreaterThan(0);
	});
});

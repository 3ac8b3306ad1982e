import { describe, expect, it } from 'vitest';
import * as relayErrors from '../../../relay/ipfs/errors.ts';
import * as coreErrors from '../core/errors.ts';
import {
	AbortError,
	BrowserStorageError,
	MalformedError,
	MiaouError,
	QuotaExceededError,
	RelayRefusedError,
	TooLargeError,
	WrongPassphraseError
} from '../core/errors.ts';
import { en } from './en.ts';
import { errorMessage, isKnownCode, MAX_ERROR_DETAIL_LENGTH } from './error-message.ts';
import { fr } from './fr.ts';

/**
 * Every error the app can show, built from the modules themselves so a class added tomorrow is
 * picked up without editing this test: the core's classes, and the relay's HTTP ones (they reach
 * the app as a RelayRefusedError reason). Each constructor only formats its arguments into a
 * sentence, so placeholder strings build every one of them.
 */
function everyErrorClass(): { name: string; error: MiaouError }[] {
	return Object.entries({ ...coreErrors, ...relayErrors }).flatMap(([name, value]) => {
		if (typeof value !== 'function' || !(value.prototype instanceof MiaouError)) return [];
		const error: unknown = Reflect.construct(value, ['x', 'x', 'x']);
		if (!(error instanceof MiaouError)) throw new Error(`${name} did not build a MiaouError`);
		return [{ name, error }];
	});
}

/** Codes the app sets without a class: a relay's crash (HTTP 500) and a send lost to a closed tab. */
const CODES_WITHOUT_CLASS = ['ERR_INTERNAL', 'ERR_NOT_QUEUED'];

describe('every error code has a sentence for people, in every language', () => {
	const classes = everyErrorClass();

	it('finds the error classes (the module scan itself works)', () => {
		expect(classes.length).toBeGreaterThan(50);
		expect(classes.map((c) => c.name)).toContain('BlockedContactError');
		expect(classes.map((c) => c.name)).toContain('BusyError');
	});

	it('has an English and a French sentence for each code', () => {
		const codes = [...new Set([...classes.map((c) => c.error.code), ...CODES_WITHOUT_CLASS])];
		const missing = codes.filter((code) => !isKnownCode(code, en) || !isKnownCode(code, fr));
		// A class added without sentences lands here: add them to the `errors` section of en.ts and fr.ts.
		expect(missing).toEqual([]);
		for (const code of codes) {
			if (!isKnownCode(code, en) || !isKnownCode(code, fr)) continue;
			expect(en.errors[code], code).toMatch(/^[A-Z].*[.!?]$/);
			expect(fr.errors[code], code).toMatch(/^[A-ZÀ-Ý].*[.!?]$/);
			expect(fr.errors[code], code).not.toBe(en.errors[code]);
			// For people, not developers: no code, class name or CLI flag in the sentence.
			for (const text of [en.errors[code], fr.errors[code]]) expect(text, code).not.toMatch(/ERR_|Error\b|--/);
		}
	});

	it('shows that sentence for each class, never the English developer message', () => {
		for (const { name, error } of classes) {
			if (error instanceof RelayRefusedError) continue; // its own test below
			expect(errorMessage(error, fr), name).toBe(fr.errors[error.code as keyof typeof fr.errors]);
			expect(errorMessage(error, fr), name).not.toBe(error.message);
		}
	});
});

describe('errorMessage of a relay refusal', () => {
	it('names the relay and gives the sentence of its reason', () => {
		const refusal = new RelayRefusedError('wss://relay.example:8443/gun', 'ERR_QUOTA', 'Storage is full');
		expect(errorMessage(refusal, en)).toBe(en.errors.relayRefused('relay.example:8443', en.errors.ERR_QUOTA));
		expect(errorMessage(refusal, fr)).toBe(fr.errors.relayRefused('relay.example:8443', fr.errors.ERR_QUOTA));
		expect(errorMessage(new RelayRefusedError('https://r.example', 'ERR_BUSY', 'x'), fr)).toContain(fr.errors.ERR_BUSY);
	});

	it('falls back to the plain refusal sentence for a reason it does not know', () => {
		expect(errorMessage(new RelayRefusedError('wss://r.example', 'HTTP_502', 'Bad gateway'), fr)).toBe(
			fr.errors.ERR_RELAY_REFUSED
		);
		expect(errorMessage(new RelayRefusedError('not a url', 'ERR_RELAY_REFUSED', 'x'), en)).toBe(
			en.errors.ERR_RELAY_REFUSED
		);
	});

	it('matches the quota sentence of the class itself', () => {
		expect(errorMessage(new QuotaExceededError(10, 1), en)).toBe(en.errors.ERR_QUOTA);
	});
});

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

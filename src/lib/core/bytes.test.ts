import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { abytes, concat, equalBytes, fromBase64url, fromHex, fromUtf8, toBase64url, toHex, utf8 } from './bytes.ts';
import { MalformedError } from './errors.ts';

describe('bytes', () => {
	it('round-trips base64url and hex for any bytes', () => {
		fc.assert(
			fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
				expect(fromBase64url(toBase64url(b))).toEqual(b);
				expect(fromHex(toHex(b))).toEqual(b);
			})
		);
	});
	it('matches RFC 4648 base64url vectors (padding dropped)', () => {
		const vectors: [string, string][] = [
			['', ''],
			['f', 'Zg'],
			['fo', 'Zm8'],
			['foo', 'Zm9v'],
			['foob', 'Zm9vYg'],
			['fooba', 'Zm9vYmE'],
			['foobar', 'Zm9vYmFy']
		];
		for (const [plain, enc] of vectors) {
			expect(toBase64url(utf8(plain))).toBe(enc);
			expect(fromUtf8(fromBase64url(enc))).toBe(plain);
		}
		expect(toBase64url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
	});
	it('refuses malformed text', () => {
		expect(() => fromBase64url('Zh')).toThrow(MalformedError); // stray bits
		expect(() => fromBase64url('Z')).toThrow(MalformedError);
		expect(() => fromBase64url('Zm9v+')).toThrow(MalformedError);
		expect(() => fromHex('abc')).toThrow(MalformedError);
		expect(() => fromHex('zz')).toThrow(MalformedError);
		expect(() => fromUtf8(new Uint8Array([0xff]))).toThrow(MalformedError);
	});
	it('checks labelled inputs', () => {
		expect(() => abytes('x', 32, 'publicKey')).toThrow(TypeError);
		expect(() => abytes(new Uint8Array(31), 32, 'publicKey')).toThrow(/publicKey must be 32 bytes/);
		expect(abytes(new Uint8Array(32), 32)).toHaveLength(32);
	});
	it('compares and concatenates', () => {
		expect(equalBytes(utf8('ab'), utf8('ab'))).toBe(true);
		expect(equalBytes(utf8('ab'), utf8('ac'))).toBe(false);
		expect(equalBytes(utf8('ab'), utf8('abc'))).toBe(false);
		expect(concat(utf8('a'), utf8('bc'))).toEqual(utf8('abc'));
	});
});

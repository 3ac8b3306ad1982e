import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { toHex, utf8 } from './bytes.ts';
import {
	canonicalBytes,
	canonicalize,
	MAX_JSON_DEPTH,
	parseCanonicalJson,
	parseJson,
	utf8Length,
	type JsonValue
} from './canonical.ts';
import { MalformedError, TooLargeError } from './errors.ts';

const BIG = { maxBytes: 1 << 20 };

function nested(depth: number): unknown {
	let v: unknown = 1;
	for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { k: v };
	return v;
}

// JSON values of the canonical subset: safe integers instead of doubles.
const jsonValue: fc.Arbitrary<JsonValue> = fc.letrec<{ v: JsonValue }>((tie) => ({
	v: fc.oneof(
		{ depthSize: 'small', withCrossShrink: true },
		fc.constant(null),
		fc.boolean(),
		fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }).map((n) => n || 0),
		fc.string({ unit: 'grapheme' }),
		fc.array(tie('v'), { maxLength: 4 }),
		fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 6 }), tie('v'), { maxKeys: 4 })
	)
})).v;

describe('canonicalize (RFC 8785)', () => {
	it('sorts properties by UTF-16 code units (RFC 8785 §3.2.3 example)', () => {
		const input = JSON.parse(
			'{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One",' +
				'"\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}'
		);
		// Read the order from the text: re-parsing would move the integer-like key "1" first.
		const order = [...canonicalize(input).matchAll(/:"([^"]+)"/g)].map((m) => m[1]);
		expect(order).toEqual([
			'Carriage Return',
			'One',
			'Control',
			'Latin Small Letter O With Diaeresis',
			'Euro Sign',
			'Emoji: Grinning Face',
			'Hebrew Letter Dalet With Dagesh'
		]);
	});

	it('escapes strings as RFC 8785 §3.2.2.2 says (the RFC sample minus its floats)', () => {
		const text = String.raw`{"string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/", "literals": [null, true, false]}`;
		const out = canonicalize(JSON.parse(text));
		expect(out).toBe(String.raw`{"literals":[null,true,false],"string":"€$\u000f\nA'B\"\\\\\"/"}`);
		// The UTF-8 of the string member, as printed in the RFC's hex dump.
		expect(toHex(utf8(out.slice(out.indexOf('"string"'))))).toBe(
			'22737472696e67223a22e282ac245c75303030665c6e4127425c225c5c5c5c5c222f227d'
		);
	});

	it('serializes safe integers in plain decimal (RFC 8785 appendix B, integer rows)', () => {
		expect(canonicalize([0, 1, -1, 9007199254740991, -9007199254740991, 1000000])).toBe(
			'[0,1,-1,9007199254740991,-9007199254740991,1000000]'
		);
		expect(canonicalize({ b: [1, { d: null, c: false }], a: '' })).toBe('{"a":"","b":[1,{"c":false,"d":null}]}');
		expect(canonicalize('\u2028\u007f\u0000')).toBe('"\u2028\u007f\\u0000"');
		expect(canonicalBytes({ é: 1 })).toEqual(utf8('{"é":1}'));
	});

	it('refuses what the subset does not hold', () => {
		class Thing {
			a = 1;
		}
		const sparse: unknown[] = [1];
		sparse[2] = 3;
		const bad: unknown[] = [
			1.5,
			Number.NaN,
			Infinity,
			-Infinity,
			-0,
			2 ** 53,
			undefined,
			() => 1,
			Symbol('s'),
			10n,
			new Date(0),
			new Map(),
			new Thing(),
			sparse,
			{ a: undefined },
			{ [Symbol('k')]: 1 },
			'\ud800',
			'a\udc00',
			{ '\udbff': 1 },
			nested(MAX_JSON_DEPTH + 1)
		];
		for (const value of bad) expect(() => canonicalize(value), String(value)).toThrow(MalformedError);
		expect(() => canonicalize(nested(MAX_JSON_DEPTH))).not.toThrow();
		expect(canonicalize(Object.create(null))).toBe('{}');
		expect(canonicalize('\ud83d\ude00')).toBe('"😀"');
	});

	it('is independent of key insertion order and round-trips through the parser', () => {
		fc.assert(
			fc.property(jsonValue, (v) => {
				const text = canonicalize(v);
				expect(parseCanonicalJson(text, BIG)).toEqual(v);
				expect(canonicalize(JSON.parse(JSON.stringify(v)))).toBe(text);
				// JSON.stringify agrees on everything but key order, so re-sorting its output matches.
				expect(canonicalize(JSON.parse(text))).toBe(text);
			})
		);
	});
});

describe('parseJson', () => {
	afterEach(() => vi.restoreAllMocks());

	it('refuses a 10 MB string by its size, before JSON.parse and fast', () => {
		const parse = vi.spyOn(JSON, 'parse');
		const huge = `"${'a'.repeat(10 * 1024 * 1024)}"`;
		const start = performance.now();
		expect(() => parseJson(huge, { maxBytes: 16 * 1024 })).toThrow(TooLargeError);
		expect(performance.now() - start).toBeLessThan(50);
		expect(parse).not.toHaveBeenCalled();
	});

	it('counts UTF-8 bytes, not characters, against the cap', () => {
		const parse = vi.spyOn(JSON, 'parse');
		const text = `"${'é'.repeat(10)}"`; // 12 characters, 22 bytes
		expect(() => parseJson(text, { maxBytes: 21 })).toThrow(TooLargeError);
		expect(parse).not.toHaveBeenCalled();
		expect(parseJson(text, { maxBytes: 22 })).toBe('é'.repeat(10));
	});

	it('refuses a nesting bomb before JSON.parse', () => {
		const parse = vi.spyOn(JSON, 'parse');
		expect(() => parseJson('['.repeat(5000) + ']'.repeat(5000), BIG)).toThrow(/nested deeper/);
		expect(() => parseJson('{"a":'.repeat(17) + '1' + '}'.repeat(17), BIG)).toThrow(MalformedError);
		expect(parse).not.toHaveBeenCalled();
		// Brackets inside strings do not count.
		expect(parseJson(`["${'['.repeat(40)}\\"["]`, BIG)).toEqual([`${'['.repeat(40)}"[`]);
	});

	it('refuses non-strings, bad JSON and values outside the subset', () => {
		for (const input of [42, null, undefined, {}, new Uint8Array(2)])
			expect(() => parseJson(input, BIG)).toThrow(MalformedError);
		for (const text of ['', '{', '{"a":1,}', "{'a':1}", 'NaN', '[1.5]', '-0', '1e400', '"\\ud800"', '{"\\udc00":1}'])
			expect(() => parseJson(text, BIG), text).toThrow(MalformedError);
		expect(parseJson(' { "b" : 1.0, "a" : [ 1e2 ] } ', BIG)).toEqual({ a: [100], b: 1 });
	});

	it('parseCanonicalJson accepts only the one canonical text of a value', () => {
		expect(parseCanonicalJson('{"a":[100],"b":1}', BIG)).toEqual({ a: [100], b: 1 });
		const variants = [
			' {"a":1}',
			'{"a": 1}',
			'{"b":1,"a":2}',
			'{"a":1,"a":1}',
			'{"a":1.0}',
			'{"a":1e0}',
			'"\\u0041"',
			'"\\/"',
			'"\\u00e9"'
		];
		for (const text of variants) expect(() => parseCanonicalJson(text, BIG), text).toThrow(/canonical/);
	});

	it('utf8Length matches TextEncoder on any string, lone surrogates included', () => {
		const encoder = new TextEncoder();
		fc.assert(
			fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), (a, b) => {
				expect(utf8Length(a)).toBe(encoder.encode(a).length);
				expect(utf8Length(b)).toBe(encoder.encode(b).length);
			})
		);
		expect(utf8Length('\ud800\ud800\udc00')).toBe(7);
	});
});

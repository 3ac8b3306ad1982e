/**
 * Canonical JSON: the RFC 8785 JSON Canonicalization Scheme (JCS) for the subset Miaou records
 * use — objects, arrays, strings, booleans, null and safe integers. Every signature in Miaou is
 * computed over these bytes, so two implementations that agree on this file agree on every
 * signed message (docs/records.md §Canonical JSON).
 *
 * The subset is chosen so that JCS needs no number formatting: RFC 8785 §3.2.2.3 serializes
 * numbers the way ECMAScript does, which for safe integers (|n| ≤ 2^53 − 1) is plain decimal.
 * Floats, −0, NaN and ±Infinity are refused rather than formatted, because a second
 * implementation would have to reproduce ECMAScript's shortest round-trip float printing to
 * verify them.
 *
 * Parsing size-checks its input before `JSON.parse` runs and checks the nesting depth with a
 * linear scan first, so a hostile string costs at most one pass over `maxBytes` characters.
 */
import { utf8 } from './bytes.ts';
import { MalformedError, TooLargeError } from './errors.ts';

/** A JSON value of the subset Miaou signs (integers only, see the module comment). */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Deepest nesting of arrays and objects accepted; the top-level container is depth 1. */
export const MAX_JSON_DEPTH = 16;

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
// RFC 8785 §3.2.2.2 requires strings to be valid Unicode; a lone surrogate has no UTF-8 form.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Serialize `value` as RFC 8785 canonical JSON.
 *
 * Object properties are sorted by their UTF-16 code units (RFC 8785 §3.2.3), which is what
 * `Array.prototype.sort` does by default; strings are escaped as ECMAScript's `JSON.stringify`
 * does (§3.2.2.2): `\b \t \n \f \r \" \\` by name, other controls below U+0020 as `\u00xx`
 * in lower-case hex, everything else literally.
 *
 * @param value - plain objects, arrays, strings, booleans, null and safe integers only
 * @returns the canonical text (encode as UTF-8 to get the signed bytes)
 * @throws {MalformedError} on a float, −0, NaN, ±Infinity, a lone surrogate, `undefined`, a
 *   function, symbol or bigint, a non-plain object (Date, Map, class instance), a sparse array,
 *   or nesting deeper than {@link MAX_JSON_DEPTH}
 * @example canonicalize({ b: [1, true], a: 'x' }) // '{"a":"x","b":[1,true]}'
 */
export function canonicalize(value: unknown): string {
	return serialize(value, 0);
}

/**
 * The UTF-8 bytes of {@link canonicalize}`(value)`: what gets hashed and signed.
 * @param value - as for {@link canonicalize}
 * @returns UTF-8 of the canonical text
 * @throws {MalformedError} as {@link canonicalize}
 */
export function canonicalBytes(value: unknown): Uint8Array {
	return utf8(canonicalize(value));
}

function serialize(value: unknown, depth: number): string {
	switch (typeof value) {
		case 'string':
			checkString(value);
			return JSON.stringify(value);
		case 'boolean':
			return value ? 'true' : 'false';
		case 'number':
			checkInteger(value);
			return String(value);
		case 'object': {
			if (value === null) return 'null';
			if (depth >= MAX_JSON_DEPTH) throw new MalformedError('JSON', `nested deeper than ${MAX_JSON_DEPTH}`);
			if (Array.isArray(value)) {
				const parts: string[] = [];
				for (let i = 0; i < value.length; i++) {
					if (!(i in value)) throw new MalformedError('JSON', 'sparse array');
					parts.push(serialize(value[i], depth + 1));
				}
				return `[${parts.join(',')}]`;
			}
			const proto = Object.getPrototypeOf(value);
			if (proto !== Object.prototype && proto !== null) throw new MalformedError('JSON', 'not a plain object');
			if (Object.getOwnPropertySymbols(value).length > 0) throw new MalformedError('JSON', 'symbol-keyed property');
			const record = value as Record<string, unknown>;
			// Default sort compares UTF-16 code units: exactly RFC 8785 §3.2.3.
			const keys = Object.keys(record).sort();
			const parts: string[] = [];
			for (const key of keys) {
				checkString(key);
				parts.push(`${JSON.stringify(key)}:${serialize(record[key], depth + 1)}`);
			}
			return `{${parts.join(',')}}`;
		}
		default:
			throw new MalformedError('JSON', `a value of type ${typeof value} has no JSON form`);
	}
}

function checkString(value: string, what = 'JSON'): void {
	if (LONE_SURROGATE.test(value)) throw new MalformedError(what, 'string with a lone surrogate');
}

function checkInteger(value: number, what = 'JSON'): void {
	if (!Number.isSafeInteger(value)) throw new MalformedError(what, `${value} is not a safe integer`);
	if (Object.is(value, -0)) throw new MalformedError(what, '-0 is not allowed');
}

/**
 * The length of `text` in UTF-8 without encoding it. A lone surrogate counts 3 bytes, the
 * size of the U+FFFD that `TextEncoder` writes for it.
 * @param text - any string
 * @returns its UTF-8 byte length
 */
export function utf8Length(text: string): number {
	let n = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c < 0x80) n += 1;
		else if (c < 0x800) n += 2;
		else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
			const d = text.charCodeAt(i + 1);
			if (d >= 0xdc00 && d <= 0xdfff) {
				n += 4;
				i++;
			} else n += 3;
		} else n += 3;
	}
	return n;
}

/**
 * Throw {@link TooLargeError} when `text` is longer than `maxBytes` in UTF-8. Looks at
 * `text.length` first: UTF-8 never takes fewer bytes than UTF-16 code units, so a huge string is
 * refused without being walked.
 * @param text - the text to measure
 * @param maxBytes - the limit in UTF-8 bytes
 * @param what - what the text is, for the error message
 * @throws {TooLargeError} when the text is over the limit
 */
export function assertMaxUtf8(text: string, maxBytes: number, what: string): void {
	if (text.length > maxBytes) throw new TooLargeError(what, text.length, maxBytes);
	const size = utf8Length(text);
	if (size > maxBytes) throw new TooLargeError(what, size, maxBytes);
}

/** Options of {@link parseJson} and {@link parseCanonicalJson}. */
export interface ParseJsonOptions {
	/** Largest accepted UTF-8 size of the text, checked before anything is parsed. */
	maxBytes: number;
	/** What the text is, for error messages (default `JSON`). */
	what?: string;
	/**
	 * Let non-integer numbers through (default false), for a caller that checks each field with a
	 * more specific error (a trust level of 1.5 is a TrustLevelError) and checks canonical form after.
	 */
	allowFloats?: boolean;
}

/**
 * Parse JSON text from outside, bounds first: a type check, the size cap, a linear depth scan,
 * then `JSON.parse`, then a walk refusing anything outside the canonical subset (floats, −0,
 * lone surrogates).
 *
 * @param text - untrusted input
 * @param opts - the size cap and a label
 * @returns the parsed value
 * @throws {MalformedError} when `text` is not a string, not JSON, too deep or outside the subset
 * @throws {TooLargeError} when `text` is over `opts.maxBytes` (before it is parsed)
 */
export function parseJson(text: unknown, opts: ParseJsonOptions): JsonValue {
	const what = opts.what ?? 'JSON';
	if (typeof text !== 'string') throw new MalformedError(what, `a ${typeof text}, not a string`);
	assertMaxUtf8(text, opts.maxBytes, what);
	if (jsonDepth(text) > MAX_JSON_DEPTH) throw new MalformedError(what, `nested deeper than ${MAX_JSON_DEPTH}`);
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		throw new MalformedError(what, 'not valid JSON');
	}
	checkSubset(value, what, opts.allowFloats === true);
	return value as JsonValue;
}

/**
 * {@link parseJson}, then insist that the text is exactly the canonical serialization of what it
 * holds: no whitespace, sorted keys, no duplicate keys, no `1.0` or `1e2`, no needless escapes.
 * A value then has one and only one textual form, so a signed string cannot be re-encoded into
 * a second string that still verifies (docs/records.md §Value string).
 *
 * @param text - untrusted input
 * @param opts - the size cap and a label
 * @returns the parsed value
 * @throws {MalformedError} as {@link parseJson}, or when the text is not canonical
 * @throws {TooLargeError} when `text` is over `opts.maxBytes`
 */
export function parseCanonicalJson(text: unknown, opts: ParseJsonOptions): JsonValue {
	const value = parseJson(text, { ...opts, allowFloats: false });
	if (canonicalize(value) !== text) throw new MalformedError(opts.what ?? 'JSON', 'not in canonical form (RFC 8785)');
	return value;
}

/** The deepest bracket nesting in `text`, ignoring brackets inside strings. Linear, no allocation. */
function jsonDepth(text: string): number {
	let depth = 0;
	let max = 0;
	let inString = false;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (inString) {
			if (c === 0x5c)
				i++; // backslash: skip the escaped character
			else if (c === 0x22) inString = false;
		} else if (c === 0x22) inString = true;
		else if (c === 0x5b || c === 0x7b) {
			if (++depth > max) max = depth;
		} else if (c === 0x5d || c === 0x7d) depth--;
	}
	return max;
}

function checkSubset(value: unknown, what: string, allowFloats: boolean): void {
	if (typeof value === 'number') {
		if (!allowFloats) checkInteger(value, what);
	} else if (typeof value === 'string') checkString(value, what);
	else if (Array.isArray(value)) for (const item of value) checkSubset(item, what, allowFloats);
	else if (typeof value === 'object' && value !== null) {
		for (const [key, item] of Object.entries(value)) {
			checkString(key, what);
			checkSubset(item, what, allowFloats);
		}
	}
}

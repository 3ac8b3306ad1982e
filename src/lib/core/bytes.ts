/**
 * Byte helpers shared by the core: labelled input checks (in the manner of noble's `abytes`),
 * encodings and constant-time comparison. No I/O.
 */
import { MalformedError } from './errors.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Check that `value` is a Uint8Array, optionally of an exact length.
 * @param value - the input to check
 * @param length - the required length, if any
 * @param label - what the value is, for the error message
 * @returns the same value, typed
 * @throws {TypeError} if it is not a Uint8Array
 * @throws {RangeError} if its length is not `length`
 * @example abytes(key, 32, 'publicKey')
 */
export function abytes(value: unknown, length?: number, label = 'value'): Uint8Array {
	if (!(value instanceof Uint8Array)) throw new TypeError(`${label} must be a Uint8Array`);
	if (length !== undefined && value.length !== length)
		throw new RangeError(`${label} must be ${length} bytes, got ${value.length}`);
	return value;
}

/** UTF-8 encode a string. */
export function utf8(text: string): Uint8Array {
	return encoder.encode(text);
}

/**
 * Decode UTF-8, refusing invalid sequences.
 * @throws {MalformedError} on invalid UTF-8
 */
export function fromUtf8(bytes: Uint8Array): string {
	try {
		return decoder.decode(bytes);
	} catch {
		throw new MalformedError('Text', 'not valid UTF-8');
	}
}

/** Concatenate byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
	let length = 0;
	for (const p of parts) length += p.length;
	const out = new Uint8Array(length);
	let offset = 0;
	for (const p of parts) {
		out.set(p, offset);
		offset += p.length;
	}
	return out;
}

/** Constant-time equality of two byte arrays (time depends only on the lengths). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
	if (a.length !== b.length) return false;
	let diff = 0;
	for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
	return diff === 0;
}

/** Lower-case hexadecimal. */
export function toHex(bytes: Uint8Array): string {
	let out = '';
	for (const b of bytes) out += b.toString(16).padStart(2, '0');
	return out;
}

/**
 * Parse hexadecimal.
 * @throws {MalformedError} on odd length or a non-hex character
 */
export function fromHex(hex: string): Uint8Array {
	if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new MalformedError('Hex string');
	const out = new Uint8Array(hex.length / 2);
	for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
	return out;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64URL_INDEX = new Map([...B64URL].map((c, i) => [c, i]));

/** Base64url without padding (RFC 4648 §5), the form used in records and links. */
export function toBase64url(bytes: Uint8Array): string {
	let out = '';
	let i = 0;
	for (; i + 2 < bytes.length; i += 3) {
		const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
		out += B64URL[(n >> 18) & 63]! + B64URL[(n >> 12) & 63]! + B64URL[(n >> 6) & 63]! + B64URL[n & 63]!;
	}
	const rest = bytes.length - i;
	if (rest === 1) {
		const n = bytes[i]! << 16;
		out += B64URL[(n >> 18) & 63]! + B64URL[(n >> 12) & 63]!;
	} else if (rest === 2) {
		const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
		out += B64URL[(n >> 18) & 63]! + B64URL[(n >> 12) & 63]! + B64URL[(n >> 6) & 63]!;
	}
	return out;
}

/**
 * Parse base64url without padding, refusing non-canonical input (stray bits, bad length).
 * @throws {MalformedError}
 */
export function fromBase64url(text: string): Uint8Array {
	if (text.length % 4 === 1) throw new MalformedError('Base64url text', 'bad length');
	const out = new Uint8Array(Math.floor((text.length * 3) / 4));
	let bits = 0;
	let acc = 0;
	let o = 0;
	for (const c of text) {
		const v = B64URL_INDEX.get(c);
		if (v === undefined) throw new MalformedError('Base64url text', `unexpected character ${JSON.stringify(c)}`);
		acc = (acc << 6) | v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (acc >> bits) & 0xff;
		}
	}
	if ((acc & ((1 << bits) - 1)) !== 0) throw new MalformedError('Base64url text', 'non-zero padding bits');
	return out;
}

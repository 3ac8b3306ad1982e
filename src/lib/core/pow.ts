/**
 * Hashcash-style proof of work (docs/records.md §Proof of work). A sealed `box` entry has no
 * sender a relay could rate-limit, so each one carries a nonce that makes
 * SHA-256(challenge ‖ nonce) start with a number of zero bits: cheap to check (one hash), costly
 * to produce in bulk (2^bits hashes on average).
 *
 * The nonce is an integer 0 ≤ n ≤ 2^53 − 1 (a JSON-safe integer) hashed as 8 bytes big-endian,
 * so any language can reproduce the hash without floating-point concerns.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { abytes } from './bytes.ts';
import { AbortError } from './errors.ts';

/** The most work a verifier may ask for; 2^32 hashes is already minutes on a phone. */
export const MAX_POW_BITS = 32;

/** Hashes between two yields to the event loop in {@link solvePow}, by default (~10–30 ms of work). */
export const DEFAULT_POW_YIELD_EVERY = 8192;

const NONCE_LENGTH = 8;

/**
 * Count the zero bits at the start of `bytes`, most significant bit of byte 0 first.
 * @param bytes - usually a SHA-256 digest
 * @returns 0 … 8·length
 * @throws {TypeError} if `bytes` is not a Uint8Array
 * @example leadingZeroBits(new Uint8Array([0, 0x1f])) // 11
 */
export function leadingZeroBits(bytes: Uint8Array): number {
	abytes(bytes, undefined, 'bytes');
	let bits = 0;
	for (const b of bytes) {
		if (b === 0) {
			bits += 8;
			continue;
		}
		return bits + Math.clz32(b) - 24;
	}
	return bits;
}

function checkBits(bits: number): void {
	if (!Number.isInteger(bits) || bits < 0 || bits > MAX_POW_BITS)
		throw new RangeError(`bits must be an integer from 0 to ${MAX_POW_BITS}, got ${bits}`);
}

/** Write `nonce` as 8 bytes big-endian at the end of `buffer` (a safe integer fits in 53 bits). */
function writeNonce(buffer: Uint8Array, nonce: number): void {
	const at = buffer.length - NONCE_LENGTH;
	const high = Math.floor(nonce / 0x1_0000_0000);
	const low = nonce >>> 0;
	buffer[at] = high >>> 24;
	buffer[at + 1] = (high >>> 16) & 0xff;
	buffer[at + 2] = (high >>> 8) & 0xff;
	buffer[at + 3] = high & 0xff;
	buffer[at + 4] = low >>> 24;
	buffer[at + 5] = (low >>> 16) & 0xff;
	buffer[at + 6] = (low >>> 8) & 0xff;
	buffer[at + 7] = low & 0xff;
}

function isNonce(nonce: unknown): nonce is number {
	return typeof nonce === 'number' && Number.isSafeInteger(nonce) && nonce >= 0;
}

/**
 * The number of leading zero bits of SHA-256(challenge ‖ nonce as 8-byte big-endian).
 * @param challenge - what the work commits to
 * @param nonce - a safe integer ≥ 0
 * @returns the achieved difficulty, 0 … 256
 * @throws {TypeError} if `challenge` is not a Uint8Array
 * @throws {RangeError} if `nonce` is not a safe integer ≥ 0
 */
export function powBits(challenge: Uint8Array, nonce: number): number {
	abytes(challenge, undefined, 'challenge');
	if (!isNonce(nonce)) throw new RangeError(`nonce must be a safe integer ≥ 0, got ${String(nonce)}`);
	const buffer = new Uint8Array(challenge.length + NONCE_LENGTH);
	buffer.set(challenge);
	writeNonce(buffer, nonce);
	return leadingZeroBits(sha256(buffer));
}

/**
 * Does SHA-256(challenge ‖ nonce as 8-byte big-endian) start with at least `bits` zero bits?
 * @param challenge - what the work commits to
 * @param nonce - the claimed solution; anything but a safe integer ≥ 0 answers false
 * @param bits - the required difficulty, 0 … {@link MAX_POW_BITS}
 * @returns true when the work is sufficient
 * @throws {TypeError} if `challenge` is not a Uint8Array
 * @throws {RangeError} if `bits` is out of range (a caller's mistake, not an input's)
 */
export function verifyPow(challenge: Uint8Array, nonce: number, bits: number): boolean {
	checkBits(bits);
	abytes(challenge, undefined, 'challenge');
	if (!isNonce(nonce)) return false;
	return powBits(challenge, nonce) >= bits;
}

/** Options of {@link solvePow}. */
export interface SolvePowOptions {
	/** Stops the search with {@link AbortError}. */
	signal?: AbortSignal;
	/** Hashes between yields to the event loop (default {@link DEFAULT_POW_YIELD_EVERY}). */
	yieldEvery?: number;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Find the smallest nonce ≥ 0 whose hash has `bits` leading zero bits. Deterministic for a given
 * challenge, which keeps test vectors stable. Yields to the event loop every `yieldEvery` hashes
 * so a UI or a relay stays responsive, and checks `signal` at each yield.
 *
 * @param challenge - what the work commits to
 * @param bits - the difficulty, 0 … {@link MAX_POW_BITS}
 * @param opts - abort signal and yield interval
 * @returns the nonce
 * @throws {AbortError} when `signal` aborts
 * @throws {RangeError} on `bits` out of range or a `yieldEvery` below 1
 * @example const nonce = await solvePow(challenge, 16)
 */
export async function solvePow(challenge: Uint8Array, bits: number, opts: SolvePowOptions = {}): Promise<number> {
	checkBits(bits);
	abytes(challenge, undefined, 'challenge');
	const yieldEvery = opts.yieldEvery ?? DEFAULT_POW_YIELD_EVERY;
	if (!Number.isInteger(yieldEvery) || yieldEvery < 1)
		throw new RangeError(`yieldEvery must be a positive integer, got ${yieldEvery}`);
	const { signal } = opts;
	const buffer = new Uint8Array(challenge.length + NONCE_LENGTH);
	buffer.set(challenge);
	const fullBytes = bits >>> 3;
	const mask = 0xff00 >>> (bits & 7); // the top (bits mod 8) bits of the next byte
	for (let nonce = 0; nonce <= Number.MAX_SAFE_INTEGER; nonce++) {
		if (nonce % yieldEvery === 0) {
			if (signal?.aborted) throw new AbortError('The proof-of-work search');
			if (nonce > 0) await yieldToEventLoop();
			if (signal?.aborted) throw new AbortError('The proof-of-work search');
		}
		writeNonce(buffer, nonce);
		const digest = sha256(buffer);
		let ok = true;
		for (let i = 0; i < fullBytes; i++) {
			if (digest[i] !== 0) {
				ok = false;
				break;
			}
		}
		if (ok && (digest[fullBytes]! & mask & 0xff) === 0) return nonce;
	}
	// Unreachable for bits ≤ 32: 2^53 tries find a solution with overwhelming probability.
	throw new RangeError('no proof-of-work nonce found');
}

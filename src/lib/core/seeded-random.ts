/**
 * Deterministic "randomness" for tests and known-answer vectors ONLY: SHA-256(seed ‖ counter)
 * blocks. Anything that can predict the seed can predict every key made from it, so production
 * code always takes `randomBytes` from random.ts.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, utf8 } from './bytes.ts';
import type { RandomBytes } from './random.ts';

/**
 * A reproducible byte source: the n-th 32-byte block is SHA-256(utf8(seed) ‖ u32be(n)).
 * @param seed - any text; the same seed gives the same bytes
 * @returns a {@link RandomBytes} for tests and vectors
 * @example const random = seededRandom('envelope tests')
 */
export function seededRandom(seed: string): RandomBytes {
	let counter = 0;
	return (n) => {
		const out = new Uint8Array(n);
		for (let i = 0; i < n; i += 32) {
			const block = sha256(
				concat(utf8(seed), new Uint8Array([counter >>> 24, counter >>> 16, counter >>> 8, counter]))
			);
			counter++;
			out.set(block.subarray(0, Math.min(32, n - i)), i);
		}
		return out;
	};
}

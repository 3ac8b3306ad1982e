/**
 * Randomness and time enter the core as parameters with these defaults, so that tests can be
 * deterministic (STYLE.md habit 1).
 */

/** Returns `n` cryptographically secure random bytes. */
export type RandomBytes = (n: number) => Uint8Array;

/** Returns the current time in milliseconds since the Unix epoch. */
export type Clock = () => number;

/** WebCrypto's CSPRNG, present in browsers and in Node ≥ 19 as `globalThis.crypto`. */
export const randomBytes: RandomBytes = (n) => {
	const out = new Uint8Array(n);
	// getRandomValues fills at most 65,536 bytes per call.
	for (let i = 0; i < n; i += 65536) globalThis.crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
	return out;
};

/** The system clock. */
export const systemClock: Clock = () => Date.now();

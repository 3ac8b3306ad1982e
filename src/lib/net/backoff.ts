/**
 * Exponential backoff with jitter, shared by the relay pool (reconnects) and the outbox
 * (resends). The delay doubles per failed attempt up to a cap, and a random part spreads the
 * retries of many clients so a relay that comes back is not hit by all of them at the same
 * instant ("Exponential Backoff And Jitter", AWS Architecture Blog, 2015: "equal jitter").
 */

/** Parameters of {@link backoffDelay}. */
export interface BackoffOptions {
	/** Delay before the first retry, before jitter (ms). */
	baseMs: number;
	/** Largest delay, before jitter (ms). */
	capMs: number;
	/**
	 * Share of the delay that is random, 0 … 1: the delay is `d·(1 − jitter) + d·jitter·random()`.
	 * 0.5 is "equal jitter": never less than half the nominal delay, so retries stay spaced out.
	 */
	jitter: number;
}

/** Uniform random number in [0, 1). `Math.random` suffices: jitter needs spread, not secrecy. */
export type RandomUnit = () => number;

/**
 * The delay before retry number `attempt` (0 for the first retry).
 * @param attempt - how many retries were already made, an integer ≥ 0
 * @param opts - base, cap and jitter
 * @param random - source of jitter (default `Math.random`)
 * @returns milliseconds, in [d·(1 − jitter), d] where d = min(cap, base·2^attempt)
 * @throws {RangeError} on a negative or non-integer attempt, or options out of range
 * @example backoffDelay(3, { baseMs: 1000, capMs: 60000, jitter: 0.5 }, () => 0) // 4000
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: RandomUnit = Math.random): number {
	if (!Number.isInteger(attempt) || attempt < 0) throw new RangeError(`attempt must be an integer ≥ 0, got ${attempt}`);
	const { baseMs, capMs, jitter } = opts;
	if (!(baseMs > 0) || !(capMs >= baseMs)) throw new RangeError('backoff needs 0 < baseMs ≤ capMs');
	if (!(jitter >= 0 && jitter <= 1)) throw new RangeError('backoff jitter must be from 0 to 1');
	// 2^attempt overflows to Infinity for large attempts; min() keeps the cap.
	const nominal = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 1024));
	const r = Math.min(Math.max(random(), 0), 1);
	return Math.round(nominal * (1 - jitter) + nominal * jitter * r);
}

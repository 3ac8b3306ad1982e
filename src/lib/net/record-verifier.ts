/**
 * The one gate between the network and the rest of the client: every record a store returns
 * went through here. It runs the core verifier (`checkRecord`, docs/records.md §Verification),
 * counts what it drops by error code, and remembers recent verdicts by version (soul, key,
 * state, value), so a record that arrives again (a re-read, an echo from a second relay) is not
 * verified twice and a forged one is counted once.
 */
import type { Ed25519 } from '../core/ed25519.ts';
import { checkRecord, MAX_RECORD_BYTES, type RecordInput, type VerifiedRecord } from '../core/records.ts';
import type { Clock } from '../core/random.ts';
import type { RecordStoreStats } from './record-store.ts';

/** Versions (soul, key, state) whose verdict is remembered (least recently used forgotten first). */
export const VERIFY_CACHE_SIZE = 4096;
/** Total length of the values kept in that cache, in UTF-16 code units. */
export const VERIFY_CACHE_CHARS = 4 * 1024 * 1024;

/** Options of {@link recordVerifier}, passed on to `checkRecord`. */
export interface VerifierOptions {
	/** Ed25519 implementation (use `detectEd25519()`; default: the core's reference). */
	ed25519?: Ed25519;
	/** Clock for the future-date check. */
	now?: Clock;
	/** Proof-of-work bits a mailbox entry needs (default: the core's `DEFAULT_BOX_POW_BITS`). */
	powBits?: number;
	/** Size of the verdict cache. */
	cacheSize?: number;
}

/** Verifies records and keeps the drop counters. */
export interface RecordVerifier {
	/**
	 * Verify one field as it arrived from the network.
	 * @param input - soul, key, value and state, all untrusted
	 * @returns the verified record, or undefined when it was dropped (and counted)
	 */
	verify(input: RecordInput): Promise<VerifiedRecord | undefined>;
	/** Counters so far. */
	stats(): RecordStoreStats;
}

interface Verdict {
	chars: number;
	result: Promise<VerifiedRecord | undefined>;
}

/**
 * Gun's conflict rule between two versions of a field (HAM, gun/src/root.js `ham`): the higher
 * state wins; on equal states the value whose JSON text sorts higher wins.
 * @param state - the candidate's state
 * @param value - the candidate's value
 * @param otherState - the held version's state
 * @param otherValue - the held version's value
 * @returns true when the candidate wins
 */
export function winsOver(state: number, value: string, otherState: number, otherValue: string): boolean {
	if (state !== otherState) return state > otherState;
	return JSON.stringify(value) > JSON.stringify(otherValue);
}

/**
 * Create a verifier with its own counters.
 * @param opts - Ed25519 implementation, clock, proof-of-work bits, cache size
 * @returns the verifier
 */
export function recordVerifier(opts: VerifierOptions = {}): RecordVerifier {
	const cacheSize = opts.cacheSize ?? VERIFY_CACHE_SIZE;
	const cache = new Map<string, Verdict>();
	let cachedChars = 0;
	const forget = (field: string): void => {
		const old = cache.get(field);
		if (!old) return;
		cache.delete(field);
		cachedChars -= old.chars;
	};
	const droppedByCode: Record<string, number> = {};
	let dropped = 0;
	let verified = 0;
	const checkOptions = {
		...(opts.ed25519 ? { ed25519: opts.ed25519 } : {}),
		...(opts.now ? { now: opts.now } : {}),
		...(opts.powBits !== undefined ? { powBits: opts.powBits } : {})
	};

	const run = async (input: RecordInput): Promise<{ record?: VerifiedRecord; code?: string }> => {
		const outcome = await checkRecord(input, checkOptions);
		if (outcome.ok) {
			verified++;
			return { record: outcome.record };
		}
		dropped++;
		const code = outcome.error.code;
		droppedByCode[code] = (droppedByCode[code] ?? 0) + 1;
		return { code };
	};

	return {
		async verify(input) {
			const { soul, key, value, state } = input;
			const primitive = value === null || ['string', 'number', 'boolean'].includes(typeof value);
			// Oversized values are refused before parsing anyway; they are not worth a cache entry.
			const oversized = typeof value === 'string' && value.length > MAX_RECORD_BYTES;
			if (typeof soul !== 'string' || typeof key !== 'string' || typeof state !== 'number' || !primitive || oversized)
				return (await run(input)).record;
			// The version itself is the cache key: two values under one state are two versions.
			const field = `${soul}\u0000${key}\u0000${state}\u0000${typeof value}:${String(value)}`;
			const known = cache.get(field);
			if (known) {
				cache.delete(field); // refresh: Map order is the eviction order
				cache.set(field, known);
				return known.result;
			}
			const outcome = run(input);
			const verdict: Verdict = { chars: field.length, result: outcome.then((o) => o.record) };
			cache.set(field, verdict);
			cachedChars += verdict.chars;
			while (cache.size > cacheSize || cachedChars > VERIFY_CACHE_CHARS) forget(cache.keys().next().value!);
			const { record, code } = await outcome;
			// A record refused for being ahead of our clock may become valid later: forget that verdict.
			if (code === 'ERR_FUTURE_RECORD' && cache.get(field) === verdict) forget(field);
			return record;
		},
		stats: () => ({ dropped, verified, droppedByCode: { ...droppedByCode } })
	};
}

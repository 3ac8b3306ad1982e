/**
 * Verification of a Gun `put` before the relay stores or forwards any of it (issue 3, item 2).
 *
 * Every field of every node must pass the core's record check (docs/records.md §Verification:
 * namespace, size, canonical JSON, state, clock, proof of work, signature), and must not lose
 * Gun's conflict rule (HAM) against what the relay already holds: a validly signed but older
 * value is a replay and is refused here, because Gun itself would drop it silently, without an
 * ack, and still forward the message to its peers.
 *
 * All-or-nothing: one bad field refuses the whole message, as gun.js does for a malformed graph,
 * so a client never has to guess which half of its write was kept.
 */
import { StaleRecordError, type MiaouError } from '../../src/lib/core/errors.ts';
import type { PutMessage, RefusalReason } from './messages.ts';

/** One field as Gun carries it. */
export interface FieldInput {
	soul: string;
	key: string;
	value: unknown;
	state: number;
}

/** The verdict of the core's record check on one field (records.ts `checkRecord`). */
export type FieldVerdict = { ok: true } | { ok: false; error: MiaouError };

/** Checks one field's record; injected so tests and the relay can choose clock and Ed25519. */
export type CheckField = (field: FieldInput) => Promise<FieldVerdict>;

/** The state and JSON value the relay holds for a field (pending or committed), if any. */
export type StateLookup = (soul: string, key: string) => { state: number; json: string } | undefined;

/** The outcome of {@link verifyPut}. `fresh` counts the fields that change something. */
export type PutVerdict =
	{ ok: true; fresh: number; duplicates: number } | { ok: false; reason: RefusalReason; error: MiaouError };

/** Map a core error code to a refusal metric label. */
const REASONS: Record<string, RefusalReason> = {
	ERR_TOO_LARGE: 'too_large',
	ERR_NAMESPACE: 'namespace',
	ERR_INVALID_ID: 'namespace',
	ERR_BAD_SIGNATURE: 'signature',
	ERR_FUTURE_RECORD: 'future',
	ERR_PROOF_OF_WORK: 'proof_of_work',
	ERR_CID: 'cid',
	ERR_UNSUPPORTED_HASH: 'cid',
	ERR_UNSUPPORTED_VERSION: 'version',
	ERR_STALE_RECORD: 'stale'
};

/**
 * The refusal label for an error.
 * @param error - a named Miaou error
 * @returns its metric label; `invalid` for any other code
 */
export function reasonOf(error: MiaouError): RefusalReason {
	return REASONS[error.code] ?? 'invalid';
}

/**
 * Compare a candidate field with the one held, by Gun's HAM rule (gun.js `ham`): a higher state
 * wins; on equal states the larger JSON text wins; equal text is the same write.
 * @returns 'newer', 'same' or 'older'
 */
export function hamCompare(
	state: number,
	json: string,
	held: { state: number; json: string }
): 'newer' | 'same' | 'older' {
	if (state > held.state) return 'newer';
	if (state < held.state) return 'older';
	if (json === held.json) return 'same';
	return json > held.json ? 'newer' : 'older';
}

/**
 * Verify every field of a `put` (already shape-checked by messages.ts `sanitizeMessage`).
 * Cheap checks run for all fields before any signature: a forged batch costs one failed check.
 * @param message - the sanitized put
 * @param check - the record check (signature, namespace, limits)
 * @param held - what the relay holds now, for the replay rule
 * @returns ok with how many fields are new, or the first refusal
 */
export async function verifyPut(message: PutMessage, check: CheckField, held: StateLookup): Promise<PutVerdict> {
	const toCheck: FieldInput[] = [];
	let duplicates = 0;
	for (const soul of Object.keys(message.put)) {
		const node = message.put[soul]!;
		const states = node._['>'];
		for (const key of Object.keys(node)) {
			if (key === '_') continue;
			const field: FieldInput = { soul, key, value: node[key], state: states[key]! };
			const current = held(soul, key);
			if (current) {
				const order = hamCompare(field.state, JSON.stringify(field.value ?? null), current);
				if (order === 'older') {
					const error = new StaleRecordError(soul, key);
					return { ok: false, reason: 'stale', error };
				}
				// The same signed value is already held (and was verified when it came): nothing to check.
				if (order === 'same') {
					duplicates++;
					continue;
				}
			}
			toCheck.push(field);
		}
	}
	for (const field of toCheck) {
		const verdict = await check(field);
		if (!verdict.ok) return { ok: false, reason: reasonOf(verdict.error), error: verdict.error };
	}
	return { ok: true, fresh: toCheck.length, duplicates };
}

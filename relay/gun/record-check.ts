/**
 * The relay's binding of the core verifier (records.ts `checkRecord`) to a {@link CheckField}:
 * node:crypto Ed25519 (about 100× tweetnacl's speed), the relay's clock, its box proof-of-work
 * requirement and record size cap. The relay and the clients run the very same checks
 * (ARCHITECTURE.md §Signed graph records), only the Ed25519 implementation differs.
 */
import { checkRecord, DEFAULT_BOX_POW_BITS, MAX_RECORD_BYTES } from '../../src/lib/core/records.ts';
import { nodeEd25519 } from '../../src/lib/node/ed25519-node.ts';
import type { CheckField } from './validate.ts';

/** Options of {@link recordCheck}. */
export interface RecordCheckOptions {
	/** Leading zero bits a box entry must carry (default DEFAULT_BOX_POW_BITS). */
	powBits?: number;
	/** Record size cap in bytes (default MAX_RECORD_BYTES). */
	maxBytes?: number;
	/** Clock in ms (default Date.now). */
	now?: () => number;
}

/**
 * Build the field check the relay runs on every write.
 * @param opts - PoW bits, size cap, clock
 * @returns a {@link CheckField}
 */
export function recordCheck(opts: RecordCheckOptions = {}): CheckField {
	const verifyOptions = {
		ed25519: nodeEd25519,
		now: opts.now ?? Date.now,
		powBits: opts.powBits ?? DEFAULT_BOX_POW_BITS,
		maxBytes: opts.maxBytes ?? MAX_RECORD_BYTES
	};
	return async (field) => {
		const verdict = await checkRecord(field, verifyOptions);
		return verdict.ok ? { ok: true } : { ok: false, error: verdict.error };
	};
}

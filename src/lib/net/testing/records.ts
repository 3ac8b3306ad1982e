/**
 * Test support: signed records made with the core's own signer, and forgeries of them.
 */
import { createIdentity, type Identity } from '../../core/identity.ts';
import { signRecord, type SignedRecord } from '../../core/records.ts';
import { nodeEd25519 } from '../../node/ed25519-node.ts';

export { createIdentity, type Identity };

/** The fast Ed25519 of Node, for signing and verifying in tests. */
export const ed25519 = nodeEd25519;

/**
 * A signed trust statement by `author` about `target`, at `state` (the body's time too).
 * @returns the record, ready to publish
 */
export function trustRecord(author: Identity, target: Identity, state: number, level = 50): Promise<SignedRecord> {
	return signRecord('trust', {
		author: author.id,
		key: target.id,
		body: { level, time: state },
		state,
		signer: author.signing,
		ed25519
	});
}

/**
 * The same record with another level and the old signature: a forgery that must not verify.
 * @returns the forged record (state optionally moved, to win Gun's merge)
 */
export function forgeLevel(record: SignedRecord, level: number, state = record.state): SignedRecord {
	const value = record.value.replace(/"level":-?\d+/, `"level":${level}`);
	if (value === record.value) throw new Error('nothing to forge');
	return { ...record, value, state };
}

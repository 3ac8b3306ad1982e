/**
 * Test support: signed records made with the core's own signer, and forgeries of them.
 */
import { createIdentity, type Identity } from '../../core/identity.ts';
import { signRecord, type SignedRecord } from '../../core/records.ts';
import { nodeEd25519 } from '../../node/ed25519-node.ts';
import { memoryRecordNetwork, memoryRecordStore, type RecordStore } from '../record-store.ts';

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

/** A trust statement to publish: issuer, target, level. */
export type TrustEdge = [Identity, Identity, number];

/**
 * A memory record store holding the statements of `edges`, each signed by its issuer (a minute
 * ago, one ms apart, in order); every `readAll` is logged by soul.
 * @returns the store, the log of souls read, and `inject` to put a raw (e.g. forged) record on the network
 */
export async function trustGraphStore(
	edges: readonly TrustEdge[]
): Promise<{ store: RecordStore; reads: string[]; inject: (r: unknown) => void }> {
	const network = memoryRecordNetwork({ ed25519 });
	const inner = memoryRecordStore({ network, ed25519 });
	let t = Date.now() - 60_000;
	for (const [from, to, level] of edges) await inner.publish(await trustRecord(from, to, t++, level));
	const reads: string[] = [];
	const store: RecordStore = { ...inner, readAll: (soul, o) => (reads.push(soul), inner.readAll(soul, o)) };
	return { store, reads, inject: (r) => network.inject(r as Parameters<typeof network.inject>[0]) };
}

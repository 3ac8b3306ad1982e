/**
 * Gathering the trust statements a score needs (docs/records.md §Trust scoring), for the CLI: my
 * own statements are read back from the relays (the CLI keeps no local copy), then the walk is the
 * web app's (services/trust-graph.ts): the issuers of every path of at most MAX_TRUST_HOPS
 * statements, positively trusted people only, bounded in issuers, statements and time.
 */
import { gatherTrustGraph, readTrustStatements } from '../lib/services/trust-graph.ts';
import type { TrustStatement } from '../lib/core/trust.ts';
import type { RecordStore } from '../lib/net/record-store.ts';

/** What {@link collectTrustStatements} found. */
export interface CollectedStatements {
	statements: TrustStatement[];
	/** Issuers whose statements were read, me included. */
	issuers: number;
	/** True when a bound (issuers, statements, time) stopped the walk. */
	truncated: boolean;
}

/**
 * Read my statements from the relays, then walk the graph from them.
 * @param store - the record store
 * @param me - my id
 * @param opts - an AbortSignal, and the bound on issuers besides me (default MAX_GRAPH_ISSUERS)
 * @returns the statements read
 * @throws {AbortError} when aborted
 */
export async function collectTrustStatements(
	store: RecordStore,
	me: string,
	opts: { signal?: AbortSignal; maxIssuers?: number } = {}
): Promise<CollectedStatements> {
	const mine = await readTrustStatements(store, me, opts.signal);
	const graph = await gatherTrustGraph(store, me, mine, opts);
	return { statements: graph.statements, issuers: graph.issuers + 1, truncated: graph.truncated || graph.timedOut };
}

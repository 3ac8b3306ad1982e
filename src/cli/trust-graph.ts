/**
 * Gathering the trust statements a score needs (docs/records.md §Trust scoring): my statements,
 * the statements of everyone I trust, and of everyone they trust — the issuers of every path of
 * at most MAX_TRUST_HOPS statements from me. Only positively trusted people are followed, since
 * the core's `computeTrust` never lets a path pass through anyone else. Reads are bounded in
 * number and run a few at a time.
 */
import { MiaouError } from '../lib/core/errors.ts';
import { isMiaouId } from '../lib/core/identity.ts';
import { soulFor, trustStatementOf, type VerifiedRecord } from '../lib/core/records.ts';
import { MAX_TRUST_HOPS, type TrustStatement } from '../lib/core/trust.ts';
import type { RecordStore } from '../lib/net/record-store.ts';

/** Most issuers whose statements are read for one score. */
export const MAX_TRUST_ISSUERS = 256;
/** Issuers read at once. */
export const TRUST_READ_CONCURRENCY = 8;

/** What {@link collectTrustStatements} found. */
export interface CollectedStatements {
	statements: TrustStatement[];
	/** Issuers whose statements were read. */
	issuers: number;
	/** True when MAX_TRUST_ISSUERS stopped the walk. */
	truncated: boolean;
}

/**
 * Read every verified trust statement of one issuer.
 * @param store - the record store
 * @param issuer - a Miaou id
 * @param signal - an optional AbortSignal
 * @returns its statements (one per target: the latest verified one)
 */
export async function statementsOf(
	store: RecordStore,
	issuer: string,
	signal?: AbortSignal
): Promise<TrustStatement[]> {
	const records = await store.readAll(soulFor('trust', issuer), signal ? { signal } : {});
	return records.filter((r) => r.kind === 'trust').map((r) => trustStatementOf(r as VerifiedRecord<'trust'>));
}

/**
 * Walk the trust graph from `me`, breadth first, up to the issuers of 3-statement paths.
 * @param store - the record store
 * @param me - my id
 * @param target - the id being scored (its own statements are not needed), or undefined to
 *   gather the statements for scoring anyone (the directory ranks several ids at once)
 * @param opts - an AbortSignal, and the bound on issuers (default MAX_TRUST_ISSUERS)
 * @returns the statements read
 * @throws {AbortError} when aborted
 */
export async function collectTrustStatements(
	store: RecordStore,
	me: string,
	target: string | undefined,
	opts: { signal?: AbortSignal; maxIssuers?: number } = {}
): Promise<CollectedStatements> {
	const maxIssuers = opts.maxIssuers ?? MAX_TRUST_ISSUERS;
	const statements: TrustStatement[] = [];
	const seen = new Set<string>([me]);
	let frontier = [me];
	let issuers = 0;
	let truncated = false;
	// Issuers at depth 0 (me), 1 and 2 start the paths of 1, 2 and 3 statements.
	for (let depth = 0; depth < MAX_TRUST_HOPS && frontier.length > 0; depth++) {
		const last = depth === MAX_TRUST_HOPS - 1;
		const next: string[] = [];
		for (let i = 0; i < frontier.length; i += TRUST_READ_CONCURRENCY) {
			const batch = frontier.slice(i, i + TRUST_READ_CONCURRENCY);
			issuers += batch.length;
			const read = await Promise.all(
				batch.map((issuer) =>
					statementsOf(store, issuer, opts.signal).catch((err: unknown) => {
						// One unreadable issuer must not sink the score; an abort must.
						if (err instanceof MiaouError && err.code === 'ERR_ABORTED') throw err;
						return [];
					})
				)
			);
			for (const found of read) {
				statements.push(...found);
				if (last) continue;
				for (const s of found) {
					if (s.level <= 0 || s.target === target || seen.has(s.target) || !isMiaouId(s.target)) continue;
					if (seen.size >= maxIssuers) {
						truncated = true;
						continue;
					}
					seen.add(s.target);
					next.push(s.target);
				}
			}
		}
		frontier = next;
	}
	return { statements, issuers, truncated };
}

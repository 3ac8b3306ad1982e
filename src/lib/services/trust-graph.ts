/**
 * The web of trust as the web app scores it (docs/records.md §Trust scoring): every path of at
 * most MAX_TRUST_HOPS statements from me, like the CLI's `miaou trust score`.
 *
 * A 3-statement path me → a → b → target needs the statements of a (my contact) and of b (someone
 * a trusts), so the walk reads two rings of issuers after my own list: the people I trust, then
 * the people they trust. Only positive links are followed, since the core's `computeTrust` never
 * lets a path pass through anyone else. My own statements come from the caller (the app's local
 * contact list, which is what this device acts on) instead of being read back from a relay.
 *
 * Everything fetched is bounded: issuers read ({@link MAX_GRAPH_ISSUERS}), statements kept
 * ({@link MAX_GRAPH_STATEMENTS}), ids scored ({@link MAX_SCORED_TARGETS}) and wall time
 * ({@link TRUST_GATHER_TIMEOUT_MS}). A bound that bites gives a partial graph, flagged, never an
 * endless wait: a score from the paths found so far is still worth showing.
 */
import { AbortError, MiaouError } from '../core/errors.ts';
import { isMiaouId } from '../core/identity.ts';
import { soulFor, trustStatementOf, type VerifiedRecord } from '../core/records.ts';
import { computeTrust, latestStatements, MAX_TRUST_HOPS, type TrustScore, type TrustStatement } from '../core/trust.ts';
import type { RecordStore } from '../net/record-store.ts';

/** Most issuers whose published statements are read for one refresh (me not counted). */
export const MAX_GRAPH_ISSUERS = 256;
/** Most statements kept from the issuers read; the rest of a large graph is left out. */
export const MAX_GRAPH_STATEMENTS = 10_000;
/** Most ids scored at once: contacts first, then the others the graph reaches. */
export const MAX_SCORED_TARGETS = 300;
/** Issuers read at once. */
export const GRAPH_READ_CONCURRENCY = 8;
/** Longest a whole walk may take before it stops with what it has. */
export const TRUST_GATHER_TIMEOUT_MS = 20_000;

/** Options of {@link gatherTrustGraph}. */
export interface GatherTrustOptions {
	/** Aborting it rejects the walk with an AbortError. */
	signal?: AbortSignal;
	/** Bound on issuers read (default {@link MAX_GRAPH_ISSUERS}). */
	maxIssuers?: number;
	/** Bound on statements kept (default {@link MAX_GRAPH_STATEMENTS}). */
	maxStatements?: number;
	/** Bound on wall time in ms (default {@link TRUST_GATHER_TIMEOUT_MS}). */
	timeoutMs?: number;
}

/** What {@link gatherTrustGraph} found. */
export interface TrustGraph {
	/** My statements, then every verified statement read, issuer by issuer. */
	statements: TrustStatement[];
	/** Issuers whose statements were read (or tried). */
	issuers: number;
	/** True when the issuer or statement bound left part of the graph out. */
	truncated: boolean;
	/** True when the time bound stopped the walk. */
	timedOut: boolean;
}

/** Reject as soon as `signal` aborts, even when `promise` (a store ignoring its signal) never settles. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
	return new Promise<T>((resolve, reject) => {
		const onAbort = (): void => reject(new AbortError('Reading trust statements'));
		if (signal.aborted) onAbort();
		else signal.addEventListener('abort', onAbort, { once: true });
		// Settling after the abort is harmless (a promise settles once) and leaves no rejection unhandled.
		void promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
	});
}

function checkBound(name: string, value: number, max: number): number {
	if (!Number.isInteger(value) || value < 0 || value > max)
		throw new RangeError(`${name} must be an integer from 0 to ${max}, got ${String(value)}`);
	return value;
}

/**
 * Walk the trust graph from my own statements, breadth first, to the issuers of every path of at
 * most MAX_TRUST_HOPS statements.
 *
 * @param store - the record store (every record it returns is verified)
 * @param me - my id
 * @param mine - my own statements (issuer `me`); the others are read from the store
 * @param opts - an AbortSignal and the bounds
 * @returns the statements read, how many issuers, and whether a bound cut the walk short
 * @throws {AbortError} when `opts.signal` aborts (the time bound does not throw)
 * @throws {RangeError} on a bound outside its range
 * @example const graph = await gatherTrustGraph(records, me, [{ issuer: me, target: bob, level: 75, time }])
 */
export async function gatherTrustGraph(
	store: RecordStore,
	me: string,
	mine: readonly TrustStatement[],
	opts: GatherTrustOptions = {}
): Promise<TrustGraph> {
	const maxIssuers = checkBound('maxIssuers', opts.maxIssuers ?? MAX_GRAPH_ISSUERS, MAX_GRAPH_ISSUERS);
	const maxStatements = checkBound('maxStatements', opts.maxStatements ?? MAX_GRAPH_STATEMENTS, MAX_GRAPH_STATEMENTS);
	const timeoutMs = checkBound('timeoutMs', opts.timeoutMs ?? TRUST_GATHER_TIMEOUT_MS, 10 * TRUST_GATHER_TIMEOUT_MS);
	const timeout = AbortSignal.timeout(timeoutMs);
	const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;

	const own = mine.filter((s) => s.issuer === me);
	const statements: TrustStatement[] = [...own];
	// People I rated ≤ 0 are never the middle of a path (core/trust.ts rule 2): not read, not followed.
	const distrusted = new Set(own.filter((s) => s.level <= 0).map((s) => s.target));
	const seen = new Set<string>([me]);
	const follow = (found: readonly TrustStatement[], into: string[]): boolean => {
		let cut = false;
		for (const s of found) {
			if (s.level <= 0 || seen.has(s.target) || distrusted.has(s.target) || !isMiaouId(s.target)) continue;
			if (seen.size - 1 >= maxIssuers) {
				cut = true;
				continue;
			}
			seen.add(s.target);
			into.push(s.target);
		}
		return cut;
	};
	let frontier: string[] = [];
	let truncated = follow(own, frontier);
	let issuers = 0;
	let timedOut = false;

	// Ring 1 (my contacts) and ring 2 (theirs) issue the 2nd and 3rd statements of a path.
	walk: for (let ring = 1; ring < MAX_TRUST_HOPS && frontier.length > 0; ring++) {
		const next: string[] = [];
		for (let i = 0; i < frontier.length; i += GRAPH_READ_CONCURRENCY) {
			const batch = frontier.slice(i, i + GRAPH_READ_CONCURRENCY);
			issuers += batch.length;
			let read: TrustStatement[][];
			try {
				read = await Promise.all(batch.map((issuer) => statementsOf(store, issuer, signal)));
			} catch (err) {
				if (opts.signal?.aborted) throw new AbortError('Reading trust statements');
				if (timeout.aborted) {
					timedOut = true;
					break walk;
				}
				throw err;
			}
			for (const found of read) {
				const room = maxStatements - statements.length;
				if (found.length > room) truncated = true;
				const kept = found.slice(0, Math.max(0, room));
				statements.push(...kept);
				if (ring < MAX_TRUST_HOPS - 1 && follow(kept, next)) truncated = true;
			}
		}
		frontier = next;
	}
	return { statements, issuers, truncated, timedOut };
}

/**
 * Read one issuer's verified trust statements (the CLI reads its own this way: what it published
 * is on the relays). A failed read counts as none; an abort rejects.
 * @param store - the record store
 * @param issuer - a Miaou id
 * @param signal - an optional AbortSignal
 * @returns the issuer's statements, one per target
 * @throws {AbortError} when `signal` aborts
 */
export function readTrustStatements(
	store: RecordStore,
	issuer: string,
	signal: AbortSignal = new AbortController().signal
): Promise<TrustStatement[]> {
	return statementsOf(store, issuer, signal);
}

/**
 * Read one issuer's verified statements; a failed read (a relay hiccup, a refusal) counts as none,
 * so one unreadable issuer does not sink every score, while an abort still stops the walk.
 */
async function statementsOf(store: RecordStore, issuer: string, signal: AbortSignal): Promise<TrustStatement[]> {
	try {
		const records = await untilAborted(store.readAll(soulFor('trust', issuer), { signal }), signal);
		return records.filter((r) => r.kind === 'trust').map((r) => trustStatementOf(r as VerifiedRecord<'trust'>));
	} catch (err) {
		if (signal.aborted || (err instanceof MiaouError && err.code === 'ERR_ABORTED')) throw err;
		return [];
	}
}

/**
 * Score my contacts and everyone the graph reaches, from my point of view.
 *
 * @param me - my id
 * @param contacts - my contacts' ids, scored first whether or not any path reaches them
 * @param statements - my statements and those read by {@link gatherTrustGraph}
 * @param maxTargets - most ids scored (default {@link MAX_SCORED_TARGETS})
 * @returns the scores: contacts in their order, then the others by score, highest first
 * @throws {TrustLevelError} on a statement with a bad level
 * @throws {RangeError} when `maxTargets` is out of range
 */
export function scoreTrustGraph(
	me: string,
	contacts: readonly string[],
	statements: readonly TrustStatement[],
	maxTargets = MAX_SCORED_TARGETS
): TrustScore[] {
	checkBound('maxTargets', maxTargets, MAX_SCORED_TARGETS);
	// Reduced once to the latest statement per pair, so each computeTrust call below walks a
	// graph with no duplicates (the reduction is idempotent, the scores are the same).
	const latest = [...latestStatements(statements).values()].flatMap((out) => [...out.values()]);
	const targets = [...new Set([...contacts, ...latest.map((s) => s.target)])]
		.filter((t) => t !== me && isMiaouId(t))
		.slice(0, maxTargets);
	const contactSet = new Set(contacts);
	const scores = targets.map((t) => computeTrust(me, t, latest));
	const known = scores.filter((s) => contactSet.has(s.target));
	const others = scores.filter((s) => !contactSet.has(s.target)).sort((a, b) => b.score - a.score);
	return [...known, ...others];
}

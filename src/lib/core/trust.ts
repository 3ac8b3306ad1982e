/**
 * Web of trust (docs/records.md §Trust scoring). Trust statements are signed `trust` records:
 * issuer → target, an integer level from −100 (blocked) to 100 (highly trusted). A score for a
 * stranger comes from the statement paths that lead to them from "me", at most 3 hops long, each
 * weighted 1/length²; the UI shows those paths beside the score.
 *
 * Rules, in order:
 * 1. My own statement about the target wins outright (and −100 from me means blocked).
 * 2. Otherwise only paths whose intermediate links are all positive count: I do not inherit the
 *    opinions of people I (or the path) distrust. Nor does any path pass through someone I have
 *    rated 0 or below — my own block wins over everything.
 * 3. A path's value is its last statement's level scaled by its weakest intermediate link:
 *    `last × min(intermediate) / 100`. A path of length L weighs 1/L².
 * 4. The score is the weighted mean Σw·v / Σw, rounded half away from zero and clamped to
 *    −99..99: only my own statement can make someone Blocked or HighlyTrusted.
 *
 * Enumeration is bounded (simple paths, shortest first, at most {@link MAX_TRUST_PATHS} paths and
 * {@link MAX_TRUST_EXPANSIONS} edges examined), so a huge or hostile graph costs bounded time.
 */
import { TrustLevelError } from './errors.ts';

/** The named trust levels; any integer between is allowed too. */
export const TrustLevel = {
	Blocked: -100,
	Suspicious: -50,
	Unknown: 0,
	Acquaintance: 25,
	Friend: 50,
	Trusted: 75,
	HighlyTrusted: 100
} as const;
export type TrustLevelName = keyof typeof TrustLevel;

/** Longest path considered, in statements (me → a → b → target). */
export const MAX_TRUST_HOPS = 3;
/** Most paths enumerated for one score. */
export const MAX_TRUST_PATHS = 1000;
/** Most statement edges examined while enumerating paths for one score. */
export const MAX_TRUST_EXPANSIONS = 100_000;
/** Inferred (non-direct) scores stay strictly inside the extreme levels. */
export const MAX_INFERRED_SCORE = 99;

/** One issuer's opinion of one target, as read from a verified `trust` record. */
export interface TrustStatement {
	issuer: string;
	target: string;
	level: number;
	evidence?: string;
	time: number;
}
/** A chain of statements from me to the target: `levels[i]` is the statement nodes[i] → nodes[i+1]. */
export interface TrustPath {
	nodes: string[];
	levels: number[];
	weight: number;
	value: number;
}
/** A score and the paths behind it. `truncated` is true when a bound stopped the enumeration. */
export interface TrustScore {
	target: string;
	score: number;
	name: TrustLevelName;
	direct: boolean;
	blocked: boolean;
	paths: TrustPath[];
	truncated: boolean;
}

/**
 * Check a trust level.
 * @param level - untrusted input
 * @returns the level, an integer from −100 to 100 (−0 becomes 0)
 * @throws {TrustLevelError} when it is not such an integer
 */
export function assertTrustLevel(level: unknown): number {
	if (typeof level !== 'number' || !Number.isInteger(level) || level < -100 || level > 100)
		throw new TrustLevelError(level);
	return level === 0 ? 0 : level;
}

/**
 * The name of a score: the nearest named level at or below it for scores ≥ 0 (60 is a Friend,
 * not yet Trusted), Suspicious for every negative score above −100, Blocked only at −100. Any
 * net distrust is thus shown as such, while Blocked stays an explicit act.
 * @param score - a number from −100 to 100
 * @returns the level's name
 * @throws {RangeError} when `score` is not a number from −100 to 100
 */
export function levelName(score: number): TrustLevelName {
	if (typeof score !== 'number' || !(score >= -100 && score <= 100))
		throw new RangeError(`score must be a number from -100 to 100, got ${String(score)}`);
	if (score === -100) return 'Blocked';
	if (score < 0) return 'Suspicious';
	if (score >= TrustLevel.HighlyTrusted) return 'HighlyTrusted';
	if (score >= TrustLevel.Trusted) return 'Trusted';
	if (score >= TrustLevel.Friend) return 'Friend';
	if (score >= TrustLevel.Acquaintance) return 'Acquaintance';
	return 'Unknown';
}

/**
 * Keep the latest statement of each issuer → target pair (by `time`; on a tie the lower level, so
 * the outcome does not depend on input order and errs on caution). Self-statements are dropped.
 * @param statements - any number of statements
 * @returns issuer → target → statement
 * @throws {TrustLevelError} on a statement with a bad level
 * @throws {RangeError} on a statement whose time is not a finite number
 */
export function latestStatements(statements: Iterable<TrustStatement>): Map<string, Map<string, TrustStatement>> {
	const graph = new Map<string, Map<string, TrustStatement>>();
	for (const s of statements) {
		assertTrustLevel(s.level);
		if (typeof s.time !== 'number' || !Number.isFinite(s.time))
			throw new RangeError('a trust statement time must be a finite number');
		if (s.issuer === s.target) continue;
		let out = graph.get(s.issuer);
		if (!out) graph.set(s.issuer, (out = new Map()));
		const old = out.get(s.target);
		if (!old || s.time > old.time || (s.time === old.time && s.level < old.level)) out.set(s.target, s);
	}
	return graph;
}

/** Options of {@link computeTrust}. */
export interface ComputeTrustOptions {
	/** Longest path in statements, 1 … {@link MAX_TRUST_HOPS} (default 3). */
	maxHops?: number;
	/** Most paths to enumerate, 1 … {@link MAX_TRUST_PATHS} (default {@link MAX_TRUST_PATHS}). */
	maxPaths?: number;
}

/** Round half away from zero, so a score is symmetric in sign. */
function roundScore(x: number): number {
	return Math.sign(x) * Math.round(Math.abs(x));
}

/**
 * Score `target` from `me`'s point of view (rules in the module comment and docs/records.md).
 *
 * @param me - my id
 * @param target - the id to score
 * @param statements - every trust statement known (any order; duplicates and older ones ignored)
 * @param opts - hop and path bounds
 * @returns the score, its name, whether it is my direct statement or my block, and the paths
 * @throws {TrustLevelError} on a statement with a bad level
 * @throws {RangeError} on bad options or a statement time that is not a finite number
 * @example computeTrust(me, carol, [{ issuer: me, target: bob, level: 75, time }, { issuer: bob, target: carol, level: 50, time }])
 *   // → score 38 (50 × 75/100 = 37.5), name 'Acquaintance', one path me → bob → carol
 */
export function computeTrust(
	me: string,
	target: string,
	statements: Iterable<TrustStatement>,
	opts: ComputeTrustOptions = {}
): TrustScore {
	const maxHops = opts.maxHops ?? MAX_TRUST_HOPS;
	const maxPaths = opts.maxPaths ?? MAX_TRUST_PATHS;
	if (!Number.isInteger(maxHops) || maxHops < 1 || maxHops > MAX_TRUST_HOPS)
		throw new RangeError(`maxHops must be an integer from 1 to ${MAX_TRUST_HOPS}`);
	if (!Number.isInteger(maxPaths) || maxPaths < 1 || maxPaths > MAX_TRUST_PATHS)
		throw new RangeError(`maxPaths must be an integer from 1 to ${MAX_TRUST_PATHS}`);
	const graph = latestStatements(statements);
	const mine = graph.get(me);

	if (me === target)
		return { target, score: 100, name: 'HighlyTrusted', direct: true, blocked: false, paths: [], truncated: false };
	const direct = mine?.get(target);
	if (direct) {
		const path: TrustPath = { nodes: [me, target], levels: [direct.level], weight: 1, value: direct.level };
		return {
			target,
			score: direct.level,
			name: levelName(direct.level),
			direct: true,
			blocked: direct.level === TrustLevel.Blocked,
			paths: [path],
			truncated: false
		};
	}

	// Who may stand in the middle of a path: not me, not the target, nobody I rated ≤ 0.
	const usable = (node: string): boolean => node !== me && node !== target && !((mine?.get(node)?.level ?? 1) <= 0);
	// Positive outgoing links, strongest first then by id, so that when a bound truncates the
	// enumeration the strongest paths are the ones kept, whatever the input order was.
	const forward = new Map<string, [string, number][]>();
	const positiveLinks = (node: string): [string, number][] => {
		let links = forward.get(node);
		if (!links) {
			links = [];
			for (const [to, s] of graph.get(node) ?? []) if (s.level > 0 && usable(to)) links.push([to, s.level]);
			links.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
			forward.set(node, links);
		}
		return links;
	};

	const paths: TrustPath[] = [];
	let expansions = 0;
	let truncated = false;
	const nodes = [me];
	const levels: number[] = [];
	// Collect the paths of exactly `length` statements that continue nodes/levels; shortest
	// lengths run first (see below). Returns false once a bound is hit.
	const walk = (length: number): boolean => {
		const here = nodes[nodes.length - 1]!;
		if (levels.length === length - 1) {
			const last = graph.get(here)?.get(target);
			if (last) {
				const weakest = Math.min(...levels);
				paths.push({
					nodes: [...nodes, target],
					levels: [...levels, last.level],
					weight: 1 / (length * length),
					value: (last.level * weakest) / 100
				});
				if (paths.length >= maxPaths) return false;
			}
			return true;
		}
		for (const [next, level] of positiveLinks(here)) {
			if (++expansions > MAX_TRUST_EXPANSIONS) return false;
			if (nodes.includes(next)) continue; // simple paths only: cycles never loop
			nodes.push(next);
			levels.push(level);
			const more = walk(length);
			nodes.pop();
			levels.pop();
			if (!more) return false;
		}
		return true;
	};
	for (let length = 2; length <= maxHops; length++) {
		if (!walk(length)) {
			truncated = true;
			break;
		}
	}

	let sumW = 0;
	let sumWV = 0;
	for (const p of paths) {
		sumW += p.weight;
		sumWV += p.weight * p.value;
	}
	const raw = sumW > 0 ? roundScore(sumWV / sumW) : 0;
	const score = Math.max(-MAX_INFERRED_SCORE, Math.min(MAX_INFERRED_SCORE, raw)) || 0;
	return { target, score, name: levelName(score), direct: false, blocked: false, paths, truncated };
}

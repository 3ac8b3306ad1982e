import { describe, expect, it } from 'vitest';
import type { TrustStatement } from '../core/trust.ts';
import type { RecordStore } from '../net/record-store.ts';
import {
	createIdentity,
	forgeLevel,
	trustGraphStore as published,
	trustRecord,
	type Identity,
	type TrustEdge
} from '../net/testing/records.ts';
import { gatherTrustGraph, MAX_SCORED_TARGETS, scoreTrustGraph } from './trust-graph.ts';

type Edge = TrustEdge;

/** My local statements (the contact list's levels). */
function mine(me: Identity, levels: [Identity, number][]): TrustStatement[] {
	return levels.map(([target, level]) => ({ issuer: me.id, target: target.id, level, time: Date.now() }));
}

const ids = (n: number): Identity[] => Array.from({ length: n }, () => createIdentity());
const soul = (i: Identity): string => `miaou/v1/trust/${i.id}`;

describe('gatherTrustGraph', () => {
	it('reads my contacts and the people they trust, so 3-statement paths score like the CLI', async () => {
		const [me, a, b, c, target] = ids(5) as [Identity, Identity, Identity, Identity, Identity];
		const { store, reads } = await published([
			[a, b, 60],
			[b, target, 40], // me → a → b → target: the third statement is b's
			[b, c, 90], // c is a 3rd-ring issuer: a 4-statement path would start there, never read
			[c, target, -100]
		]);
		const graph = await gatherTrustGraph(store, me.id, mine(me, [[a, 80]]));
		expect(reads).toEqual([soul(a), soul(b)]);
		expect(graph).toMatchObject({ issuers: 2, truncated: false, timedOut: false });
		const scores = scoreTrustGraph(me.id, [a.id], graph.statements);
		const t = scores.find((s) => s.target === target.id)!;
		expect(t.paths.map((p) => p.nodes)).toEqual([[me.id, a.id, b.id, target.id]]);
		expect(t.score).toBe(Math.round((40 * 60) / 100)); // the last level scaled by the weakest link
		// The contact comes first; c is reached by a 3-statement path too.
		expect(scores[0]!.target).toBe(a.id);
		expect(scores.map((s) => s.target)).toContain(c.id);
	});

	it('follows no one I rated 0 or below, and no negative link', async () => {
		const [me, friend, foe, x, y] = ids(5) as [Identity, Identity, Identity, Identity, Identity];
		const { store, reads } = await published([
			[friend, x, -50],
			[friend, foe, 100],
			[foe, y, 100]
		]);
		await gatherTrustGraph(
			store,
			me.id,
			mine(me, [
				[friend, 50],
				[foe, -100]
			])
		);
		expect(reads).toEqual([soul(friend)]);
	});

	it('drops statements that do not verify (a lying relay cannot add a path)', async () => {
		const [me, a, b, target] = ids(4) as [Identity, Identity, Identity, Identity];
		const { store, inject } = await published([[a, b, 10]]);
		const real = await trustRecord(b, target, Date.now() - 1000, 10);
		inject({ soul: real.soul, key: real.key, value: forgeLevel(real, 100).value, state: real.state });
		const graph = await gatherTrustGraph(store, me.id, mine(me, [[a, 90]]));
		expect(graph.statements.map((s) => s.target)).toEqual([a.id, b.id]);
	});

	it('stops at the issuer bound and the statement bound, and says so', async () => {
		const [me, ...friends] = ids(6) as [Identity, ...Identity[]];
		const { store, reads } = await published(friends.map((f, i) => [f, friends[(i + 1) % 5]!, 50] as Edge));
		const few = await gatherTrustGraph(
			store,
			me.id,
			mine(
				me,
				friends.map((f) => [f, 50] as [Identity, number])
			),
			{
				maxIssuers: 3
			}
		);
		expect(few).toMatchObject({ issuers: 3, truncated: true });
		expect(reads).toHaveLength(3);
		const small = await gatherTrustGraph(store, me.id, mine(me, [[friends[0]!, 50]]), { maxStatements: 2 });
		expect(small.statements).toHaveLength(2);
		expect(small.truncated).toBe(true);
	});

	it('gives up after the timeout with what it has, even if a read never answers', async () => {
		const [me, a, b] = ids(3) as [Identity, Identity, Identity];
		const { store } = await published([[a, b, 50]]);
		const hanging: RecordStore = {
			...store,
			readAll: (s, o) => (s === soul(b) ? new Promise(() => {}) : store.readAll(s, o))
		};
		const started = Date.now();
		const graph = await gatherTrustGraph(hanging, me.id, mine(me, [[a, 50]]), { timeoutMs: 200 });
		expect(Date.now() - started).toBeLessThan(2000);
		expect(graph.timedOut).toBe(true);
		expect(graph.statements.map((s) => s.target)).toEqual([a.id, b.id]); // a's statement was kept
	});

	it('rejects when the caller aborts; one failing issuer does not sink the rest', async () => {
		const [me, a, b, c] = ids(4) as [Identity, Identity, Identity, Identity];
		const { store } = await published([
			[a, c, 50],
			[b, c, 50]
		]);
		const controller = new AbortController();
		controller.abort();
		const levels = mine(me, [
			[a, 50],
			[b, 50]
		]);
		await expect(gatherTrustGraph(store, me.id, levels, { signal: controller.signal })).rejects.toMatchObject({
			code: 'ERR_ABORTED'
		});
		const failing: RecordStore = {
			...store,
			readAll: async (s, o) => {
				if (s === soul(a)) throw new Error('relay hiccup');
				return store.readAll(s, o);
			}
		};
		const graph = await gatherTrustGraph(failing, me.id, levels);
		expect(graph.statements.filter((s) => s.issuer !== me.id).map((s) => s.issuer)).toEqual([b.id]);
	});

	it('checks its bounds', async () => {
		const [me] = ids(1) as [Identity];
		const { store } = await published([]);
		await expect(gatherTrustGraph(store, me.id, [], { maxIssuers: -1 })).rejects.toThrow(RangeError);
		await expect(gatherTrustGraph(store, me.id, [], { maxStatements: 1.5 })).rejects.toThrow(RangeError);
	});
});

describe('scoreTrustGraph', () => {
	it('scores contacts first, then others by score, within the target bound', () => {
		const [me, a, b, c, d] = ids(5) as [Identity, Identity, Identity, Identity, Identity];
		const now = Date.now();
		const statements: TrustStatement[] = [
			{ issuer: me.id, target: a.id, level: 80, time: now },
			{ issuer: a.id, target: c.id, level: 20, time: now },
			{ issuer: a.id, target: d.id, level: 90, time: now },
			{ issuer: a.id, target: me.id, level: 90, time: now }
		];
		const scores = scoreTrustGraph(me.id, [a.id, b.id], statements);
		expect(scores.map((s) => s.target)).toEqual([a.id, b.id, d.id, c.id]);
		expect(scores[1]).toMatchObject({ score: 0, paths: [] });
		expect(scoreTrustGraph(me.id, [a.id, b.id], statements, 2)).toHaveLength(2);
		expect(() => scoreTrustGraph(me.id, [], statements, MAX_SCORED_TARGETS + 1)).toThrow(RangeError);
	});
});

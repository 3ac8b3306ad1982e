import { describe, expect, it } from 'vitest';
import { computeTrust } from '../lib/core/trust.ts';
import type { RecordStore } from '../lib/net/record-store.ts';
import { createIdentity, trustGraphStore as graph, type Identity } from '../lib/net/testing/records.ts';
import { readTrustStatements } from '../lib/services/trust-graph.ts';
import { collectTrustStatements } from './trust-graph.ts';

describe('collectTrustStatements', () => {
	it('reads me, the people I trust and the people they trust, then scores a 3-hop path', async () => {
		const [me, a, b, c, target, stranger] = Array.from({ length: 6 }, () => createIdentity());
		const { store, reads } = await graph([
			[me!, a!, 80],
			[a!, b!, 60],
			[b!, target!, 40], // me → a → b → target
			[a!, target!, 20], // me → a → target
			[c!, target!, -100], // c is not reachable from me: never read
			[b!, c!, 90], // c would be a 4th issuer: beyond 3 hops, not read
			[stranger!, me!, 100]
		]);
		const found = await collectTrustStatements(store, me!.id);
		// me, then the people I trust (a), then theirs (b and the target); never c nor the stranger.
		expect(found.issuers).toBe(4);
		expect(found.truncated).toBe(false);
		expect(reads[0]).toBe(`miaou/v1/trust/${me!.id}`);
		expect([...reads].sort()).toEqual([me, a, b, target].map((i) => `miaou/v1/trust/${i!.id}`).sort());
		const score = computeTrust(me!.id, target!.id, found.statements);
		expect(score.paths.map((p) => p.nodes.length - 1)).toEqual([2, 3]);
		// (20·80/100)·1/4 + (40·60/100)·1/9 over 1/4 + 1/9
		expect(score.score).toBe(Math.round((16 / 4 + 24 / 9) / (1 / 4 + 1 / 9)));
	});

	it('does not follow people rated 0 or below', async () => {
		const [me, friend, foe, target] = Array.from({ length: 4 }, () => createIdentity());
		const { store, reads } = await graph([
			[me!, friend!, 50],
			[me!, foe!, -50],
			[me!, target!, 10],
			[foe!, target!, 100],
			[friend!, target!, 75]
		]);
		await collectTrustStatements(store, me!.id);
		expect(reads).not.toContain(`miaou/v1/trust/${foe!.id}`);
		expect(reads[0]).toBe(`miaou/v1/trust/${me!.id}`);
		expect(reads).toContain(`miaou/v1/trust/${friend!.id}`);
	});

	it('stops at maxIssuers and says so', async () => {
		const me = createIdentity();
		const friends = Array.from({ length: 5 }, () => createIdentity());
		const { store } = await graph(friends.map((f) => [me, f, 50] as [Identity, Identity, number]));
		const found = await collectTrustStatements(store, me.id, { maxIssuers: 2 });
		expect(found.truncated).toBe(true);
		expect(found.issuers).toBe(3); // me and two friends
		expect(found.statements).toHaveLength(5); // my own statements are all read
	});

	it('an aborted signal stops the walk; an unreadable issuer does not', async () => {
		const [me, a] = [createIdentity(), createIdentity()];
		const { store } = await graph([[me, a, 50]]);
		const controller = new AbortController();
		controller.abort();
		await expect(collectTrustStatements(store, me.id, { signal: controller.signal })).rejects.toMatchObject({
			code: 'ERR_ABORTED'
		});
		const failing: RecordStore = {
			...store,
			readAll: async (soul, o) => {
				if (soul.endsWith(a.id)) throw new Error('relay hiccup');
				return store.readAll(soul, o);
			}
		};
		const found = await collectTrustStatements(failing, me.id);
		expect(found.statements).toHaveLength(1);
		expect(await readTrustStatements(store, a.id)).toEqual([]);
	});
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TrustLevelError } from './errors.ts';
import {
	assertTrustLevel,
	computeTrust,
	latestStatements,
	levelName,
	MAX_TRUST_EXPANSIONS,
	MAX_TRUST_PATHS,
	TrustLevel,
	type TrustStatement
} from './trust.ts';

const T0 = 1_700_000_000_000;
const s = (issuer: string, target: string, level: number, time = T0): TrustStatement => ({
	issuer,
	target,
	level,
	time
});

/** A small seeded PRNG (mulberry32) so the large graphs are the same on every run. */
function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

describe('trust levels', () => {
	it('accepts integers from −100 to 100 only', () => {
		for (const level of [-100, -1, 0, 1, 100]) expect(assertTrustLevel(level)).toBe(level);
		expect(Object.is(assertTrustLevel(-0), 0)).toBe(true);
		for (const level of [101, -101, 1.5, Number.NaN, Infinity, '50', null, undefined, 50n])
			expect(() => assertTrustLevel(level), String(level)).toThrow(TrustLevelError);
	});

	it('names a score by the nearest named level at or below it; negatives are Suspicious until −100', () => {
		const table: [number, string][] = [
			[-100, 'Blocked'],
			[-99, 'Suspicious'],
			[-50, 'Suspicious'],
			[-1, 'Suspicious'],
			[-0.5, 'Suspicious'],
			[0, 'Unknown'],
			[24.9, 'Unknown'],
			[25, 'Acquaintance'],
			[49, 'Acquaintance'],
			[50, 'Friend'],
			[74, 'Friend'],
			[75, 'Trusted'],
			[99, 'Trusted'],
			[100, 'HighlyTrusted']
		];
		for (const [score, name] of table) expect(levelName(score), String(score)).toBe(name);
		for (const [name, level] of Object.entries(TrustLevel)) expect(levelName(level)).toBe(name);
		for (const bad of [101, -101, Number.NaN]) expect(() => levelName(bad)).toThrow(RangeError);
	});
});

describe('computeTrust', () => {
	it('lets my direct statement win over any path', () => {
		const statements = [s('me', 'a', 100), s('a', 't', 100), s('me', 't', 25)];
		const r = computeTrust('me', 't', statements);
		expect(r).toMatchObject({ score: 25, name: 'Acquaintance', direct: true, blocked: false });
		expect(r.paths).toEqual([{ nodes: ['me', 't'], levels: [25], weight: 1, value: 25 }]);
	});

	it('lets my block win over everything', () => {
		const statements = [s('me', 'a', 100), s('a', 't', 100), s('me', 't', -100), s('me', 'b', 100), s('b', 't', 100)];
		const r = computeTrust('me', 't', statements);
		expect(r).toMatchObject({ score: -100, name: 'Blocked', direct: true, blocked: true });
		// Someone I blocked cannot carry trust to others either, wherever they sit on the path.
		const via = [s('me', 'a', 100), s('a', 'x', 100), s('x', 't', 100), s('me', 'x', -100)];
		expect(computeTrust('me', 't', via)).toMatchObject({ score: 0, paths: [], blocked: false });
	});

	it('weights paths by 1/length² and scales each by its weakest link (hand-computed graph)', () => {
		const statements = [
			s('me', 'a', 100),
			s('me', 'b', 50),
			s('a', 't', 50),
			s('b', 't', -100),
			s('a', 'c', 80),
			s('c', 't', 100)
		];
		const r = computeTrust('me', 't', statements);
		expect(r.paths).toEqual([
			{ nodes: ['me', 'a', 't'], levels: [100, 50], weight: 1 / 4, value: 50 },
			{ nodes: ['me', 'b', 't'], levels: [50, -100], weight: 1 / 4, value: -50 },
			{ nodes: ['me', 'a', 'c', 't'], levels: [100, 80, 100], weight: 1 / 9, value: 80 }
		]);
		// (¼·50 + ¼·(−50) + ⅑·80) / (¼ + ¼ + ⅑) = 8.888… / 0.6111… = 14.545… → 15
		expect(r).toMatchObject({ score: 15, name: 'Unknown', direct: false, blocked: false, truncated: false });
		// The JSDoc example: 50 × 75/100 = 37.5 → 38.
		const example = computeTrust('me', 'carol', [s('me', 'bob', 75), s('bob', 'carol', 50)]);
		expect(example).toMatchObject({ score: 38, name: 'Acquaintance' });
		// Rounding is symmetric in sign: −37.5 → −38.
		expect(computeTrust('me', 'carol', [s('me', 'bob', 75), s('bob', 'carol', -50)]).score).toBe(-38);
	});

	it('does not inherit opinions through distrusted or neutral links', () => {
		const statements = [s('me', 'a', -50), s('a', 't', 100), s('me', 'b', 0), s('b', 't', 100)];
		expect(computeTrust('me', 't', statements)).toMatchObject({ score: 0, name: 'Unknown', paths: [] });
		// A negative link deeper in the path breaks it too.
		const deep = [s('me', 'a', 100), s('a', 'b', -10), s('b', 't', 100)];
		expect(computeTrust('me', 't', deep).paths).toEqual([]);
	});

	it('keeps inferred scores inside −99..99: only I can block or fully trust', () => {
		expect(computeTrust('me', 't', [s('me', 'a', 100), s('a', 't', 100)])).toMatchObject({
			score: 99,
			name: 'Trusted',
			direct: false
		});
		expect(computeTrust('me', 't', [s('me', 'a', 100), s('a', 't', -100)])).toMatchObject({
			score: -99,
			name: 'Suspicious',
			blocked: false
		});
	});

	it('stops at 3 hops, or fewer when asked', () => {
		const chain = [s('me', 'a', 100), s('a', 'b', 100), s('b', 'c', 100), s('c', 't', 100)];
		expect(computeTrust('me', 't', chain).paths).toEqual([]); // 4 statements long
		expect(computeTrust('me', 'c', chain).paths).toHaveLength(1);
		expect(computeTrust('me', 'c', chain, { maxHops: 2 }).paths).toEqual([]);
		expect(computeTrust('me', 'b', chain, { maxHops: 1 }).paths).toEqual([]);
		expect(() => computeTrust('me', 't', chain, { maxHops: 4 })).toThrow(RangeError);
		expect(() => computeTrust('me', 't', chain, { maxHops: 0 })).toThrow(RangeError);
		expect(() => computeTrust('me', 't', chain, { maxPaths: MAX_TRUST_PATHS + 1 })).toThrow(RangeError);
	});

	it('follows simple paths only: cycles neither loop nor count twice', () => {
		const statements = [
			s('me', 'a', 100),
			s('a', 'b', 100),
			s('b', 'a', 100),
			s('a', 'me', 100),
			s('b', 'me', 100),
			s('a', 'a', 100), // self-statement: ignored
			s('b', 't', 60),
			s('a', 't', 40)
		];
		const r = computeTrust('me', 't', statements);
		expect(r.paths.map((p) => p.nodes.join('>'))).toEqual(['me>a>t', 'me>a>b>t']);
		// (¼·40 + ⅑·60) / (¼ + ⅑) = 16.666… / 0.3611… = 46.15… → 46
		expect(r.score).toBe(46);
	});

	it('uses the latest statement of each pair, whatever the input order', () => {
		const old = s('me', 'a', 100, T0);
		const recent = s('me', 'a', 10, T0 + 1);
		expect(latestStatements([old, recent]).get('me')?.get('a')).toBe(recent);
		expect(latestStatements([recent, old]).get('me')?.get('a')).toBe(recent);
		// On a tie, the lower level, so the result does not depend on order.
		const tie = s('me', 'a', 5, T0 + 1);
		expect(latestStatements([recent, tie]).get('me')?.get('a')).toBe(tie);
		expect(latestStatements([tie, recent]).get('me')?.get('a')).toBe(tie);
		expect(() => latestStatements([s('me', 'a', 101)])).toThrow(TrustLevelError);
		expect(() => latestStatements([s('me', 'a', 1, Number.NaN)])).toThrow(RangeError);

		const ids = ['me', 'a', 'b', 'c', 't'];
		const statement = fc.record({
			issuer: fc.constantFrom(...ids),
			target: fc.constantFrom(...ids),
			level: fc.integer({ min: -100, max: 100 }),
			time: fc.integer({ min: 0, max: 5 })
		});
		const listAndShuffle = fc
			.array(statement, { maxLength: 30 })
			.chain((list) =>
				fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }))
			);
		fc.assert(
			fc.property(listAndShuffle, ([list, shuffled]) => {
				expect(computeTrust('me', 't', shuffled)).toEqual(computeTrust('me', 't', list));
			})
		);
	});

	it('scores me as HighlyTrusted and a stranger with no paths as Unknown', () => {
		expect(computeTrust('me', 'me', [])).toMatchObject({ score: 100, name: 'HighlyTrusted', direct: true });
		expect(computeTrust('me', 'x', [s('a', 'x', 100)])).toMatchObject({ score: 0, name: 'Unknown', paths: [] });
	});

	it('stays bounded on a large random graph', () => {
		const rand = prng(42);
		const n = 3000;
		const statements: TrustStatement[] = [];
		for (let i = 0; i < 60_000; i++) {
			const issuer = i < 300 ? 'me' : `n${Math.floor(rand() * n)}`;
			statements.push(s(issuer, `n${Math.floor(rand() * n)}`, Math.floor(rand() * 201) - 100, T0 + i));
		}
		const start = performance.now();
		const r = computeTrust('me', 'n7', statements);
		const elapsed = performance.now() - start;
		expect(r.direct).toBe(false);
		expect(r.paths.length).toBeGreaterThan(0);
		expect(r.paths.length).toBeLessThanOrEqual(MAX_TRUST_PATHS);
		for (const p of r.paths) {
			expect(p.nodes.length).toBeLessThanOrEqual(4);
			expect(new Set(p.nodes).size).toBe(p.nodes.length);
			expect(p.levels.slice(0, -1).every((l) => l > 0)).toBe(true);
		}
		expect(r.score).toBeGreaterThanOrEqual(-99);
		expect(r.score).toBeLessThanOrEqual(99);
		expect(elapsed).toBeLessThan(2000);
	});

	it('stops at the path and expansion bounds on a dense graph', () => {
		// Complete graph on 400 nodes, all positive, all pointing at t: 400·399 three-hop paths.
		const nodes = Array.from({ length: 400 }, (_, i) => `n${i}`);
		const statements: TrustStatement[] = nodes.map((x) => s('me', x, 60));
		for (const a of nodes) {
			statements.push(s(a, 't', 50));
			for (const b of nodes) if (a !== b) statements.push(s(a, b, 70));
		}
		const r = computeTrust('me', 't', statements);
		expect(r.truncated).toBe(true);
		expect(r.paths).toHaveLength(MAX_TRUST_PATHS);
		// Shortest first: every two-hop path is in before any three-hop one.
		expect(r.paths.slice(0, 400).every((p) => p.nodes.length === 3)).toBe(true);
		expect(r.paths.slice(400).every((p) => p.nodes.length === 4)).toBe(true);
		// A target nobody points at: 400 + 400·399 edges to look at, cut at MAX_TRUST_EXPANSIONS.
		expect(400 * 400).toBeGreaterThan(MAX_TRUST_EXPANSIONS);
		const start = performance.now();
		const none = computeTrust('me', 'nobody', statements);
		expect(none).toMatchObject({ score: 0, paths: [], truncated: true });
		expect(performance.now() - start).toBeLessThan(2000);
	});
});

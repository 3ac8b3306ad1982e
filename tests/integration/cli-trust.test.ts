/**
 * `miaou trust set | get | score`, `miaou profile publish | show` and `miaou directory` end to
 * end: three identities in three data directories, their signed records published through a
 * real relay process, read back and verified by other processes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDataDir, startRelayProcess, type RelayProcess } from '../helpers/relay-process.ts';
import { json, miaou, newIdentity, oneLine, scratch, SLOW_TEST_MS, type Scratch } from './cli-harness.ts';

const PASS = 'trust-test passphrase';
let relay: RelayProcess;
let s: Scratch;
const homes = { alice: '', bob: '', carol: '' };
const ids = { alice: '', bob: '', carol: '' };
const env = (who: keyof typeof homes, pass: string | undefined = PASS): Record<string, string | undefined> => ({
	...s.env(homes[who], pass),
	MIAOU_RELAYS: relay.url
});

interface Score {
	me: string;
	target: string;
	score: number;
	name: string;
	direct: boolean;
	blocked: boolean;
	paths: { nodes: string[]; levels: number[]; weight: number; value: number }[];
	truncated: boolean;
}

beforeAll(async () => {
	[relay, s] = await Promise.all([
		startRelayProcess({ args: ['--ipfs', 'false', '--rate-limit', '0', '--message-rate-limit', '0'] }),
		scratch('miaou-cli-trust-')
	]);
	for (const who of ['alice', 'bob', 'carol'] as const) homes[who] = s.home(who);
	[ids.alice, ids.bob, ids.carol] = await Promise.all([
		newIdentity(s, homes.alice, PASS, 'Alice'),
		newIdentity(s, homes.bob, PASS, 'Bob'),
		newIdentity(s, homes.carol, PASS, 'Zoë  Carol')
	]);
}, 60_000);
afterAll(async () => {
	await relay?.stop();
	if (relay) removeDataDir(relay.dataDir);
	await s?.remove();
});

describe('trust', { timeout: SLOW_TEST_MS }, () => {
	it('set → get → score: a 2-hop path through a statement another identity published', async () => {
		const [aliceSet, bobSet] = await Promise.all([
			miaou(['trust', 'set', ids.bob, 'trusted', '--evidence', 'met at the café', '--json'], { env: env('alice') }),
			miaou(['trust', 'set', ids.carol, '50', '--json'], { env: env('bob') })
		]);
		expect(json(aliceSet)).toMatchObject({
			issuer: ids.alice,
			target: ids.bob,
			level: 75,
			name: 'Trusted',
			evidence: 'met at the café',
			relays: [relay.url]
		});
		expect(json(bobSet)).toMatchObject({ issuer: ids.bob, target: ids.carol, level: 50, name: 'Friend' });

		// Read back by other processes, no passphrase needed.
		const [get, getNone, getFrom] = await Promise.all([
			miaou(['trust', 'get', ids.bob, '--json'], { env: env('alice', undefined) }),
			miaou(['trust', 'get', ids.carol, '--json'], { env: env('alice', undefined) }),
			miaou(['trust', 'get', ids.carol, '--from', ids.bob], { env: env('carol', undefined) })
		]);
		expect(json(get)).toMatchObject({ issuer: ids.alice, target: ids.bob, level: 75, evidence: 'met at the café' });
		expect(json(getNone)).toEqual({ issuer: ids.alice, target: ids.carol, level: null });
		expect(getFrom.code).toBe(0);
		expect(getFrom.stdout).toContain('level:  50 (Friend)');

		const score = json<Score>(await miaou(['trust', 'score', ids.carol, '--json'], { env: env('alice', undefined) }));
		expect(score).toMatchObject({ me: ids.alice, target: ids.carol, direct: false, blocked: false, truncated: false });
		expect(score.paths).toEqual([
			{ nodes: [ids.alice, ids.bob, ids.carol], levels: [75, 50], weight: 0.25, value: 37.5 }
		]);
		expect(score.score).toBe(38); // 50 × 75/100 = 37.5, rounded half away from zero
		expect(score.name).toBe('Acquaintance');

		const human = await miaou(['trust', 'score', ids.carol], { env: env('alice', undefined) });
		expect(human.stdout).toContain('score:  38 (Acquaintance)');
		expect(human.stdout).toMatch(/you →75→ [a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4} →50→ /);

		// My own statement wins, and -100 blocks.
		json(await miaou(['trust', 'set', ids.carol, '-100', '--json'], { env: env('alice') }));
		const blocked = json<Score>(await miaou(['trust', 'score', ids.carol, '--json'], { env: env('alice', undefined) }));
		expect(blocked).toMatchObject({ score: -100, name: 'Blocked', direct: true, blocked: true });
	});
});

describe('profile and directory', { timeout: SLOW_TEST_MS }, () => {
	it('publishes a profile and finds it by name, whatever the case, spacing or Unicode form', async () => {
		const published = json(
			await miaou(['profile', 'publish', '--about', 'cat person', '--json'], { env: env('carol') })
		);
		expect(published).toEqual({ id: ids.carol, name: 'Zoë  Carol', relays: [relay.url], about: 'cat person' });

		// "ZOE\u0308 carol" is Zoë in decomposed form (NFD), upper case, one space.
		const [upper, decomposed, none] = await Promise.all([
			miaou(['directory', '  ZOË   CAROL ', '--json'], { env: env('bob', undefined) }),
			miaou(['directory', 'ZOE\u0308 carol', '--json'], { env: env('bob', undefined) }),
			miaou(['directory', 'nobody here', '--json'], { env: env('bob', undefined) })
		]);
		const found = json<{ normalized: string; results: Record<string, unknown>[] }>(upper);
		expect(found.normalized).toBe('zoë carol');
		expect(found.results).toHaveLength(1);
		expect(found.results[0]).toMatchObject({
			id: ids.carol,
			name: 'Zoë  Carol',
			about: 'cat person',
			profile: true,
			relays: [relay.url],
			oneTimePrekeys: 50,
			trust: 50, // Bob's own statement about Carol
			trustName: 'Friend'
		});
		expect(json<{ results: { id: string }[] }>(decomposed).results.map((r) => r.id)).toEqual([ids.carol]);
		expect(json(none)).toEqual({ query: 'nobody here', normalized: 'nobody here', results: [] });

		const human = await miaou(['directory', 'zoë carol'], { env: env('bob', undefined) });
		expect(human.stdout).toContain(`Zoë  Carol  ${ids.carol}`);

		const shown = json(await miaou(['profile', 'show', ids.carol, '--json'], { env: env('alice', undefined) }));
		expect(shown).toMatchObject({ id: ids.carol, name: 'Zoë  Carol', about: 'cat person', relays: [relay.url] });
	});

	it('an id without a published profile: one sentence, exit 1', async () => {
		const missing = await miaou(['profile', 'show', ids.bob], { env: env('alice', undefined) });
		expect(missing.code).toBe(1);
		expect(oneLine(missing)).toBe(
			`No profile is published for ${ids.bob}: they must open Miaou once with a relay you also use.`
		);
	});
});

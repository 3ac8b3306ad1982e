import { describe, expect, it } from 'vitest';
import type { GunPeer } from './load-gun.ts';
import { createRouter, MAX_PREFIX_SUBSCRIBERS, MAX_SUBSCRIPTIONS_PER_PEER } from './router.ts';

const peer = (id: string): GunPeer => ({ id });

describe('createRouter', () => {
	it('routes a write to the clients that read its soul, and to every peer relay', () => {
		const r = createRouter();
		const [a, b, c, relay] = [peer('a'), peer('b'), peer('c'), peer('ws://r/gun')];
		r.subscribe(a, 's1');
		r.subscribe(b, 's2');
		r.addRelay(relay);
		expect(Object.keys(r.targetsForPut(['s1'])).sort()).toEqual(['a', 'ws://r/gun']);
		expect(Object.keys(r.targetsForPut(['s1', 's2'])).sort()).toEqual(['a', 'b', 'ws://r/gun']);
		expect(Object.keys(r.targetsForPut(['s3']))).toEqual(['ws://r/gun']);
		expect(Object.keys(r.relays())).toEqual(['ws://r/gun']);
		expect(r.targetsForPut(['s1']).c).toBeUndefined();
		void c;
	});

	it('routes by prefix for followers of the namespace, up to a cap', () => {
		const r = createRouter();
		const f = peer('f');
		expect(r.subscribePrefix(f, 'miaou/v1/')).toBe(true);
		expect(Object.keys(r.targetsForPut(['miaou/v1/box/x']))).toEqual(['f']);
		expect(Object.keys(r.targetsForPut(['other']))).toEqual([]);
		for (let i = 1; i < MAX_PREFIX_SUBSCRIBERS; i++) expect(r.subscribePrefix(peer(`p${i}`), 'miaou/v1/')).toBe(true);
		expect(r.subscribePrefix(peer('late'), 'miaou/v1/')).toBe(false);
		r.remove(f);
		expect(r.subscribePrefix(peer('late'), 'miaou/v1/')).toBe(true);
	});

	it('bounds subscriptions per connection, dropping the oldest', () => {
		const r = createRouter();
		const a = peer('a');
		for (let i = 0; i <= MAX_SUBSCRIPTIONS_PER_PEER; i++) r.subscribe(a, `s${i}`);
		expect(r.subscriptions).toBe(MAX_SUBSCRIPTIONS_PER_PEER);
		expect(r.targetsForPut(['s0']).a).toBeUndefined();
		expect(r.targetsForPut([`s${MAX_SUBSCRIPTIONS_PER_PEER}`]).a).toBe(a);
	});

	it('forgets a closed connection entirely', () => {
		const r = createRouter();
		const a = peer('a');
		r.subscribe(a, 's1');
		r.subscribe(a, 's1');
		r.addRelay(a);
		expect(r.subscriptions).toBe(1);
		r.remove(a);
		expect(r.subscriptions).toBe(0);
		expect(r.targetsForPut(['s1'])).toEqual({});
	});
});

import { describe, expect, it } from 'vitest';
import { addressKey, connectionLimiter, MAX_TRACKED_ADDRESSES, rateLimiter } from './limits.ts';

describe('rateLimiter', () => {
	it('allows a burst, then the rate, per key', () => {
		let t = 0;
		const l = rateLimiter(2, 3, () => t);
		expect([l.take('a'), l.take('a'), l.take('a'), l.take('a')]).toEqual([true, true, true, false]);
		expect(l.take('b')).toBe(true); // another key has its own bucket
		t += 500; // half a second refills one token at 2/s
		expect([l.take('a'), l.take('a')]).toEqual([true, false]);
		t += 10_000; // never more than the burst
		expect([l.take('a'), l.take('a'), l.take('a'), l.take('a')]).toEqual([true, true, true, false]);
	});

	it('charges a cost and never goes below zero on refusal', () => {
		let t = 0;
		const l = rateLimiter(10, 10, () => t);
		expect(l.take('a', 8)).toBe(true);
		expect(l.take('a', 5)).toBe(false);
		expect(l.take('a', 2)).toBe(true);
		t += 100;
		expect(l.take('a', 1)).toBe(true);
	});

	it('rate 0 means unlimited', () => {
		const l = rateLimiter(0, 1);
		for (let i = 0; i < 1000; i++) expect(l.take('a')).toBe(true);
		expect(l.size).toBe(0);
	});

	it('forgets idle keys on sweep and bounds how many it tracks', () => {
		let t = 0;
		const l = rateLimiter(1, 2, () => t);
		l.take('a');
		l.take('b', 2);
		t += 1000;
		l.sweep();
		expect(l.size).toBe(1); // a is full again; b is not yet
		for (let i = 0; i < MAX_TRACKED_ADDRESSES + 10; i++) l.take(`k${i}`);
		expect(l.size).toBe(MAX_TRACKED_ADDRESSES);
	});

	it('refuses bad parameters', () => {
		expect(() => rateLimiter(-1, 1)).toThrow(RangeError);
		expect(() => rateLimiter(1, 0)).toThrow(RangeError);
		expect(() => rateLimiter(Infinity, 1)).toThrow(RangeError);
	});
});

describe('connectionLimiter', () => {
	it('caps per key and in total, and frees on close', () => {
		const l = connectionLimiter(2, 3);
		expect([l.open('a'), l.open('a'), l.open('a')]).toEqual([true, true, false]);
		expect(l.open('b')).toBe(true);
		expect(l.open('c')).toBe(false); // total reached
		l.close('a');
		expect(l.count('a')).toBe(1);
		expect(l.open('c')).toBe(true);
		l.close('zzz'); // unknown key: no effect
		expect(l.total).toBe(3);
	});
});

describe('addressKey', () => {
	it('keeps IPv4, unwraps mapped IPv4 and groups IPv6 by /64', () => {
		expect(addressKey('203.0.113.5')).toBe('203.0.113.5');
		expect(addressKey('::ffff:203.0.113.5')).toBe('203.0.113.5');
		expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
		expect(addressKey('2001:db8:1:2::9')).toBe('2001:db8:1:2::/64');
		expect(addressKey('2001:0DB8:0001:0002:ffff::1')).toBe('2001:db8:1:2::/64');
		expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
		expect(addressKey('::1')).toBe('0:0:0:0::/64');
		expect(addressKey(undefined)).toBe('unknown');
	});
});

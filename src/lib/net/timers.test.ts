import { describe, expect, it } from 'vitest';
import { AbortError } from '../core/errors.ts';
import { manualTimers } from './manual-timers.ts';
import { deadline, sleep, throwIfAborted } from './timers.ts';

describe('manualTimers', () => {
	it('fires timers in due order, ties in the order set, each at its due time', async () => {
		const t = manualTimers(1000);
		const log: string[] = [];
		t.setTimeout(() => log.push(`b@${t.now()}`), 20);
		t.setTimeout(() => log.push(`a@${t.now()}`), 10);
		t.setTimeout(() => log.push(`c@${t.now()}`), 20);
		const cleared = t.setTimeout(() => log.push('never'), 15);
		t.clearTimeout(cleared);
		await t.advance(19);
		expect(log).toEqual(['a@1010']);
		await t.advance(1);
		expect(log).toEqual(['a@1010', 'b@1020', 'c@1020']);
		expect(t.now()).toBe(1020);
		expect(t.pending()).toBe(0);
	});

	it('fires a timer set by a timer when it falls inside the window', async () => {
		const t = manualTimers(0);
		const log: number[] = [];
		t.setTimeout(() => {
			log.push(t.now());
			t.setTimeout(() => log.push(t.now()), 5);
		}, 5);
		await t.advance(10);
		expect(log).toEqual([5, 10]);
	});
});

describe('sleep and deadline', () => {
	it('sleeps on the given timers and aborts early', async () => {
		const t = manualTimers(0);
		let done = false;
		const p = sleep(100, { timers: t }).then(() => (done = true));
		await t.advance(99);
		expect(done).toBe(false);
		await t.advance(1);
		await p;
		expect(done).toBe(true);

		const controller = new AbortController();
		const q = sleep(100, { timers: t, signal: controller.signal });
		controller.abort();
		await expect(q).rejects.toBeInstanceOf(AbortError);
		expect(t.pending()).toBe(0);
		await expect(sleep(1, { timers: t, signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
	});

	it('aborts at the time limit or with the parent, and says which', async () => {
		const t = manualTimers(0);
		const a = deadline(50, undefined, t);
		await t.advance(49);
		expect(a.signal.aborted).toBe(false);
		await t.advance(1);
		expect(a.signal.aborted).toBe(true);
		expect(a.timedOut()).toBe(true);

		const parent = new AbortController();
		const b = deadline(50, parent.signal, t);
		parent.abort();
		expect(b.signal.aborted).toBe(true);
		expect(b.timedOut()).toBe(false);
		b.dispose();
		expect(t.pending()).toBe(0);
	});

	it('throwIfAborted throws only for an aborted signal', () => {
		expect(() => throwIfAborted(undefined)).not.toThrow();
		expect(() => throwIfAborted(AbortSignal.abort(), 'The test')).toThrow(AbortError);
	});
});

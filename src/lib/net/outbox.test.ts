import { describe, expect, it } from 'vitest';
import { NoRelayError, RelayRefusedError } from '../core/errors.ts';
import { manualTimers } from './manual-timers.ts';
import {
	OUTBOX_EXPIRY_MS,
	SEND_TIMEOUT_MS,
	createOutbox,
	isRetryable,
	memoryOutboxStorage,
	type OutboxItem,
	type OutboxSend,
	type SendContext
} from './outbox.ts';

interface Msg {
	text: string;
}

/** A send function the test settles by hand, one call at a time. */
function manualSend() {
	const calls: { item: OutboxItem<Msg>; ctx: SendContext; resolve: () => void; reject: (e: unknown) => void }[] = [];
	const send: OutboxSend<Msg> = (item, ctx) =>
		new Promise<void>((resolve, reject) => {
			calls.push({ item: item as OutboxItem<Msg>, ctx, resolve, reject });
			ctx.signal.addEventListener('abort', () => reject(new Error('aborted')));
		});
	return { send, calls };
}

function setup(extra: { storage?: ReturnType<typeof memoryOutboxStorage>; concurrency?: number } = {}) {
	const t = manualTimers();
	const storage = extra.storage ?? memoryOutboxStorage();
	const { send, calls } = manualSend();
	const outbox = createOutbox<Msg>({
		storage,
		send,
		now: t.now,
		timers: t,
		random: () => 1,
		backoff: { baseMs: 2000, capMs: 600_000, jitter: 0.5 },
		...(extra.concurrency ? { concurrency: extra.concurrency } : {})
	});
	const states: string[] = [];
	outbox.onChange((i) => states.push(`${i.payload.text}:${i.state}`));
	return { t, storage, outbox, calls, states };
}

describe('outbox', () => {
	it('saves before sending, goes pending → sent → stored, and then forgets the item', async () => {
		const { t, storage, outbox, calls, states } = setup();
		await outbox.start();
		const item = await outbox.add({ text: 'hi' }, { id: 'm1' });
		expect(item).toMatchObject({ id: 'm1', state: 'pending', attempts: 0, expiresAt: t.now() + OUTBOX_EXPIRY_MS });
		expect(storage.size).toBe(1);
		await t.flush();
		expect(calls).toHaveLength(1);
		calls[0]!.ctx.sent();
		calls[0]!.resolve();
		await t.flush();
		expect(states).toEqual(['hi:pending', 'hi:sent', 'hi:stored']);
		expect(storage.size).toBe(0);
		expect(outbox.list()).toEqual([]);
	});

	it('retries with exponential backoff and keeps the last error', async () => {
		const { t, outbox, calls } = setup();
		await outbox.start();
		await outbox.add({ text: 'hi' }, { id: 'm1' });
		await t.flush();
		const gaps: number[] = [];
		let last = t.now();
		for (let i = 0; i < 5; i++) {
			calls.at(-1)!.reject(new NoRelayError('none is connected'));
			await t.flush();
			expect(outbox.get('m1')).toMatchObject({
				state: 'pending',
				attempts: i + 1,
				lastError: { code: 'ERR_NO_RELAY' }
			});
			const due = outbox.get('m1')!.nextAttemptAt;
			await t.advance(due - t.now());
			expect(calls).toHaveLength(i + 2);
			gaps.push(t.now() - last);
			last = t.now();
		}
		expect(gaps).toEqual([2000, 4000, 8000, 16000, 32000]);
		calls.at(-1)!.resolve();
		await t.flush();
		expect(outbox.get('m1')).toBeUndefined();
	});

	it('fails for good on a final refusal, and sends again on retry()', async () => {
		const { t, outbox, calls, states } = setup();
		await outbox.start();
		await outbox.add({ text: 'bad' }, { id: 'm1' });
		await t.flush();
		calls[0]!.reject(new RelayRefusedError('http://r.test', 'ERR_BAD_SIGNATURE', 'The signature does not verify.'));
		await t.flush();
		expect(outbox.get('m1')).toMatchObject({
			state: 'failed',
			failure: { reason: 'refused', code: 'ERR_RELAY_REFUSED' }
		});
		await t.advance(3_600_000);
		expect(calls).toHaveLength(1);
		await outbox.retry('m1');
		await t.flush();
		expect(calls).toHaveLength(2);
		expect(outbox.get('m1')).toMatchObject({ state: 'pending', attempts: 0 });
		expect(outbox.get('m1')!.failure).toBeUndefined();
		expect(states).toContain('bad:failed');
	});

	it('expires an item after 7 days of failed attempts', async () => {
		const { t, outbox, calls } = setup();
		await outbox.start();
		await outbox.add({ text: 'old' }, { id: 'm1' });
		await t.flush();
		const failing = async (): Promise<void> => {
			while (calls.length && outbox.get('m1')?.state === 'pending') {
				calls.at(-1)!.reject(new NoRelayError('none'));
				await t.flush();
				const item = outbox.get('m1')!;
				if (item.state !== 'pending') return;
				await t.advance(Math.max(0, Math.min(item.nextAttemptAt, item.expiresAt) - t.now()));
			}
		};
		await failing();
		const item = outbox.get('m1')!;
		expect(item.state).toBe('failed');
		expect(item.failure).toMatchObject({ reason: 'expired', code: 'ERR_NO_RELAY' });
		expect(t.now()).toBeGreaterThanOrEqual(item.createdAt + OUTBOX_EXPIRY_MS);
		expect(item.attempts).toBeGreaterThan(10);
	});

	it('counts a send that never settles as a failed attempt at its time limit', async () => {
		const { t, outbox, calls } = setup();
		await outbox.start();
		await outbox.add({ text: 'slow' }, { id: 'm1' });
		await t.flush();
		await t.advance(SEND_TIMEOUT_MS);
		expect(calls[0]!.ctx.signal.aborted).toBe(true);
		expect(outbox.get('m1')).toMatchObject({ state: 'pending', attempts: 1, lastError: { code: 'ERR_RELAY_TIMEOUT' } });
	});

	it('survives a restart: items come back, one caught mid-send is pending again', async () => {
		const storage = memoryOutboxStorage();
		const first = setup({ storage });
		await first.outbox.start();
		await first.outbox.add({ text: 'a' }, { id: 'a' });
		await first.outbox.add({ text: 'b' }, { id: 'b' });
		await first.t.flush();
		first.calls[0]!.ctx.sent();
		await first.outbox.close(); // aborts both sends: not counted as attempts
		expect(storage.size).toBe(2);

		const second = setup({ storage });
		await second.outbox.start();
		expect(second.outbox.list().map((i) => [i.id, i.state, i.attempts])).toEqual([
			['a', 'pending', 0],
			['b', 'pending', 0]
		]);
		await second.t.flush();
		expect(second.calls.map((c) => c.item.payload.text)).toEqual(['a', 'b']);
	});

	it('limits sends in flight and keeps the order of addition', async () => {
		const { t, outbox, calls } = setup({ concurrency: 2 });
		await outbox.start();
		for (const text of ['1', '2', '3', '4']) await outbox.add({ text });
		await t.flush();
		expect(calls.map((c) => c.item.payload.text)).toEqual(['1', '2']);
		calls[1]!.resolve();
		await t.flush();
		expect(calls.map((c) => c.item.payload.text)).toEqual(['1', '2', '3']);
		await outbox.discard(calls[0]!.item.id);
		await t.flush();
		expect(calls.map((c) => c.item.payload.text)).toEqual(['1', '2', '3', '4']);
		expect(outbox.list().map((i) => i.payload.text)).toEqual(['3', '4']);
	});

	it('adds idempotently by id and checks ids', async () => {
		const { outbox } = setup();
		await outbox.start();
		const a = await outbox.add({ text: 'x' }, { id: 'same' });
		const b = await outbox.add({ text: 'y' }, { id: 'same' });
		expect(b).toEqual(a);
		await expect(outbox.add({ text: 'z' }, { id: '' })).rejects.toBeInstanceOf(RangeError);
		const generated = await outbox.add({ text: 'w' });
		expect(generated.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
	});

	it('treats refusals by code: final ones fail, the rest are retried', () => {
		expect(isRetryable(new RelayRefusedError('r', 'ERR_RATE_LIMITED', 'slow down'))).toBe(true);
		expect(isRetryable(new RelayRefusedError('r', 'ERR_QUOTA', 'full'))).toBe(true);
		expect(isRetryable(new RelayRefusedError('r', 'ERR_STALE_RECORD', 'newer'))).toBe(false);
		expect(isRetryable(new NoRelayError('none'))).toBe(true);
		expect(isRetryable(new TypeError('fetch failed'))).toBe(true);
	});
});

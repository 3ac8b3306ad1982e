import { describe, expect, it } from 'vitest';
import { memoryOutboxStorage, type OutboxItem } from '../lib/net/outbox.ts';
import { watchOutboxStorage } from './messaging-home.ts';

const item = (id: string, state: OutboxItem['state'], lastError?: string): OutboxItem => ({
	id,
	payload: {},
	state,
	createdAt: 0,
	expiresAt: 1,
	attempts: 0,
	nextAttemptAt: 0,
	...(lastError ? { lastError: { code: 'ERR_X', message: lastError } } : {})
});

describe('watchOutboxStorage', () => {
	it('counts what still waits for a relay, and resolves once it drained', async () => {
		const inner = memoryOutboxStorage();
		await inner.save(item('old', 'pending'));
		const watched = watchOutboxStorage(inner);
		expect(await watched.load()).toHaveLength(1);
		expect(watched.waiting()).toBe(1);
		await watched.save(item('new', 'sent', 'relay busy'));
		await watched.save(item('dead', 'failed', 'refused'));
		expect(watched.waiting()).toBe(2);
		expect(watched.lastError()).toBe('relay busy');

		const drained = watched.drained(5_000);
		await watched.remove('old');
		await watched.save(item('new', 'stored'));
		expect(await drained).toBe(true);
		expect(watched.waiting()).toBe(0);
		expect(watched.lastError()).toBeUndefined();
		expect(inner.size).toBe(2); // what the outbox keeps is the inner storage's business
	});

	it('gives up after the time allowed', async () => {
		const watched = watchOutboxStorage(memoryOutboxStorage());
		await watched.save(item('stuck', 'pending'));
		const started = Date.now();
		expect(await watched.drained(30)).toBe(false);
		expect(Date.now() - started).toBeGreaterThanOrEqual(25);
		expect(await watchOutboxStorage(memoryOutboxStorage()).drained(10_000)).toBe(true); // empty: at once
	});
});

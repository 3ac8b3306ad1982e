import { describe, expect, it } from 'vitest';
import { RwLock } from './lock.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('RwLock', () => {
	it('lets readers share the lock', async () => {
		const lock = new RwLock();
		const r1 = await lock.read();
		const r2 = await lock.read();
		r1();
		r2();
	});

	it('makes a writer wait for readers, and readers wait for the writer', async () => {
		const lock = new RwLock();
		const events: string[] = [];
		const release = await lock.read();
		const writing = lock.withWrite(async () => {
			events.push('write');
		});
		await tick();
		expect(events).toEqual([]);
		release();
		await writing;
		expect(events).toEqual(['write']);

		const w = await lock.write();
		const reading = lock.withRead(async () => {
			events.push('read');
		});
		await tick();
		expect(events).toEqual(['write']);
		w();
		await reading;
		expect(events).toEqual(['write', 'read']);
	});

	it('prefers a waiting writer over new readers', async () => {
		const lock = new RwLock();
		const order: string[] = [];
		const first = await lock.read();
		const writer = lock.withWrite(async () => {
			order.push('writer');
		});
		const reader = lock.withRead(async () => {
			order.push('late reader');
		});
		await tick();
		first();
		await Promise.all([writer, reader]);
		expect(order).toEqual(['writer', 'late reader']);
	});

	it('releases on a thrown error and ignores a second release', async () => {
		const lock = new RwLock();
		await expect(
			lock.withWrite(async () => {
				throw new Error('x');
			})
		).rejects.toThrow('x');
		const release = await lock.write();
		release();
		release();
		const again = await lock.write();
		again();
	});
});

/**
 * `flushQueued`, the bounded wait `miaou send` and `miaou recv` do before they stop, over a real
 * messenger (services/testing/party.ts) whose in-memory blob store holds every upload until the
 * test opens it, so envelopes stay queued for as long as the test needs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryBlobStore } from '../../lib/net/blob-store.ts';
import { memoryRecordNetwork } from '../../lib/net/record-store-memory.ts';
import { ed25519, gatedBlobs, makeParty, TEST_POW_BITS, type Party } from '../../lib/services/testing/party.ts';
import { flushQueued, RECEIPT_FLUSH_MS } from './messages.ts';

const running: Party[] = [];
afterEach(async () => {
	await Promise.all(running.splice(0).map((p) => p.messenger.stop()));
});

async function sender() {
	const blobs = gatedBlobs();
	const network = memoryRecordNetwork({ ed25519, powBits: TEST_POW_BITS });
	const bob = await makeParty('Bob', { network, blobs: memoryBlobStore() });
	const alice = await makeParty('Alice', { network, blobs });
	running.push(alice, bob);
	await alice.messenger.start();
	return { alice, bob: bob.state.identity.id, blobs };
}

describe('flushQueued', () => {
	it('returns 0 at once when nothing is queued', async () => {
		const { alice } = await sender();
		const started = Date.now();
		expect(await flushQueued(alice.messenger, RECEIPT_FLUSH_MS)).toBe(0);
		expect(Date.now() - started).toBeLessThan(1000);
	});

	it('waits for the queue to reach a relay, and returns 0 once it did', async () => {
		const { alice, bob, blobs } = await sender();
		await alice.messenger.send(bob, 'hello');
		expect(alice.messenger.pending()).toBe(1);
		const flushing = flushQueued(alice.messenger, 10_000);
		setTimeout(() => blobs.open(), 30);
		expect(await flushing).toBe(0);
	});

	it('gives up after its time (what is left stays queued) and does not wait at all with no time left', async () => {
		const { alice, bob } = await sender();
		await alice.messenger.send(bob, 'one');
		await alice.messenger.send(bob, 'two');
		const started = Date.now();
		expect(await flushQueued(alice.messenger, 80)).toBe(2);
		expect(Date.now() - started).toBeGreaterThanOrEqual(70);
		const again = Date.now();
		expect(await flushQueued(alice.messenger, 0)).toBe(2);
		expect(await flushQueued(alice.messenger, -5)).toBe(2);
		expect(Date.now() - again).toBeLessThan(50);
	});

	it('stops early when the signal fires', async () => {
		const { alice, bob } = await sender();
		await alice.messenger.send(bob, 'one');
		const abort = new AbortController();
		setTimeout(() => abort.abort(), 30);
		const started = Date.now();
		expect(await flushQueued(alice.messenger, 10_000, abort.signal)).toBe(1);
		expect(Date.now() - started).toBeLessThan(5_000);
	});
});

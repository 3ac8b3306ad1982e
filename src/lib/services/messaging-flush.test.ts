/**
 * `Messenger.pending()` and `flush()`: a command can tell how many envelopes still wait for a
 * relay and wait, bounded, until none does. The blob store here is the real in-memory one behind
 * a gate, so an envelope stays queued until the test opens it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryBlobStore, type BlobStore } from '../net/blob-store.ts';
import { memoryRecordNetwork } from '../net/record-store-memory.ts';
import { ed25519, gatedBlobs, makeParty, TEST_POW_BITS, waitFor, type Party } from './testing/party.ts';

const running: Party[] = [];
afterEach(async () => {
	await Promise.all(running.splice(0).map((p) => p.messenger.stop()));
});

async function pair(blobs: BlobStore) {
	const network = memoryRecordNetwork({ ed25519, powBits: TEST_POW_BITS });
	const bob = await makeParty('Bob', { network, blobs: memoryBlobStore() });
	const alice = await makeParty('Alice', { network, blobs });
	running.push(alice, bob);
	await alice.messenger.start();
	return { alice, bob: bob.state.identity.id };
}

describe('messenger pending() and flush()', () => {
	it('counts what waits for a relay, and flush resolves once it is stored', async () => {
		const blobs = gatedBlobs();
		const { alice, bob } = await pair(blobs);
		expect(alice.messenger.pending()).toBe(0);
		expect(await alice.messenger.flush({ timeoutMs: 10 })).toBe(true);
		const message = await alice.messenger.send(bob, 'one');
		await alice.messenger.send(bob, 'two');
		expect(alice.messenger.pending()).toBe(2);
		expect(await alice.messenger.flush({ timeoutMs: 50 })).toBe(false);
		const flushed = alice.messenger.flush({ timeoutMs: 10_000 });
		blobs.open();
		expect(await flushed).toBe(true);
		expect(alice.messenger.pending()).toBe(0);
		await waitFor(
			async () => (await alice.state.history.get(bob, message.id))?.status === 'stored',
			'the message stored'
		);
	});

	it('stops waiting when the signal fires', async () => {
		const blobs = gatedBlobs();
		const { alice, bob } = await pair(blobs);
		await alice.messenger.send(bob, 'waiting');
		const controller = new AbortController();
		const flushed = alice.messenger.flush({ signal: controller.signal, timeoutMs: 10_000 });
		controller.abort();
		expect(await flushed).toBe(false);
		expect(await alice.messenger.flush({ signal: controller.signal })).toBe(false);
		expect(alice.messenger.pending()).toBe(1);
		blobs.open();
		expect(await alice.messenger.flush()).toBe(true);
	});
});

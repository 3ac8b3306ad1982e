/**
 * The messenger's direct hook (services/messaging.ts `DirectPath`) with two real messengers: an
 * envelope pushed directly is handled as one read from a mailbox, and one that arrives both
 * ways is handled once. The direct link here is an in-process pair; the libp2p one is tested in
 * p2p-envelope.test.ts and, browser to browser over WebRTC, in tests/e2e/webrtc.e2e.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MiaouId } from '../core/identity.ts';
import type { DirectPath } from '../services/messaging.ts';
import { ed25519, makeParty, newPartyState, TEST_POW_BITS, waitFor, type Party } from '../services/testing/party.ts';
import { memoryBlobStore } from './blob-store.ts';
import { memoryRecordNetwork } from './record-store-memory.ts';

/** Two direct paths wired to each other, counting what crossed. */
function directPair(): { paths: Map<MiaouId, DirectPath>; crossed: number; link(a: MiaouId, b: MiaouId): void } {
	const handlers = new Map<MiaouId, (e: Uint8Array) => Promise<void>>();
	const paths = new Map<MiaouId, DirectPath>();
	const state = {
		paths,
		crossed: 0,
		link(a: MiaouId, b: MiaouId) {
			for (const [me, them] of [
				[a, b],
				[b, a]
			] as const)
				paths.set(me, {
					async send(to, envelope) {
						const h = handlers.get(to);
						if (to !== them || !h) return false;
						state.crossed++;
						await h(envelope.slice());
						return true;
					},
					onEnvelope(h) {
						handlers.set(me, h);
						return () => handlers.delete(me);
					}
				});
		}
	};
	return state;
}

describe('the direct path of the messenger', () => {
	const parties: Party[] = [];
	afterEach(async () => {
		await Promise.allSettled(parties.splice(0).map((p) => p.messenger.stop()));
	});

	const pair = async (shareBlobs: boolean) => {
		const network = memoryRecordNetwork({ ed25519, powBits: TEST_POW_BITS });
		const direct = directPair();
		const aliceBlobs = memoryBlobStore();
		// Without shared blobs, Bob sees Alice's box entry but can never fetch the envelope from
		// "the relay": only the direct push can bring it.
		const bobBlobs = shareBlobs ? aliceBlobs : memoryBlobStore();
		const [aState, bState] = [newPartyState(), newPartyState()];
		direct.link(aState.identity.id, bState.identity.id);
		const alice = await makeParty('Alice', {
			network,
			blobs: aliceBlobs,
			state: aState,
			options: { direct: direct.paths.get(aState.identity.id)! }
		});
		const bob = await makeParty('Bob', {
			network,
			blobs: bobBlobs,
			state: bState,
			options: { direct: direct.paths.get(bState.identity.id)! }
		});
		parties.push(alice, bob);
		await Promise.all([alice.messenger.start(), bob.messenger.start()]);
		return { alice, bob, direct };
	};

	it('delivers over the direct path when the relay cannot serve the envelope', async () => {
		const { alice, bob, direct } = await pair(false);
		const sent = await alice.messenger.send(bob.state.identity.id, 'straight to you');
		const got = await waitFor(
			async () => (await bob.state.history.list(alice.state.identity.id)).find((m) => m.id === sent.id),
			'the message at Bob'
		);
		expect(got.text).toBe('straight to you');
		expect(direct.crossed).toBeGreaterThanOrEqual(1);
		// Bob's delivery receipt comes back the same way.
		await waitFor(
			async () => (await alice.state.history.get(bob.state.identity.id, sent.id))?.status === 'delivered',
			'the delivery receipt'
		);
	});

	it('handles an envelope that arrives both ways once', async () => {
		const { alice, bob } = await pair(true);
		const sent = await alice.messenger.send(bob.state.identity.id, 'twice over');
		await waitFor(
			async () => (await alice.state.history.get(bob.state.identity.id, sent.id))?.status === 'delivered',
			'the delivery receipt'
		);
		await waitFor(() => bob.messenger.stats().duplicates >= 1, 'the mailbox copy seen as a duplicate');
		const inBob = (await bob.state.history.list(alice.state.identity.id)).filter((m) => m.id === sent.id);
		expect(inBob).toHaveLength(1);
		expect(bob.messenger.stats().received).toBe(1);
	});
});

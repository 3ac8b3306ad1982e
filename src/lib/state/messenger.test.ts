import { describe, expect, it } from 'vitest';
import { createIdentity, type Identity } from '../core/identity.ts';
import { memoryBlobStore } from '../net/blob-store.ts';
import { memoryOutboxStorage } from '../net/outbox.ts';
import { memoryRecordNetwork, memoryRecordStore, type MemoryRecordNetwork } from '../net/record-store-memory.ts';
import { memoryContactStorage } from '../services/contacts.ts';
import { memoryHistoryStorage } from '../services/history.ts';
import { memoryPrekeyStorage } from '../services/prekeys.ts';
import { memorySessionStorage } from '../services/sessions.ts';
import { ed25519, TEST_POW_BITS, waitFor } from '../services/testing/party.ts';
import { ContactsState, publishedStatements } from './contacts.svelte.ts';
import { Conversation } from './chats.svelte.ts';
import { MessagingState, type MessagingStores } from './messenger.svelte.ts';

/** One person's app state over the shared in-memory network; `stores` survive a restart. */
function person(network: MemoryRecordNetwork, blobs = sharedBlobs) {
	const identity: Identity = createIdentity();
	const stores: MessagingStores = {
		outbox: memoryOutboxStorage(),
		sessions: memorySessionStorage(),
		history: memoryHistoryStorage(),
		prekeys: memoryPrekeyStorage(),
		contacts: memoryContactStorage()
	};
	let closed = 0;
	const state = new MessagingState({
		connect: async () => ({
			records: memoryRecordStore({ network, ed25519, powBits: TEST_POW_BITS }),
			blobs,
			relays: () => ['https://relay.example']
		}),
		stores: () => ({ ...stores, close: () => void closed++ }),
		ed25519,
		powBits: TEST_POW_BITS
	});
	return { identity, stores, state, contacts: new ContactsState(state), closed: () => closed };
}

let sharedBlobs = memoryBlobStore();

async function pair() {
	const network = memoryRecordNetwork({ ed25519, powBits: TEST_POW_BITS });
	sharedBlobs = memoryBlobStore();
	const alice = person(network);
	const bob = person(network);
	await Promise.all([alice.state.start(alice.identity, 'Alice'), bob.state.start(bob.identity, 'Bob')]);
	await waitFor(() => alice.state.published && bob.state.published, 'profiles published');
	return { network, alice, bob };
}

describe('MessagingState', () => {
	it('starts, publishes my profile, and stops closing the storages', async () => {
		const { alice, bob } = await pair();
		expect(alice.state.status).toBe('running');
		expect(alice.state.me).toBe(alice.identity.id);
		const profile = await bob.state.profiles!.fetch(alice.identity.id);
		expect(profile?.name).toBe('Alice');
		alice.state.stop();
		expect(alice.state.status).toBe('stopped');
		expect(alice.state.me).toBeUndefined();
		await waitFor(() => alice.closed() === 1, 'storages closed');
		await expect(alice.state.send(bob.identity.id, 'hi')).rejects.toThrow(RangeError);
		bob.state.stop();
	});

	it('adds a contact from an invite, chats both ways with receipts, and keeps the history across a restart', async () => {
		const { alice, bob } = await pair();
		const link = alice.contacts.inviteLink(
			{ id: alice.identity.id, name: 'Alice', relays: [] },
			'https://relay.example'
		);
		const added = await bob.contacts.addFromInvite(link);
		expect(added).toMatchObject({ id: alice.identity.id, name: 'Alice', origin: 'me', verified: false });
		expect(bob.state.contacts.map((c) => c.id)).toEqual([alice.identity.id]);
		// The contact is completed from the verified profile in the background.
		await waitFor(() => bob.state.contact(alice.identity.id)?.agreementKey, 'agreement key from the profile');

		const sent = await bob.state.send(alice.identity.id, 'Hello Alice');
		expect(sent.status).toBe('pending');
		expect(bob.state.conversations[0]?.last.text).toBe('Hello Alice');
		await waitFor(() => alice.state.conversations[0]?.unread === 1, 'Alice sees an unread conversation');
		expect(alice.state.contact(bob.identity.id)?.name).toBe('Bob');

		const view = new Conversation(alice.state, bob.identity.id);
		await view.refresh();
		expect(view.messages.map((m) => m.text)).toEqual(['Hello Alice']);
		expect(view.unread).toBe(true);
		expect(await alice.state.markRead(bob.identity.id)).toBe(1);
		expect(alice.state.conversations[0]?.unread).toBe(0);
		const bobView = new Conversation(bob.state, alice.identity.id);
		await waitFor(async () => {
			await bobView.refresh();
			return bobView.messages[0]?.status === 'read';
		}, 'the read receipt reaches Bob');

		await alice.state.send(bob.identity.id, 'Hi Bob');
		await waitFor(async () => {
			await bobView.refresh();
			return bobView.messages.length === 2;
		}, 'the answer reaches Bob');
		expect(bobView.messages.map((m) => [m.direction, m.text])).toEqual([
			['out', 'Hello Alice'],
			['in', 'Hi Bob']
		]);

		// Lock and unlock: the same storages give back the contacts and the history.
		bob.state.stop();
		expect(bob.state.conversations).toEqual([]);
		await bob.state.start(bob.identity, 'Bob');
		expect(bob.state.contact(alice.identity.id)?.name).toBe('Alice');
		expect(bob.state.conversations[0]?.last.text).toBe('Hi Bob');
		alice.state.stop();
		bob.state.stop();
	});

	it('verifies, trusts and blocks: a blocked contact disappears from the chats and cannot be written to', async () => {
		const { alice, bob } = await pair();
		await bob.state.addContact(alice.identity.id);
		await bob.state.send(alice.identity.id, 'first');
		await waitFor(() => alice.state.contact(bob.identity.id), 'Bob known to Alice');
		expect((await alice.state.setVerified(bob.identity.id, true)).verified).toBe(true);

		await alice.state.publishTrust(bob.identity.id, 75);
		const statements = await publishedStatements(bob.state.records!, alice.identity.id);
		expect(statements).toMatchObject([{ issuer: alice.identity.id, target: bob.identity.id, level: 75 }]);

		await waitFor(() => alice.state.conversations.length === 1, 'conversation listed');
		await alice.state.publishTrust(bob.identity.id, -100);
		expect(alice.state.contact(bob.identity.id)?.trust).toBe(-100);
		expect(alice.state.conversations).toEqual([]);
		await expect(alice.state.send(bob.identity.id, 'no')).rejects.toMatchObject({ code: 'ERR_BLOCKED' });
		alice.state.stop();
		bob.state.stop();
	});

	it('a second start for the same identity is the same run; stop during start aborts it', async () => {
		const network = memoryRecordNetwork({ ed25519, powBits: TEST_POW_BITS });
		const carol = person(network);
		const first = carol.state.start(carol.identity, 'Carol');
		carol.state.stop();
		await expect(first).rejects.toMatchObject({ code: 'ERR_ABORTED' });
		expect(carol.state.status).toBe('stopped');
		await carol.state.start(carol.identity, 'Carol');
		await carol.state.start(carol.identity, 'Carol');
		expect(carol.state.status).toBe('running');
		carol.state.stop();
	});

	it('reports a failed start (storage refused) and can start again', async () => {
		const network = memoryRecordNetwork({ ed25519, powBits: TEST_POW_BITS });
		let fail = true;
		const identity = createIdentity();
		const state = new MessagingState({
			connect: async () => ({
				records: memoryRecordStore({ network, ed25519, powBits: TEST_POW_BITS }),
				blobs: memoryBlobStore(),
				relays: () => []
			}),
			stores: () => {
				if (fail) throw new Error('IndexedDB refused');
				return {
					outbox: memoryOutboxStorage(),
					sessions: memorySessionStorage(),
					history: memoryHistoryStorage(),
					prekeys: memoryPrekeyStorage(),
					contacts: memoryContactStorage()
				};
			},
			ed25519,
			powBits: TEST_POW_BITS
		});
		await expect(state.start(identity, 'Dan')).rejects.toThrow('IndexedDB refused');
		expect(state.status).toBe('failed');
		expect(String(state.error)).toContain('IndexedDB refused');
		fail = false;
		await state.start(identity, 'Dan');
		expect(state.status).toBe('running');
		state.stop();
	});
});

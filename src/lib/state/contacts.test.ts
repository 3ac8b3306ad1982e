import { describe, expect, it } from 'vitest';
import { createIdentity, shortFingerprint, type MiaouId } from '../core/identity.ts';
import type { TrustStatement } from '../core/trust.ts';
import { memoryBlobStore } from '../net/blob-store.ts';
import { memoryOutboxStorage } from '../net/outbox.ts';
import { memoryRecordNetwork, memoryRecordStore, type MemoryRecordNetwork } from '../net/record-store-memory.ts';
import { memoryContactStorage, type Contact } from '../services/contacts.ts';
import { memoryHistoryStorage } from '../services/history.ts';
import { memoryPrekeyStorage } from '../services/prekeys.ts';
import { memorySessionStorage } from '../services/sessions.ts';
import { ed25519, TEST_POW_BITS, waitFor } from '../services/testing/party.ts';
import { contactName, ContactsState, scoreAll } from './contacts.svelte.ts';
import { MessagingState } from './messenger.svelte.ts';

function contact(id: MiaouId, trust: number, name?: string): Contact {
	return { id, trust, verified: false, addedAt: 0, origin: 'me', ...(name ? { name } : {}) };
}

async function person(network: MemoryRecordNetwork, name: string) {
	const identity = createIdentity();
	const state = new MessagingState({
		connect: async () => ({
			records: memoryRecordStore({ network, ed25519, powBits: TEST_POW_BITS }),
			blobs: memoryBlobStore(),
			relays: () => ['https://relay.example']
		}),
		stores: () => ({
			outbox: memoryOutboxStorage(),
			sessions: memorySessionStorage(),
			history: memoryHistoryStorage(),
			prekeys: memoryPrekeyStorage(),
			contacts: memoryContactStorage()
		}),
		ed25519,
		powBits: TEST_POW_BITS
	});
	await state.start(identity, name);
	await waitFor(() => state.published, `${name}'s profile published`);
	return { id: identity.id, state, contacts: new ContactsState(state) };
}

describe('scoreAll', () => {
	const [me, bob, carol, dave] = [0, 1, 2, 3].map(() => createIdentity().id) as [MiaouId, MiaouId, MiaouId, MiaouId];

	it('scores contacts directly and others through the contacts I trust, with the paths', () => {
		const others: TrustStatement[] = [
			{ issuer: bob, target: carol, level: 50, time: 1 },
			{ issuer: dave, target: carol, level: -50, time: 1 }
		];
		const scores = scoreAll(me, [contact(bob, 75), contact(dave, -100)], others, 10);
		const byTarget = new Map(scores.map((s) => [s.target, s]));
		expect(byTarget.get(bob)).toMatchObject({ score: 75, name: 'Trusted', direct: true });
		expect(byTarget.get(dave)).toMatchObject({ score: -100, name: 'Blocked', blocked: true });
		// Only Bob's path counts: a path never passes through someone I rated ≤ 0 (docs/records.md).
		const carolScore = byTarget.get(carol)!;
		expect(carolScore).toMatchObject({ score: 38, name: 'Acquaintance', direct: false });
		expect(carolScore.paths.map((p) => p.nodes)).toEqual([[me, bob, carol]]);
	});

	it('ignores statements claiming to be mine (my list is the truth) and targets that are not ids', () => {
		const forged: TrustStatement[] = [
			{ issuer: me, target: bob, level: 100, time: 99 },
			{ issuer: bob, target: 'not an id', level: 50, time: 1 }
		];
		const scores = scoreAll(me, [contact(bob, 25)], forged, 10);
		expect(scores).toHaveLength(1);
		expect(scores[0]).toMatchObject({ target: bob, score: 25, direct: true });
	});
});

describe('contactName', () => {
	it('shows the name, else the fingerprint, else the fallback word', () => {
		const id = createIdentity().id;
		expect(contactName(contact(id, 0, '<b>x</b>'), id, '?')).toBe('<b>x</b>');
		expect(contactName(undefined, id, '?')).toBe(shortFingerprint(id));
		expect(contactName(undefined, 'garbage', '?')).toBe('?');
	});
});

describe('ContactsState', () => {
	it('adds from a link, a code and a bare id; refuses my own invite and a damaged one', async () => {
		const network = memoryRecordNetwork({ ed25519, powBits: TEST_POW_BITS });
		const [alice, bob] = await Promise.all([person(network, 'Alice'), person(network, 'Bob')]);
		const link = alice.contacts.inviteLink(
			{ id: alice.id, name: 'Alice A.', relays: ['https://r2.example'] },
			'https://relay.example'
		);
		expect(bob.contacts.parse(link)).toEqual({
			id: alice.id,
			name: 'Alice A.',
			relays: ['https://relay.example', 'https://r2.example']
		});
		const added = await bob.contacts.addFromInvite(link);
		expect(added).toMatchObject({
			id: alice.id,
			name: 'Alice A.',
			relays: ['https://relay.example', 'https://r2.example']
		});
		await expect(bob.contacts.addFromInvite(bob.contacts.inviteLink({ id: bob.id, relays: [] }))).rejects.toThrow(
			RangeError
		);
		await expect(bob.contacts.addFromInvite(`${link.slice(0, -12)}%%%`)).rejects.toMatchObject({
			code: 'ERR_INVALID_INVITE'
		});
		const carol = createIdentity().id;
		await bob.contacts.addFromInvite(carol);
		expect(bob.state.contacts.map((c) => c.id).sort()).toEqual([alice.id, carol].sort());
		alice.state.stop();
		bob.state.stop();
	});

	it('finds published profiles by name, without me, marking known contacts', async () => {
		const network = memoryRecordNetwork({ ed25519, powBits: TEST_POW_BITS });
		const [alice, bob, other] = await Promise.all([
			person(network, 'Alice'),
			person(network, 'Bob'),
			person(network, 'alice')
		]);
		await bob.state.addContact(alice.id);
		const results = await bob.contacts.search('ALICE');
		expect(results.map((r) => r.id).sort()).toEqual([alice.id, other.id].sort());
		expect(results.find((r) => r.id === alice.id)?.contact?.id).toBe(alice.id);
		expect(results.find((r) => r.id === other.id)?.contact).toBeUndefined();
		expect(await alice.contacts.search('alice')).toEqual([expect.objectContaining({ id: other.id })]);
		for (const p of [alice, bob, other]) p.state.stop();
	});

	it('computes scores from my levels and what my trusted contacts published', async () => {
		const network = memoryRecordNetwork({ ed25519, powBits: TEST_POW_BITS });
		const [alice, bob] = await Promise.all([person(network, 'Alice'), person(network, 'Bob')]);
		const carol = createIdentity().id;
		await bob.state.addContact(carol);
		await bob.state.publishTrust(carol, 100);
		await alice.state.addContact(bob.id);
		await alice.state.publishTrust(bob.id, 50);
		await alice.contacts.refreshScores();
		expect(alice.contacts.scoring).toBe(false);
		const carolScore = alice.contacts.scores.find((s) => s.target === carol);
		expect(carolScore).toMatchObject({ score: 50, direct: false });
		expect(carolScore?.paths[0]?.nodes).toEqual([alice.id, bob.id, carol]);
		expect(alice.contacts.scores.find((s) => s.target === bob.id)).toMatchObject({ score: 50, direct: true });
		alice.state.stop();
		bob.state.stop();
		await expect(alice.contacts.refreshScores()).rejects.toThrow(RangeError);
	});

	it('follows paths of three statements, like the CLI (me → bob → carol → dave)', async () => {
		const network = memoryRecordNetwork({ ed25519, powBits: TEST_POW_BITS });
		const [alice, bob, carol] = await Promise.all([
			person(network, 'Alice'),
			person(network, 'Bob'),
			person(network, 'Carol')
		]);
		const dave = createIdentity().id;
		await carol.state.addContact(dave);
		await carol.state.publishTrust(dave, 80);
		await bob.state.addContact(carol.id);
		await bob.state.publishTrust(carol.id, 60);
		await alice.state.addContact(bob.id);
		await alice.state.publishTrust(bob.id, 100);
		// A second refresh (the screen asked again) replaces the first, which ends without an error.
		await Promise.all([alice.contacts.refreshScores(), alice.contacts.refreshScores()]);
		expect(alice.contacts.scoring).toBe(false);
		const daveScore = alice.contacts.scores.find((s) => s.target === dave);
		expect(daveScore?.paths.map((p) => p.nodes)).toEqual([[alice.id, bob.id, carol.id, dave]]);
		expect(daveScore?.score).toBe(48); // 80 scaled by the weakest link, 60
		expect(alice.contacts.partial).toBe(false);
		for (const p of [alice, bob, carol]) p.state.stop();
	});
});

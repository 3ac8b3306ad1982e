import { afterEach, describe, expect, it } from 'vitest';
import { fromBase64url, toBase64url } from '../core/bytes.ts';
import { signingKeyPairFromSeed } from '../core/ed25519.ts';
import { BlockedContactError, NoProfileError } from '../core/errors.ts';
import { createIdentity } from '../core/identity.ts';
import { randomBytes } from '../core/random.ts';
import { signRecord, soulFor, type VerifiedRecord } from '../core/records.ts';
import { memoryBlobStore } from '../net/blob-store.ts';
import { memoryRecordNetwork, type MemoryRecordNetwork } from '../net/record-store-memory.ts';
import { deriveAtRestKey } from './at-rest.ts';
import { inboxMailbox, mailboxDay, pairMailbox, pairMailboxKey } from './mailbox.ts';
import type { ChatMessage } from './history.ts';
import type { MessageEvent, StatusEvent } from './messaging.ts';
import { memorySessionStorage, sealedSessionStorage } from './sessions.ts';
import { ed25519, makeParty, newPartyState, TEST_POW_BITS, waitFor, type Party } from './testing/party.ts';

const running: Party[] = [];
afterEach(async () => {
	await Promise.all(running.splice(0).map((p) => p.messenger.stop()));
});

async function world(now?: () => number) {
	const network = memoryRecordNetwork({ ed25519, powBits: TEST_POW_BITS, ...(now ? { now } : {}) });
	const blobs = memoryBlobStore();
	return { network, blobs, ...(now ? { now } : {}) };
}

async function started(party: Party): Promise<Party> {
	running.push(party);
	await party.messenger.start();
	return party;
}

function events(party: Party) {
	const messages: MessageEvent[] = [];
	const statuses: StatusEvent[] = [];
	party.messenger.onMessage((e) => messages.push(e));
	party.messenger.onStatus((e) => statuses.push(e));
	return { messages, statuses };
}

async function statusOf(party: Party, contact: Party, id: string) {
	return (await party.state.history.get(contact.state.identity.id, id))?.status;
}

/** Box entries of a mailbox as the network holds them. */
function boxes(network: MemoryRecordNetwork, mailbox: string) {
	return network.fields(soulFor('box', mailbox));
}

/** Publish a box entry pointing at `cid` in `mailbox`, as any stranger could. */
async function postBox(network: MemoryRecordNetwork, mailbox: string, cid: string, size: number, state = Date.now()) {
	const record = await signRecord('box', {
		author: mailbox,
		key: toBase64url(randomBytes(16)),
		body: { cid, size },
		state,
		signer: signingKeyPairFromSeed(randomBytes(32)),
		powBits: TEST_POW_BITS,
		ed25519
	});
	await network.publish(record);
	return record;
}

describe('messenger', () => {
	it('first contact, a chat both ways, delivered and read receipts', async () => {
		const env = await world();
		const alice = await started(await makeParty('Alice', env));
		const bob = await started(await makeParty('Bob', env));
		const a = events(alice);
		const b = events(bob);
		const aliceId = alice.state.identity.id;
		const bobId = bob.state.identity.id;

		const hello = await alice.messenger.send(bobId, 'Hello Bob <img src=x onerror=alert(1)>');
		expect(hello).toMatchObject({ direction: 'out', status: 'pending', contact: bobId });
		const got = await waitFor(() => b.messages[0], 'Bob to get the message');
		expect(got.message).toMatchObject({
			id: hello.id,
			contact: aliceId,
			direction: 'in',
			text: 'Hello Bob <img src=x onerror=alert(1)>',
			sentAt: hello.sentAt,
			status: 'received'
		});
		expect(got.newContact).toBe(true);
		// The first contact went to Bob's public inbox of the day.
		const day = mailboxDay(Date.now());
		expect(boxes(env.network, inboxMailbox(bobId, day))).toHaveLength(1);

		await waitFor(async () => (await statusOf(alice, bob, hello.id)) === 'delivered', 'the delivery receipt');
		// `send` returned it as pending; every later state is an event.
		expect(a.statuses.filter((s) => s.id === hello.id).map((s) => s.status)).toEqual(['sent', 'stored', 'delivered']);
		// Bob now knows Alice, her key and (from her profile) her name.
		await waitFor(() => bob.messenger.contacts.get(aliceId)?.name === 'Alice', "Alice's name from her profile");
		expect(bob.messenger.contacts.get(aliceId)).toMatchObject({ origin: 'them', verified: false, trust: 0 });

		const reply = await bob.messenger.send(aliceId, 'Hi Alice');
		const back = await waitFor(() => a.messages[0], 'Alice to get the reply');
		expect(back.message).toMatchObject({ id: reply.id, text: 'Hi Alice', contact: bobId });
		expect(back.newContact).toBe(false);
		// Bob answered a live session: his reply went to the pair mailbox, not Alice's inbox.
		const key = pairMailboxKey(bob.state.identity, alice.state.identity.agreement.publicKey);
		expect(boxes(env.network, pairMailbox(key, aliceId, day)).length).toBeGreaterThanOrEqual(1);
		expect(boxes(env.network, inboxMailbox(aliceId, day))).toHaveLength(0);

		expect(await bob.messenger.markRead(aliceId)).toBe(1);
		expect(await bob.messenger.markRead(aliceId)).toBe(0);
		await waitFor(async () => (await statusOf(alice, bob, hello.id)) === 'read', 'the read receipt');
		await waitFor(async () => (await statusOf(bob, alice, reply.id)) === 'delivered', 'delivery of the reply');

		const aliceView = await alice.state.history.list(bobId);
		expect(aliceView.map((m) => [m.direction, m.text, m.status])).toEqual([
			['out', 'Hello Bob <img src=x onerror=alert(1)>', 'read'],
			['in', 'Hi Alice', 'received']
		]);
		expect(alice.messenger.stats()).toMatchObject({ received: 1, dropped: 0 });
		expect(bob.messenger.stats()).toMatchObject({ received: 1, dropped: 0 });
		expect([...alice.errors, ...bob.errors]).toEqual([]);
	});

	it('a one-time prekey used by a first contact leaves the published profile', async () => {
		const env = await world();
		const alice = await started(await makeParty('Alice', env));
		const bob = await started(await makeParty('Bob', env));
		const bobId = bob.state.identity.id;
		const before = (await alice.records.read(soulFor('profile', bobId), 'card')) as VerifiedRecord<'profile'>;
		const listed = before.body.oneTimePrekeys.map((p) => p.id);
		await alice.messenger.send(bobId, 'hi');
		const after = await waitFor(async () => {
			const r = (await alice.records.read(soulFor('profile', bobId), 'card')) as VerifiedRecord<'profile'>;
			return r.state > before.state ? r : undefined;
		}, "Bob's profile to be published again");
		const now = after.body.oneTimePrekeys.map((p) => p.id);
		expect(now.length).toBe(listed.length - 1);
		expect(listed.filter((id) => !now.includes(id))).toHaveLength(1);
	});

	it('Bob offline: three messages wait in the mailbox and arrive in order when he starts', async () => {
		const env = await world();
		const alice = await started(await makeParty('Alice', env));
		const bob = await makeParty('Bob', env); // published, not started
		const bobId = bob.state.identity.id;
		const sent: ChatMessage[] = [];
		for (const text of ['one', 'two', 'three']) sent.push(await alice.messenger.send(bobId, text));
		for (const m of sent) await waitFor(async () => (await statusOf(alice, bob, m.id)) === 'stored', 'stored');
		expect(await bob.state.history.list(alice.state.identity.id)).toEqual([]);

		const b = events(bob);
		await started(bob);
		await waitFor(() => b.messages.length === 3, 'three messages');
		const list = await bob.state.history.list(alice.state.identity.id);
		expect(list.map((m) => m.text)).toEqual(['one', 'two', 'three']);
		expect(list.map((m) => m.id)).toEqual(sent.map((m) => m.id));
		for (const m of sent) await waitFor(async () => (await statusOf(alice, bob, m.id)) === 'delivered', 'delivered');
		expect(bob.messenger.stats()).toMatchObject({ received: 3, dropped: 0, duplicates: 0 });
	});

	it('ignores duplicate box entries: the same entry again, and a second entry for one envelope', async () => {
		const env = await world();
		const alice = await started(await makeParty('Alice', env));
		const bob = await started(await makeParty('Bob', env));
		const b = events(bob);
		const bobId = bob.state.identity.id;
		await alice.messenger.send(bobId, 'only once');
		await waitFor(() => b.messages.length === 1, 'the message');
		const inbox = inboxMailbox(bobId, mailboxDay(Date.now()));
		const [field] = boxes(env.network, inbox);
		const original = JSON.parse(field!.value as string) as { b: { cid: string; size: number } };

		env.network.inject({ ...field! }); // the same field delivered again (a second relay's echo)
		await postBox(env.network, inbox, original.b.cid, original.b.size); // a replay under a new entry
		await bob.messenger.sync();
		expect(b.messages).toHaveLength(1);
		expect(await bob.state.history.list(alice.state.identity.id)).toHaveLength(1);
		expect(bob.messenger.stats()).toMatchObject({ received: 1, duplicates: 1, dropped: 0 });
	});

	it('shows a replayed first contact once, even on a device that lost its sessions', async () => {
		const env = await world();
		const alice = await started(await makeParty('Alice', env));
		const bob = await started(await makeParty('Bob', env));
		const b = events(bob);
		const bobId = bob.state.identity.id;
		await alice.messenger.send(bobId, 'hello once');
		await waitFor(() => b.messages.length === 1, 'the message');
		await bob.messenger.stop();
		// Bob's sessions are gone (a wiped store); his prekeys and history remain.
		const wiped = await started(
			await makeParty('Bob', { ...env, state: { ...bob.state, sessions: memorySessionStorage() }, publish: false })
		);
		const w = events(wiped);
		const inbox = inboxMailbox(bobId, mailboxDay(Date.now()));
		const [field] = boxes(env.network, inbox);
		const { cid, size } = (JSON.parse(field!.value as string) as { b: { cid: string; size: number } }).b;
		await postBox(env.network, inbox, cid, size);
		await wiped.messenger.sync();
		// The one-time prekey is still in its grace period, so the envelope opens again: only the
		// message id tells it is the same message.
		expect(w.messages).toEqual([]);
		expect(await wiped.state.history.list(alice.state.identity.id)).toHaveLength(1);
		expect(wiped.messenger.stats()).toMatchObject({ received: 0, duplicates: 1, dropped: 0 });
	});

	it('drops a box whose blob is garbage, counts it, and loses nothing else', async () => {
		const env = await world();
		const alice = await started(await makeParty('Alice', env));
		const bob = await started(await makeParty('Bob', env));
		const b = events(bob);
		const bobId = bob.state.identity.id;
		const inbox = inboxMailbox(bobId, mailboxDay(Date.now()));
		const garbage = randomBytes(1000);
		garbage[0] = 1; // the envelope version, so the length check is what refuses it
		const cid = await env.blobs.put(garbage);
		await postBox(env.network, inbox, cid.toString(), garbage.length);
		await alice.messenger.send(bobId, 'after the garbage');
		await waitFor(() => b.messages.length === 1, 'the real message');
		await bob.messenger.sync();
		expect(b.messages.map((e) => e.message.text)).toEqual(['after the garbage']);
		expect(bob.messenger.stats()).toMatchObject({ received: 1, dropped: 1, droppedByCode: { ERR_MALFORMED: 1 } });
	});

	it('never shows a tampered envelope: altered bytes, or a blob that does not match its CID', async () => {
		const env = await world();
		const alice = await started(await makeParty('Alice', env));
		const bob = await makeParty('Bob', env);
		const bobId = bob.state.identity.id;
		const inbox = inboxMailbox(bobId, mailboxDay(Date.now()));
		const m = await alice.messenger.send(bobId, 'secret');
		await waitFor(async () => (await statusOf(alice, bob, m.id)) === 'stored', 'stored');
		const [field] = boxes(env.network, inbox);
		const { cid, size } = (JSON.parse(field!.value as string) as { b: { cid: string; size: number } }).b;
		const envelope = await env.blobs.get(cid);

		// 1. A flipped bit in the ciphertext, re-uploaded under its own (valid) CID.
		const altered = envelope.slice();
		altered[100] = altered[100]! ^ 1;
		const alteredCid = await env.blobs.put(altered);
		await postBox(env.network, inbox, alteredCid.toString(), size, Date.now() - 1000);
		// 2. The genuine entry, but the store serves other bytes under its CID.
		const { CID } = await import('multiformats/cid');
		env.blobs.tamper(CID.parse(cid), altered);

		const b = events(bob);
		await started(bob);
		await bob.messenger.sync();
		expect(b.messages).toEqual([]);
		expect(await bob.state.history.list(alice.state.identity.id)).toEqual([]);
		expect(bob.messenger.stats()).toMatchObject({
			received: 0,
			dropped: 2,
			droppedByCode: { ERR_DECRYPT: 1, ERR_HASH_MISMATCH: 1 }
		});
	});

	it('keeps sessions sealed at rest and continues the conversation after a restart', async () => {
		const env = await world();
		const aliceState = newPartyState();
		const bobState = newPartyState();
		const aliceRaw = memorySessionStorage();
		const bobRaw = memorySessionStorage();
		aliceState.sessions = sealedSessionStorage(aliceRaw, deriveAtRestKey(aliceState.identity, 'sessions'));
		bobState.sessions = sealedSessionStorage(bobRaw, deriveAtRestKey(bobState.identity, 'sessions'));
		const aliceId = aliceState.identity.id;
		const bobId = bobState.identity.id;

		let alice = await started(await makeParty('Alice', { ...env, state: aliceState }));
		let bob = await started(await makeParty('Bob', { ...env, state: bobState }));
		let b = events(bob);
		await alice.messenger.send(bobId, 'before the restart');
		await waitFor(() => b.messages.length === 1, 'first message');
		await bob.messenger.send(aliceId, 'reply before the restart');
		await waitFor(async () => (await alice.state.history.list(bobId)).length === 2, 'the reply');

		// What is stored is sealed: no session state in clear (it would hold both identity keys).
		const stored = aliceRaw.raw.get(bobId)!;
		expect(stored).toHaveLength(1);
		const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');
		expect(hex(stored[0]!)).not.toContain(hex(aliceState.identity.signing.publicKey));
		expect(hex(stored[0]!)).not.toContain(hex(bobState.identity.signing.publicKey));

		await alice.messenger.stop();
		await bob.messenger.stop();
		running.length = 0;
		alice = await started(await makeParty('Alice', { ...env, state: aliceState, publish: false }));
		bob = await started(await makeParty('Bob', { ...env, state: bobState, publish: false }));
		b = events(bob);
		const a = events(alice);
		const after = await alice.messenger.send(bobId, 'after the restart');
		await waitFor(() => b.messages.length === 1, 'message after restart');
		expect(b.messages[0]!.message).toMatchObject({ id: after.id, text: 'after the restart' });
		expect(b.messages[0]!.newContact).toBe(false);
		await bob.messenger.send(aliceId, 'and back');
		await waitFor(() => a.messages.length === 1, 'reply after restart');
		// The ratchet went on from the stored state: no new session was made on either side.
		expect(aliceRaw.raw.get(bobId)).toHaveLength(1);
		expect(bobRaw.raw.get(aliceId)).toHaveLength(1);
		expect((await alice.state.history.list(bobId)).map((m) => m.text)).toEqual([
			'before the restart',
			'reply before the restart',
			'after the restart',
			'and back'
		]);
		// Entries handled before the restart were not fetched or shown again.
		expect(alice.messenger.stats().duplicates + bob.messenger.stats().duplicates).toBe(0);
	});

	it('reads back the mailboxes of days missed while away', async () => {
		let clock = Date.UTC(2025, 0, 10, 12);
		const now = () => clock;
		const env = await world(now);
		const alice = await started(await makeParty('Alice', env));
		const bob = await started(await makeParty('Bob', env));
		const bobId = bob.state.identity.id;
		const aliceId = alice.state.identity.id;
		const b = events(bob);
		await alice.messenger.send(bobId, 'day one');
		await waitFor(() => b.messages.length === 1, 'first message');
		await bob.messenger.send(aliceId, 'ok');
		await waitFor(async () => (await alice.state.history.list(bobId)).length === 2, 'reply');
		await bob.messenger.stop();

		// Day 11 and 12: Alice writes to the pair mailbox of that day while Bob is away.
		const later: ChatMessage[] = [];
		for (const day of [11, 12]) {
			clock = Date.UTC(2025, 0, day, 9);
			later.push(await alice.messenger.send(bobId, `day ${day}`));
			await waitFor(async () => (await statusOf(alice, bob, later.at(-1)!.id)) === 'stored', 'stored');
		}
		// Day 15: Bob is back; day 11 is no longer watched live but is read back.
		clock = Date.UTC(2025, 0, 15, 8);
		const back = await started(await makeParty('Bob', { ...env, state: bob.state, publish: false }));
		await back.messenger.sync();
		const texts = (await back.state.history.list(aliceId)).map((m) => m.text);
		expect(texts).toEqual(['day one', 'ok', 'day 11', 'day 12']);
		expect(await back.state.history.syncedDay()).toBe(mailboxDay(clock) - 2);
	});

	it('hides messages from a blocked contact and refuses to send to them', async () => {
		const env = await world();
		const alice = await started(await makeParty('Alice', env));
		const bob = await started(await makeParty('Bob', env));
		const b = events(bob);
		const aliceId = alice.state.identity.id;
		await bob.messenger.contacts.add(aliceId, { name: 'Alice' });
		await bob.messenger.contacts.setTrust(aliceId, -100);
		await alice.messenger.send(bob.state.identity.id, 'let me in');
		await waitFor(() => bob.messenger.stats().blocked === 1, 'the blocked message');
		expect(b.messages).toEqual([]);
		await expect(bob.messenger.send(aliceId, 'no')).rejects.toBeInstanceOf(BlockedContactError);
	});

	it('fails a message a relay refuses for good, and sends it again on retry', async () => {
		const env = await world();
		// This "relay" wants more work than Alice does.
		const strict = memoryRecordNetwork({ ed25519, powBits: TEST_POW_BITS + 6 });
		const bob = await started(await makeParty('Bob', { ...env, network: strict, powBits: TEST_POW_BITS + 6 }));
		const alice = await started(await makeParty('Alice', { ...env, network: strict, publish: false }));
		const a = events(alice);
		const m = await alice.messenger.send(bob.state.identity.id, 'refused');
		const failed = await waitFor(() => a.statuses.find((s) => s.status === 'failed'), 'the failure');
		expect(failed).toMatchObject({ id: m.id, error: { code: 'ERR_RELAY_REFUSED' } });
		expect(failed.error!.message).toContain('ERR_PROOF_OF_WORK');
		expect(await statusOf(alice, bob, m.id)).toBe('failed');
		await alice.messenger.retry(bob.state.identity.id, m.id);
		await waitFor(() => a.statuses.filter((s) => s.status === 'failed').length === 2, 'the second failure');
	});

	it('refuses to start a conversation with someone who publishes no profile', async () => {
		const env = await world();
		const alice = await started(await makeParty('Alice', env));
		await expect(alice.messenger.send(createIdentity().id, 'anyone?')).rejects.toBeInstanceOf(NoProfileError);
		await expect(alice.messenger.send(alice.state.identity.id, 'me')).rejects.toBeInstanceOf(RangeError);
		await expect(alice.messenger.send(createIdentity().id, '')).rejects.toMatchObject({ code: 'ERR_MALFORMED' });
		expect(await alice.state.history.conversations()).toEqual([]);
	});

	it('marks as failed a message that never reached the outbox before a crash', async () => {
		const env = await world();
		const state = newPartyState();
		const peer = createIdentity().id;
		await state.history.add({
			id: toBase64url(fromBase64url('AAAAAAAAAAAAAAAAAAAAAA')),
			contact: peer,
			direction: 'out',
			text: 'lost',
			sentAt: 1,
			status: 'pending'
		});
		const alice = await started(await makeParty('Alice', { ...env, state }));
		await waitFor(async () => (await state.history.get(peer, 'AAAAAAAAAAAAAAAAAAAAAA'))?.status === 'failed', 'failed');
		expect(alice.errors).toEqual([]);
	});
});

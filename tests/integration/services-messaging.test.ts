/**
 * The messenger through a real relay process (Gun + Helia) on 127.0.0.1: Alice and Bob each have
 * their own Gun client, relay pool, record store and relay blob store, as two devices would. The
 * relay verifies every box entry with its default proof of work (16 bits), so the clients sign
 * with DEFAULT_BOX_POW_BITS. Bob keeps his state on disk (sealed session files, sealed history,
 * prekeys and contacts in sealed files, the outbox file), as the CLI does, so his restart is a
 * real one.
 *
 * Covered: first contact through a published profile, a chat both ways, delivered and read
 * receipts, and Bob offline while Alice sends three messages that he gets, in order, when he
 * comes back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentity } from '../../src/lib/core/identity.ts';
import { DEFAULT_BOX_POW_BITS } from '../../src/lib/core/records.ts';
import { nodeEd25519 as ed25519 } from '../../src/lib/node/ed25519-node.ts';
import { relayBlobStore } from '../../src/lib/net/blob-store.ts';
import { createGun } from '../../src/lib/net/gun.ts';
import { fileOutboxStorage } from '../../src/lib/net/outbox-file.ts';
import { memoryOutboxStorage } from '../../src/lib/net/outbox.ts';
import { gunRecordStore } from '../../src/lib/net/record-store.ts';
import { relayPool, type RelayPool } from '../../src/lib/net/relay-pool.ts';
import { deriveAtRestKey } from '../../src/lib/services/at-rest.ts';
import { slotContactStorage } from '../../src/lib/services/contacts.ts';
import { slotHistoryStorage } from '../../src/lib/services/history-slot.ts';
import type { ChatMessage } from '../../src/lib/services/history.ts';
import type { MessageEvent, StatusEvent } from '../../src/lib/services/messaging.ts';
import { slotPrekeyStorage } from '../../src/lib/services/prekeys.ts';
import { fileSessionStorage } from '../../src/lib/services/session-file.ts';
import { sealedSessionStorage } from '../../src/lib/services/sessions.ts';
import { fileSlot } from '../../src/lib/services/slot-file.ts';
import {
	makeParty,
	newPartyState,
	waitFor,
	type Party,
	type PartyState
} from '../../src/lib/services/testing/party.ts';
import { removeDataDir, startRelayProcess, type RelayProcess } from '../helpers/relay-process.ts';

const RELAY_ARGS = ['--ipfs-listen', '/ip4/127.0.0.1/tcp/0', '--rate-limit', '0', '--message-rate-limit', '0'];
const BACKOFF = { baseMs: 200, capMs: 2000, jitter: 0.5 };

let relay: RelayProcess;
let home: string;
const pools: RelayPool[] = [];
const parties: Party[] = [];

beforeAll(async () => {
	relay = await startRelayProcess({ args: RELAY_ARGS });
	home = mkdtempSync(join(tmpdir(), 'miaou-services-'));
}, 60_000);

afterAll(async () => {
	await Promise.allSettled(parties.map((p) => p.messenger.stop()));
	for (const p of pools) p.close();
	await relay?.stop();
	if (relay) removeDataDir(relay.dataDir);
	if (home) rmSync(home, { recursive: true, force: true });
});

/** A device: its own Gun client and relay pool, connected to the relay. */
async function device(name: string, state: PartyState, publish: boolean): Promise<Party> {
	const gun = await createGun();
	const pool = relayPool({ gun, urls: [relay.url], backoff: BACKOFF });
	pools.push(pool);
	await waitFor(() => pool.snapshot()[0]!.state === 'open', `${name}'s connection`, 15_000);
	const party = await makeParty(name, {
		records: gunRecordStore(gun, { ed25519 }),
		blobs: relayBlobStore(() => pool.ordered()),
		state,
		publish,
		powBits: DEFAULT_BOX_POW_BITS
	});
	parties.push(party);
	return party;
}

/** Bob's state in files under `dir`, sealed with keys derived from his identity (as the CLI keeps it). */
function onDisk(dir: string, identity = createIdentity()): PartyState {
	return {
		identity,
		outbox: fileOutboxStorage(join(dir, 'outbox.json')),
		sessions: sealedSessionStorage(fileSessionStorage(join(dir, 'sessions')), deriveAtRestKey(identity, 'sessions')),
		history: slotHistoryStorage(fileSlot(join(dir, 'history.bin')), deriveAtRestKey(identity, 'history')),
		prekeys: slotPrekeyStorage(fileSlot(join(dir, 'prekeys.bin')), deriveAtRestKey(identity, 'prekeys')),
		contacts: slotContactStorage(fileSlot(join(dir, 'contacts.bin')), deriveAtRestKey(identity, 'contacts'))
	};
}

function listen(party: Party) {
	const messages: MessageEvent[] = [];
	const statuses: StatusEvent[] = [];
	party.messenger.onMessage((e) => messages.push(e));
	party.messenger.onStatus((e) => statuses.push(e));
	return { messages, statuses };
}

const status = async (party: Party, peer: Party, id: string) =>
	(await party.state.history.get(peer.state.identity.id, id))?.status;

describe('messaging through a real relay', () => {
	it('chats both ways with receipts, and delivers in order to a recipient who was offline', async () => {
		const aliceState = { ...newPartyState(), outbox: memoryOutboxStorage() };
		const bobDir = join(home, 'bob');
		const bobState = onDisk(bobDir);
		const alice = await device('Alice', aliceState, true);
		let bob = await device('Bob', bobState, true);
		await alice.messenger.start();
		await bob.messenger.start();
		const a = listen(alice);
		let b = listen(bob);
		const aliceId = aliceState.identity.id;
		const bobId = bobState.identity.id;

		// First contact: Alice has only Bob's id; his profile on the relay gives her his prekeys.
		const started = Date.now();
		const hello = await alice.messenger.send(bobId, 'Hello Bob');
		const got = await waitFor(() => b.messages[0], 'Bob to receive the first message', 30_000);
		const firstLatency = Date.now() - started;
		expect(got.message).toMatchObject({ id: hello.id, text: 'Hello Bob', contact: aliceId, status: 'received' });
		expect(got.newContact).toBe(true);
		await waitFor(async () => (await status(alice, bob, hello.id)) === 'delivered', 'the delivery receipt', 30_000);
		expect(a.statuses.filter((s) => s.id === hello.id).map((s) => s.status)).toEqual(['sent', 'stored', 'delivered']);

		const reply = await bob.messenger.send(aliceId, 'Hi Alice');
		await waitFor(() => a.messages[0], 'Alice to receive the reply', 30_000);
		expect(a.messages[0]!.message).toMatchObject({ id: reply.id, text: 'Hi Alice' });
		expect(await bob.messenger.markRead(aliceId)).toBe(1);
		await waitFor(async () => (await status(alice, bob, hello.id)) === 'read', 'the read receipt', 30_000);
		await waitFor(async () => (await status(bob, alice, reply.id)) === 'delivered', 'delivery of the reply', 30_000);

		// Bob goes offline: his process stops; Alice sends three messages that wait on the relay.
		await bob.messenger.stop();
		const sent: ChatMessage[] = [];
		for (const text of ['one', 'two', 'three']) sent.push(await alice.messenger.send(bobId, text));
		for (const m of sent) await waitFor(async () => (await status(alice, bob, m.id)) === 'stored', 'stored', 30_000);

		// Bob comes back: a new device process over the same files.
		bob = await device('Bob', onDisk(bobDir, bobState.identity), false);
		b = listen(bob);
		await bob.messenger.start();
		await waitFor(() => b.messages.length === 3, 'the three messages', 30_000);
		const texts = (await bob.state.history.list(aliceId)).map((m) => m.text);
		expect(texts).toEqual(['Hello Bob', 'Hi Alice', 'one', 'two', 'three']);
		for (const m of sent)
			await waitFor(async () => (await status(alice, bob, m.id)) === 'delivered', 'delivered after return', 30_000);
		// The restarted Bob continued the stored ratchet session: nothing failed or was refused.
		expect(bob.messenger.stats()).toMatchObject({ received: 3, dropped: 0 });
		expect(alice.messenger.stats()).toMatchObject({ received: 1, dropped: 0 });
		expect([...alice.errors, ...bob.errors]).toEqual([]);
		console.log(`first contact delivered in ${firstLatency} ms through the relay (16-bit proof of work)`);
	}, 120_000);
});

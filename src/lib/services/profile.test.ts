import { describe, expect, it } from 'vitest';
import { toHex } from '../core/bytes.ts';
import { NoProfileError } from '../core/errors.ts';
import { createIdentity } from '../core/identity.ts';
import { soulFor, type VerifiedRecord } from '../core/records.ts';
import { verifyPrekeyBundle } from '../core/x3dh.ts';
import {
	DIRECT_CAPABILITY,
	mustRepublish,
	publishDirectEntry,
	readDirectEntry,
	sameDirectEntry
} from '../net/p2p-directory.ts';
import { memoryRecordNetwork, memoryRecordStore } from '../net/record-store-memory.ts';
import { createPrekeyKeeper, memoryPrekeyStorage } from './prekeys.ts';
import { CLIENT_CAPABILITIES, createProfileService } from './profile.ts';
import { ed25519 } from './testing/party.ts';

function setup() {
	const network = memoryRecordNetwork({ ed25519 });
	const records = memoryRecordStore({ network, ed25519 });
	const make = (random?: (n: number) => Uint8Array) => {
		const identity = createIdentity();
		const storage = memoryPrekeyStorage();
		const prekeys = createPrekeyKeeper({ identity, storage });
		const profiles = createProfileService({ identity, records, prekeys, ed25519, ...(random ? { random } : {}) });
		return { identity, prekeys, profiles, storage };
	};
	return { network, records, make };
}

describe('profile service', () => {
	it('publishes profile, directory entry and name entry; others fetch and find them', async () => {
		const { make } = setup();
		const alice = make();
		const bob = make();
		await alice.profiles.publish({ name: 'Alice Liddell', about: 'curious', relays: ['wss://relay.example/'] });
		const seen = await bob.profiles.fetch(alice.identity.id);
		expect(seen).toMatchObject({ id: alice.identity.id, name: 'Alice Liddell', about: 'curious', oneTimePrekeys: 50 });
		expect(toHex(seen!.agreementKey)).toBe(toHex(alice.identity.agreement.publicKey));
		expect(await bob.profiles.directory(alice.identity.id)).toMatchObject({
			relays: ['wss://relay.example/'],
			capabilities: [...CLIENT_CAPABILITIES]
		});
		expect(await bob.profiles.search('  ALICE   liddell ')).toEqual([{ id: alice.identity.id, name: 'Alice Liddell' }]);
		expect(await bob.profiles.search('bob')).toEqual([]);
		expect(await bob.profiles.fetch(createIdentity().id)).toBeUndefined();
		// Publishing again at once outranks the first version (Gun keeps the highest state).
		await alice.profiles.publish({ name: 'Alice' });
		expect((await bob.profiles.fetch(alice.identity.id))!.name).toBe('Alice');
	});

	it('builds a verified bundle with a one-time prekey picked at random', async () => {
		const { make } = setup();
		const bob = make();
		const picks = new Set<number>();
		let n = 0;
		const alice = make((len) => new Uint8Array(len).fill(n++ * 7));
		await bob.profiles.publish({ name: 'Bob' });
		const listed = bob.prekeys.published().oneTimePrekeys.map((p) => p.id);
		for (let i = 0; i < 5; i++) {
			const { bundle, profile } = await alice.profiles.bundle(bob.identity.id);
			expect(await verifyPrekeyBundle(bundle, ed25519)).toBe(true);
			expect(toHex(bundle.identityKey)).toBe(toHex(bob.identity.signing.publicKey));
			expect(listed).toContain(bundle.oneTimePrekey!.id);
			expect(profile.name).toBe('Bob');
			picks.add(bundle.oneTimePrekey!.id);
		}
		expect(picks.size).toBeGreaterThan(1);
		await expect(alice.profiles.bundle(createIdentity().id)).rejects.toBeInstanceOf(NoProfileError);
	});

	it('ignores a forged profile a lying relay serves', async () => {
		const { make, network } = setup();
		const alice = make();
		const bob = make();
		await alice.profiles.publish({ name: 'Alice' });
		const soul = soulFor('profile', alice.identity.id);
		const [field] = network.fields(soul);
		expect((await bob.profiles.fetch(alice.identity.id))?.name).toBe('Alice');
		// The relay replaces the record with one whose name was changed: it fails verification.
		network.inject({ ...field!, value: (field!.value as string).replace('"Alice"', '"Mallory"') });
		expect(await bob.profiles.fetch(alice.identity.id)).toBeUndefined();
		await expect(bob.profiles.bundle(alice.identity.id)).rejects.toBeInstanceOf(NoProfileError);
	});

	it('publishes again when prekeys change, keeping the name, also from a new run', async () => {
		const { make, records } = setup();
		const alice = make();
		await alice.profiles.publish({ name: 'Alice', about: 'hi' });
		expect(await alice.profiles.refresh()).toBe(false);
		const used = alice.prekeys.published().oneTimePrekeys[0]!.id;
		await alice.prekeys.store.removeOneTimePrekey(used);
		expect(await alice.profiles.refresh()).toBe(true);
		const read = async () =>
			(await records.read(soulFor('profile', alice.identity.id), 'card')) as VerifiedRecord<'profile'>;
		expect((await read()).body.oneTimePrekeys.map((p) => p.id)).not.toContain(used);

		// A new run (no memory of the last publish) reads the name back from the network.
		const prekeys = createPrekeyKeeper({ identity: alice.identity, storage: alice.storage });
		const again = createProfileService({ identity: alice.identity, records, prekeys, ed25519 });
		await prekeys.open();
		const next = prekeys.published().oneTimePrekeys[0]!.id;
		await prekeys.store.removeOneTimePrekey(next);
		expect(await again.refresh()).toBe(true);
		const body = (await read()).body;
		expect(body).toMatchObject({ name: 'Alice', about: 'hi' });
		expect(body.oneTimePrekeys.map((p) => p.id)).not.toContain(next);
	});
});

describe('profile service and the direct part of my dir entry (docs/net.md §Direct peers)', () => {
	// A real libp2p peer id and relay id (Ed25519, base58btc).
	const PEER = '12D3KooWJ2k5Qx3Q9pAYh4M5i8Wvu9n9c3uH1Lc8o4V6e8s7RDbq';
	const RELAY = '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN';
	const CIRCUIT = `/ip4/127.0.0.1/tcp/4002/ws/p2p/${RELAY}/p2p-circuit/webrtc/p2p/${PEER}`;
	const direct = { peer: PEER, addrs: [CIRCUIT] };

	const readDir = async (records: ReturnType<typeof setup>['records'], id: string) =>
		(await records.read(soulFor('dir', id), 'entry')) as VerifiedRecord<'dir'>;

	it('carries the direct part over, so the direct node has nothing to publish again', async () => {
		const { make, records } = setup();
		const alice = make();
		await alice.profiles.publish({ name: 'Alice', relays: ['wss://one.example/'] });
		const first = await publishDirectEntry(records, alice.identity, direct, { ed25519 });
		// What the direct node sees of my entry from now on, with the rule it applies.
		const seen: boolean[] = [];
		const stop = records.subscribe(soulFor('dir', alice.identity.id), (r) => {
			if (r.state > first) seen.push(mustRepublish(r, direct, first));
		});
		await alice.profiles.publish({ name: 'Alice L.', relays: ['wss://two.example/'] });
		const dir = await readDir(records, alice.identity.id);
		expect(dir.state).toBeGreaterThan(first);
		expect(dir.body.relays).toEqual(['wss://two.example/']);
		expect(dir.body.p2p).toEqual(direct);
		expect(dir.body.capabilities).toEqual([...CLIENT_CAPABILITIES, DIRECT_CAPABILITY]);
		expect(sameDirectEntry(dir.body, direct)).toBe(true);
		expect(seen.length).toBeGreaterThan(0);
		expect(seen.every((republish) => !republish)).toBe(true);
		stop();
		// Contacts read my addresses straight after the profile update.
		expect((await readDirectEntry(records, alice.identity.id))?.peer).toBe(PEER);
	});

	it('lets the caller set or drop the direct part; the direct node keeps the relays', async () => {
		const { make, records } = setup();
		const alice = make();
		await alice.profiles.publish({ name: 'Alice', relays: ['wss://one.example/'], p2p: direct });
		expect((await readDir(records, alice.identity.id)).body.p2p).toEqual(direct);
		const withP2p = await readDir(records, alice.identity.id);
		await alice.profiles.publish({ name: 'Alice', relays: ['wss://one.example/'], p2p: null });
		const without = await readDir(records, alice.identity.id);
		expect(without.body.p2p).toBeUndefined();
		expect(without.body.capabilities).not.toContain(DIRECT_CAPABILITY);
		// A writer that dropped the part is answered by the direct node's rule…
		expect(mustRepublish(without, direct, withP2p.state)).toBe(true);
		// …and its write keeps what the profile service wrote.
		await publishDirectEntry(records, alice.identity, direct, { ed25519, lastState: without.state });
		const back = await readDir(records, alice.identity.id);
		expect(back.body).toMatchObject({ relays: ['wss://one.example/'], p2p: direct });
		expect(back.body.capabilities).toEqual([...CLIENT_CAPABILITIES, DIRECT_CAPABILITY]);
		// A profile's own capability list cannot claim direct connections without a direct part.
		await alice.profiles.publish({ name: 'Alice', capabilities: ['msg:1', DIRECT_CAPABILITY], p2p: null });
		expect((await readDir(records, alice.identity.id)).body.capabilities).toEqual(['msg:1']);
	});

	it('ignores entries that are not mine or not dir entries', async () => {
		const { make, records } = setup();
		const alice = make();
		await alice.profiles.publish({ name: 'Alice', p2p: direct });
		const dir = await readDir(records, alice.identity.id);
		expect(mustRepublish(dir, undefined, 0)).toBe(false); // nothing published yet
		expect(mustRepublish(dir, direct, dir.state)).toBe(false); // not newer than my last write
		expect(mustRepublish(dir, { peer: PEER, addrs: [] }, 0)).toBe(true); // other addresses
		const profile = await records.read(soulFor('profile', alice.identity.id), 'card');
		expect(mustRepublish(profile!, direct, 0)).toBe(false);
	});
});

import { describe, expect, it } from 'vitest';
import { toHex } from '../core/bytes.ts';
import { NoProfileError } from '../core/errors.ts';
import { createIdentity } from '../core/identity.ts';
import { soulFor, type VerifiedRecord } from '../core/records.ts';
import { verifyPrekeyBundle } from '../core/x3dh.ts';
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

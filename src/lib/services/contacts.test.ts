import { describe, expect, it } from 'vitest';
import { toBase64url, utf8 } from '../core/bytes.ts';
import {
	DecryptError,
	InvalidIdError,
	MalformedError,
	TrustLevelError,
	UnknownContactError,
	UnsupportedVersionError
} from '../core/errors.ts';
import { createIdentity, safetyNumber } from '../core/identity.ts';
import { deriveAtRestKey } from './at-rest.ts';
import {
	createContactBook,
	decodeContacts,
	encodeContacts,
	memoryContactStorage,
	slotContactStorage,
	type Contact,
	type ContactStorage
} from './contacts.ts';
import { memorySlot } from './slot.ts';

const me = createIdentity();
const alice = createIdentity();
const bob = createIdentity();

async function behaves(storage: ContactStorage) {
	const book = createContactBook({ me: me.id, storage, now: () => 1000 });
	await book.load();
	const changes: [string, boolean][] = [];
	book.onChange((c, removed) => changes.push([c.id, removed]));
	const added = await book.add(alice.id, { name: 'Alice', relays: ['wss://r.example/'] });
	expect(added).toEqual({
		id: alice.id,
		name: 'Alice',
		verified: false,
		trust: 0,
		addedAt: 1000,
		origin: 'me',
		relays: ['https://r.example']
	});
	// Adding again fills in what is new and changes nothing else.
	const key = toBase64url(alice.agreement.publicKey);
	expect(await book.add(alice.id, { agreementKey: key, origin: 'them' })).toMatchObject({
		origin: 'me',
		agreementKey: key
	});
	expect(await book.add(alice.id, {})).toMatchObject({ agreementKey: key });
	await book.add(bob.id, { origin: 'them' });
	expect(book.list().map((c) => c.id)).toEqual([alice.id, bob.id]);

	await book.setTrust(bob.id, -100);
	expect(book.isBlocked(bob.id)).toBe(true);
	await expect(book.setTrust(bob.id, 101)).rejects.toBeInstanceOf(TrustLevelError);

	expect(await book.confirmSafetyNumber(alice.id, '12345')).toBe(false);
	expect(book.get(alice.id)!.verified).toBe(false);
	expect(await book.confirmSafetyNumber(alice.id, safetyNumber(alice.id, me.id).replace(/ /g, ''))).toBe(true);
	expect(book.get(alice.id)!.verified).toBe(true);
	await book.setVerified(alice.id, false);
	expect(book.get(alice.id)!.verified).toBe(false);

	await expect(book.update(createIdentity().id, { name: 'x' })).rejects.toBeInstanceOf(UnknownContactError);
	await expect(book.add(me.id)).rejects.toBeInstanceOf(RangeError);
	await expect(book.add('did:key:zBad' as never)).rejects.toBeInstanceOf(InvalidIdError);
	await expect(book.add(createIdentity().id, { name: ' padded' })).rejects.toBeInstanceOf(MalformedError);
	await expect(book.add(createIdentity().id, { agreementKey: toBase64url(new Uint8Array(32)) })).rejects.toBeInstanceOf(
		MalformedError
	);

	// A second book over the same storage sees the same list.
	const again = createContactBook({ me: me.id, storage });
	await again.load();
	expect(again.list()).toEqual(book.list());
	await book.remove(bob.id);
	expect(book.get(bob.id)).toBeUndefined();
	expect(changes.at(-1)).toEqual([bob.id, true]);
	expect((await storage.load()).map((c) => c.id)).toEqual([alice.id]);
}

describe('contact book', () => {
	it('memory storage', () => behaves(memoryContactStorage()));
	it('sealed slot storage', () => behaves(slotContactStorage(memorySlot(), deriveAtRestKey(me, 'contacts'))));

	it('keeps the sealed list unreadable without the identity', async () => {
		const slot = memorySlot();
		const storage = slotContactStorage(slot, deriveAtRestKey(me, 'contacts'));
		const book = createContactBook({ me: me.id, storage });
		await book.load();
		await book.add(alice.id, { name: 'Alice' });
		expect(Buffer.from(slot.value!).toString('latin1')).not.toContain(alice.id);
		const stranger = slotContactStorage(slot, deriveAtRestKey(createIdentity(), 'contacts'));
		await expect(stranger.load()).rejects.toBeInstanceOf(DecryptError);
	});

	it('checks every contact of an encoded list', () => {
		const good: Contact = { id: alice.id, verified: true, trust: 25, addedAt: 1, origin: 'me' };
		expect(decodeContacts(encodeContacts([good]))).toEqual([good]);
		const enc = (o: unknown) => utf8(JSON.stringify(o));
		expect(() => decodeContacts(enc({ v: 9, contacts: [] }))).toThrow(UnsupportedVersionError);
		expect(() => decodeContacts(enc({ v: 1, contacts: [{ ...good, trust: 1.5 }] }))).toThrow(TrustLevelError);
		expect(() => decodeContacts(enc({ v: 1, contacts: [{ ...good, origin: 'x' }] }))).toThrow(MalformedError);
		expect(() => decodeContacts(enc({ v: 1, contacts: [{ ...good, name: 'a\u202eb' }] }))).toThrow(MalformedError);
		expect(() => decodeContacts(enc({ v: 1, contacts: [{ ...good, id: 'x' }] }))).toThrow(InvalidIdError);
		expect(() => decodeContacts(utf8('['))).toThrow(MalformedError);
	});
});

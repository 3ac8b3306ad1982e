/**
 * The contact list (docs/messaging.md §Contacts): who I talk to, what I call them, whether I
 * checked their safety number, and my trust level for them (docs/records.md §10; −100 blocks).
 *
 * A contact is added by me (by id, invite link or QR code) or by them, when their first message
 * arrives; such contacts start at trust 0 ("Unknown") and unverified. The list is private: a
 * persistent adapter seals it (it is the social graph that mailbox rotation hides from relays).
 */
import { fromBase64url, fromUtf8, utf8 } from '../core/bytes.ts';
import { MalformedError, TooLargeError, UnknownContactError, UnsupportedVersionError } from '../core/errors.ts';
import { isMiaouId, safetyNumber, signingKeyFromId, type MiaouId } from '../core/identity.ts';
import { systemClock, type Clock, type RandomBytes } from '../core/random.ts';
import { assertTrustLevel, TrustLevel } from '../core/trust.ts';
import { isSmallOrderX25519 } from '../core/x25519.ts';
import { openAtRest, sealAtRest } from './at-rest.ts';
import { checkDisplayName, checkRelayHint, MAX_INVITE_RELAYS } from './invite.ts';
import type { StorageCallOptions } from './sessions.ts';
import type { ByteSlot } from './slot.ts';

/** Most contacts a list holds. */
export const MAX_CONTACTS = 10_000;
/** Version of {@link encodeContacts}. */
export const CONTACTS_VERSION = 1;
/** Largest encoded contact list read, checked before parsing. */
export const MAX_CONTACTS_BYTES = 16 * 1024 * 1024;

/** One contact. */
export interface Contact {
	id: MiaouId;
	/** The name they publish (or the invite gave), shown as text. */
	name?: string;
	/** Their X25519 identity key, base64url, once known from their verified profile or first message. */
	agreementKey?: string;
	/** True once I compared our safety number with them (in person, on a call…). */
	verified: boolean;
	/** My trust level for them, −100 … 100; −100 hides everything from them. */
	trust: number;
	addedAt: number;
	/** `me`: I added them; `them`: their message arrived first. */
	origin: 'me' | 'them';
	/** Relay hints from an invite or their directory entry. */
	relays?: string[];
}

/** Fields that can be set when adding or updating a contact. */
export interface ContactFields {
	name?: string;
	agreementKey?: string;
	relays?: string[];
	origin?: 'me' | 'them';
}

/** Where the contact list is kept. */
export interface ContactStorage {
	load(opts?: StorageCallOptions): Promise<Contact[]>;
	/** Insert or replace a contact (by id). */
	save(contact: Contact, opts?: StorageCallOptions): Promise<void>;
	/** Delete a contact; an unknown id is not an error. */
	remove(id: MiaouId, opts?: StorageCallOptions): Promise<void>;
}

/**
 * Contacts in memory.
 * @returns the storage
 */
export function memoryContactStorage(): ContactStorage {
	const held = new Map<MiaouId, Contact>();
	return {
		async load() {
			return [...held.values()].map((c) => structuredClone(c));
		},
		async save(contact) {
			held.set(contact.id, structuredClone(contact));
		},
		async remove(id) {
			held.delete(id);
		}
	};
}

/**
 * Encode a contact list as versioned JSON (UTF-8).
 * @param contacts - the list
 * @returns the bytes
 */
export function encodeContacts(contacts: readonly Contact[]): Uint8Array {
	return utf8(JSON.stringify({ v: CONTACTS_VERSION, contacts }));
}

function checkAgreementKey(value: unknown): string {
	if (typeof value !== 'string' || value.length !== 43) throw new MalformedError('Agreement key', 'not 32 bytes');
	const bytes = fromBase64url(value);
	if (bytes.length !== 32 || isSmallOrderX25519(bytes))
		throw new MalformedError('Agreement key', 'not a usable X25519 key');
	return value;
}

/**
 * Check one contact from storage or a caller; returns a clean copy.
 * @throws {MalformedError | InvalidIdError | TrustLevelError} on a bad field
 */
function checkContact(value: unknown): Contact {
	if (typeof value !== 'object' || value === null) throw new MalformedError('Contact', 'not an object');
	const c = value as Record<string, unknown>;
	signingKeyFromId(c.id as string);
	if (typeof c.verified !== 'boolean') throw new MalformedError('Contact', 'verified is not a boolean');
	if (typeof c.addedAt !== 'number' || !Number.isSafeInteger(c.addedAt) || c.addedAt < 0)
		throw new MalformedError('Contact', 'bad time');
	if (c.origin !== 'me' && c.origin !== 'them') throw new MalformedError('Contact', 'bad origin');
	const out: Contact = {
		id: c.id as MiaouId,
		verified: c.verified,
		trust: assertTrustLevel(c.trust),
		addedAt: c.addedAt,
		origin: c.origin
	};
	if (c.name !== undefined) out.name = checkDisplayName(c.name);
	if (c.agreementKey !== undefined) out.agreementKey = checkAgreementKey(c.agreementKey);
	if (c.relays !== undefined) {
		if (!Array.isArray(c.relays) || c.relays.length > MAX_INVITE_RELAYS)
			throw new MalformedError('Contact', 'bad relay list');
		out.relays = c.relays.map((r) => checkRelayHint(r));
	}
	return out;
}

/**
 * Decode {@link encodeContacts}'s output, size-checked first; every contact is checked.
 * @param bytes - the encoded list
 * @returns the contacts
 * @throws {TooLargeError} over {@link MAX_CONTACTS_BYTES}
 * @throws {UnsupportedVersionError} on another version
 * @throws {MalformedError | InvalidIdError | TrustLevelError} on a bad list or contact
 */
export function decodeContacts(bytes: Uint8Array): Contact[] {
	if (bytes.length > MAX_CONTACTS_BYTES) throw new TooLargeError('Contact list', bytes.length, MAX_CONTACTS_BYTES);
	let raw: unknown;
	try {
		raw = JSON.parse(fromUtf8(bytes));
	} catch {
		throw new MalformedError('Contact list', 'not JSON');
	}
	const o = raw as { v?: unknown; contacts?: unknown };
	if (typeof raw !== 'object' || raw === null) throw new MalformedError('Contact list', 'not an object');
	if (o.v !== CONTACTS_VERSION) throw new UnsupportedVersionError('Contact list', String(o.v));
	if (!Array.isArray(o.contacts) || o.contacts.length > MAX_CONTACTS)
		throw new MalformedError('Contact list', 'bad list');
	return o.contacts.map(checkContact);
}

/**
 * The contact list sealed into a byte slot (a file, an IndexedDB key); the whole list is
 * rewritten on each change, which suits lists of a few thousand contacts.
 * @param slot - where the sealed list goes
 * @param key - `deriveAtRestKey(identity, 'contacts')`
 * @param random - nonce source
 * @returns the storage
 */
export function slotContactStorage(slot: ByteSlot, key: Uint8Array, random?: RandomBytes): ContactStorage {
	let held: Map<MiaouId, Contact> | undefined;
	const context = 'contacts';
	const ready = async (o?: StorageCallOptions): Promise<Map<MiaouId, Contact>> => {
		if (held) return held;
		const sealed = await slot.read(o);
		const list = sealed ? decodeContacts(openAtRest(key, sealed, context)) : [];
		held ??= new Map(list.map((c) => [c.id, c]));
		return held;
	};
	const flush = (map: Map<MiaouId, Contact>, o?: StorageCallOptions) =>
		slot.write(sealAtRest(key, encodeContacts([...map.values()]), context, random), o);
	return {
		async load(o) {
			return [...(await ready(o)).values()].map((c) => structuredClone(c));
		},
		async save(contact, o) {
			const map = await ready(o);
			map.set(contact.id, structuredClone(contact));
			await flush(map, o);
		},
		async remove(id, o) {
			const map = await ready(o);
			if (map.delete(id)) await flush(map, o);
		}
	};
}

/** The contact list in use. */
export interface ContactBook {
	/** Load the stored list (call once before use). */
	load(opts?: StorageCallOptions): Promise<void>;
	/** All contacts: named ones by name, then the others; ties by id. */
	list(): Contact[];
	/** One contact, or undefined. */
	get(id: MiaouId): Contact | undefined;
	/**
	 * Add a contact, or fill in what is new about a known one (a name, a key, relays).
	 * @param id - the contact's id
	 * @param fields - what is known so far
	 * @returns the contact
	 * @throws {InvalidIdError} when `id` is not a Miaou id
	 * @throws {RangeError} when it is my own id or the list is full
	 * @throws {MalformedError} on a bad name, key or relay
	 */
	add(id: MiaouId, fields?: ContactFields): Promise<Contact>;
	/**
	 * Change what is known about a contact.
	 * @throws {UnknownContactError} when the id is not in the list
	 */
	update(id: MiaouId, fields: ContactFields): Promise<Contact>;
	/**
	 * Set my trust level for a contact (−100 blocks them).
	 * @throws {UnknownContactError | TrustLevelError}
	 */
	setTrust(id: MiaouId, level: number): Promise<Contact>;
	/**
	 * Mark a contact verified if `digits` is our safety number (spaces ignored).
	 * @returns true when it matched (the contact is then verified)
	 * @throws {UnknownContactError} when the id is not in the list
	 */
	confirmSafetyNumber(id: MiaouId, digits: string): Promise<boolean>;
	/**
	 * Mark a contact verified after the user compared the safety number on screen, or clear it.
	 * @throws {UnknownContactError} when the id is not in the list
	 */
	setVerified(id: MiaouId, verified: boolean): Promise<Contact>;
	/** Forget a contact. */
	remove(id: MiaouId): Promise<void>;
	/** True when I set the contact's trust to −100. */
	isBlocked(id: MiaouId): boolean;
	/**
	 * Be told of every change (`removed` for a deletion).
	 * @returns a function that stops it
	 */
	onChange(listener: (contact: Contact, removed: boolean) => void): () => void;
}

/**
 * Create a contact book.
 * @param opts - my own id (never a contact), storage, clock
 * @returns the book; call `load()` first
 */
export function createContactBook(opts: { me: MiaouId; storage: ContactStorage; now?: Clock }): ContactBook {
	const now = opts.now ?? systemClock;
	const contacts = new Map<MiaouId, Contact>();
	const listeners = new Set<(contact: Contact, removed: boolean) => void>();
	let loaded: Promise<void> | undefined;

	const emit = (contact: Contact, removed: boolean): void => {
		for (const listener of [...listeners]) {
			try {
				listener(structuredClone(contact), removed);
			} catch {
				// A listener's failure must not stop the others.
			}
		}
	};
	const store = async (contact: Contact): Promise<Contact> => {
		const clean = checkContact(contact);
		await opts.storage.save(clean);
		contacts.set(clean.id, clean);
		emit(clean, false);
		return structuredClone(clean);
	};
	const existing = (id: MiaouId): Contact => {
		const c = contacts.get(id);
		if (!c) throw new UnknownContactError(id);
		return c;
	};
	const merge = (c: Contact, fields: ContactFields): Contact => ({
		...c,
		...(fields.name !== undefined ? { name: fields.name } : {}),
		...(fields.agreementKey !== undefined ? { agreementKey: fields.agreementKey } : {}),
		...(fields.relays !== undefined ? { relays: [...fields.relays] } : {})
	});

	return {
		load(o) {
			loaded ??= (async () => {
				for (const c of await opts.storage.load(o)) contacts.set(c.id, checkContact(c));
			})().catch((error: unknown) => {
				loaded = undefined;
				throw error;
			});
			return loaded;
		},
		list: () =>
			[...contacts.values()]
				// Named contacts first, by name; then the rest; ties by id, so the order is stable.
				.sort(
					(a, b) =>
						Number(a.name === undefined) - Number(b.name === undefined) ||
						(a.name ?? '').localeCompare(b.name ?? '') ||
						(a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
				)
				.map((c) => structuredClone(c)),
		get: (id) => {
			const c = contacts.get(id);
			return c && structuredClone(c);
		},
		async add(id, fields = {}) {
			if (!isMiaouId(id)) signingKeyFromId(id);
			if (id === opts.me) throw new RangeError('you cannot add yourself as a contact');
			const known = contacts.get(id);
			if (known) {
				const merged = merge(known, fields);
				return JSON.stringify(merged) === JSON.stringify(known) ? structuredClone(known) : store(merged);
			}
			if (contacts.size >= MAX_CONTACTS) throw new RangeError(`a contact list holds at most ${MAX_CONTACTS} contacts`);
			return store(
				merge({ id, verified: false, trust: TrustLevel.Unknown, addedAt: now(), origin: fields.origin ?? 'me' }, fields)
			);
		},
		async update(id, fields) {
			return store(merge(existing(id), fields));
		},
		async setTrust(id, level) {
			return store({ ...existing(id), trust: assertTrustLevel(level) });
		},
		async confirmSafetyNumber(id, digits) {
			const c = existing(id);
			const expected = safetyNumber(opts.me, id).replace(/\s+/g, '');
			if (typeof digits !== 'string' || digits.replace(/\s+/g, '') !== expected) return false;
			await store({ ...c, verified: true });
			return true;
		},
		async setVerified(id, verified) {
			return store({ ...existing(id), verified });
		},
		async remove(id) {
			const c = contacts.get(id);
			if (!c) return;
			await opts.storage.remove(id);
			contacts.delete(id);
			emit(c, true);
		},
		isBlocked: (id) => contacts.get(id)?.trust === TrustLevel.Blocked,
		onChange(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		}
	};
}

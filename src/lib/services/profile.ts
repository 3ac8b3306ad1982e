/**
 * Profiles (docs/messaging.md §Profiles): publishing mine — the `profile` record with my name,
 * agreement key and prekeys, the `dir` entry saying where I can be reached, and the `name` index
 * entry that lets people find me — and fetching a contact's, turned into a verified X3DH prekey
 * bundle (X3DH spec §3.2–3.3).
 *
 * Everything read comes from a RecordStore, which returns only records that passed the core
 * verifier (records.ts `verifyRecord`: signature by the id in the soul, agreement-key and
 * signed-prekey signatures for a profile). The bundle is checked once more with
 * `verifyPrekeyBundle` before use, since the session is only as good as that check.
 */
import { fromBase64url } from '../core/bytes.ts';
import { tweetnaclEd25519, type Ed25519 } from '../core/ed25519.ts';
import { BadSignatureError, NoProfileError } from '../core/errors.ts';
import { signingKeyFromId, type MiaouId } from '../core/identity.ts';
import { randomBytes as defaultRandom, systemClock, type Clock, type RandomBytes } from '../core/random.ts';
import {
	DIRECTORY_KEY,
	normalizeName,
	PROFILE_KEY,
	prekeyBundleOf,
	profileBodyFrom,
	signRecord,
	soulFor,
	type DirectoryBody,
	type DirectoryP2p,
	type VerifiedRecord
} from '../core/records.ts';
import { verifyPrekeyBundle, type IdentityKeys, type PrekeyBundle } from '../core/x3dh.ts';
import { mergeDirectoryBody } from '../net/p2p-merge.ts';
import type { CallOptions, RecordStore } from '../net/record-store.ts';
import type { PrekeyKeeper } from './prekeys.ts';

/** Capabilities a Miaou client of this version announces in its `dir` entry. */
export const CLIENT_CAPABILITIES: readonly string[] = ['msg:1', 'receipts:1'];

/** What I publish about myself. */
export interface MyProfile {
	/** Display name (docs/records.md §5.1). */
	name: string;
	about?: string;
	/** Relays where I can be reached (http(s)/ws(s) URLs), for my `dir` entry. */
	relays?: string[];
	/** Capabilities for my `dir` entry (default {@link CLIENT_CAPABILITIES}). */
	capabilities?: string[];
	/**
	 * The direct-connection part of my `dir` entry (docs/net.md §Direct peers). Its writer is the
	 * direct node (net/p2p.ts): left undefined, publishing carries over the part my entry holds now
	 * (the merge rule of net/p2p-merge.ts), so a profile update never hides my direct addresses;
	 * `null` publishes the entry without it.
	 */
	p2p?: DirectoryP2p | null;
}

/** A contact's verified profile. */
export interface ContactProfile {
	id: MiaouId;
	name: string;
	about?: string;
	/** The X25519 identity key, signed by the id (checked by the record verifier). */
	agreementKey: Uint8Array;
	/** One-time prekeys the profile lists now. */
	oneTimePrekeys: number;
	/** The record's Gun state (ms): when it was published. */
	publishedAt: number;
}

/** A contact's verified `dir` entry. */
export interface DirectoryInfo {
	relays: string[];
	capabilities: string[];
	lastSeen: number;
}

/** Publish my profile, fetch others'. */
export interface ProfileService {
	/**
	 * Publish my profile, my directory entry and my name-index entry, with my current prekeys.
	 * The directory entry keeps the direct-connection part it holds unless `profile.p2p` says
	 * otherwise (net/p2p-merge.ts).
	 * @param profile - name, about text, relays, capabilities, direct part
	 * @throws {MalformedError} on a name, text or relay URL the record rules refuse
	 * @throws what `RecordStore.publish` throws (RelayRefusedError, RelayTimeoutError, NoRelayError, AbortError)
	 */
	publish(profile: MyProfile, opts?: CallOptions): Promise<void>;
	/**
	 * Publish my profile again if my prekeys changed (a one-time prekey used, a rotation),
	 * keeping the last published name and text.
	 * @returns whether it published
	 * @throws as {@link ProfileService.publish}
	 */
	refresh(opts?: CallOptions): Promise<boolean>;
	/**
	 * A contact's verified profile.
	 * @param id - the contact's id
	 * @returns the profile, or undefined when none verifies
	 * @throws {InvalidIdError} when `id` is not a Miaou id
	 */
	fetch(id: MiaouId, opts?: CallOptions): Promise<ContactProfile | undefined>;
	/**
	 * A verified prekey bundle for a first contact, with one of the listed one-time prekeys
	 * picked at random (so that two senders rarely pick the same one).
	 * @param id - the contact's id
	 * @returns the bundle and the profile it came from
	 * @throws {NoProfileError} when no profile verifies
	 * @throws {BadSignatureError} when the bundle's signatures do not verify
	 */
	bundle(id: MiaouId, opts?: CallOptions): Promise<{ bundle: PrekeyBundle; profile: ContactProfile }>;
	/**
	 * A contact's directory entry.
	 * @returns the entry, or undefined when none verifies
	 */
	directory(id: MiaouId, opts?: CallOptions): Promise<DirectoryInfo | undefined>;
	/**
	 * Ids filed under a display name (name normalization, docs/records.md §6). Anyone can file
	 * themselves under any name: rank the answers by trust before showing them.
	 * @param name - the name searched for
	 * @returns the ids and the exact names they published, newest first
	 * @throws {MalformedError} when nothing is left of the name after normalization
	 */
	search(name: string, opts?: CallOptions): Promise<{ id: MiaouId; name: string }[]>;
}

function profileOf(record: VerifiedRecord<'profile'>): ContactProfile {
	const { body } = record;
	return {
		id: record.author as MiaouId,
		name: body.name,
		...(body.about !== undefined ? { about: body.about } : {}),
		agreementKey: fromBase64url(body.agreementKey),
		oneTimePrekeys: body.oneTimePrekeys.length,
		publishedAt: record.state
	};
}

/**
 * Create the profile service.
 * @param opts - my identity, the record store, my prekey keeper (opened), clock, randomness, Ed25519
 * @returns the service
 */
export function createProfileService(opts: {
	identity: IdentityKeys & { id: MiaouId };
	records: RecordStore;
	prekeys: PrekeyKeeper;
	now?: Clock;
	random?: RandomBytes;
	ed25519?: Ed25519;
}): ProfileService {
	const { identity, records, prekeys } = opts;
	const now = opts.now ?? systemClock;
	const random = opts.random ?? defaultRandom;
	const ed25519 = opts.ed25519 ?? tweetnaclEd25519;
	let last: MyProfile | undefined;
	let lastState = 0;

	// Gun keeps the version with the highest state (HAM): each of my writes must outrank the last.
	const stamp = async (soul: string, key: string, o: CallOptions): Promise<number> => {
		const held = await records.read(soul, key, o);
		lastState = Math.max(now(), lastState + 1, (held?.state ?? 0) + 1);
		return lastState;
	};

	const readProfile = async (id: MiaouId, o: CallOptions): Promise<VerifiedRecord<'profile'> | undefined> => {
		signingKeyFromId(id);
		const record = await records.read(soulFor('profile', id), PROFILE_KEY, o);
		if (record?.kind !== 'profile' || record.author !== id) return undefined;
		return record as VerifiedRecord<'profile'>;
	};

	const publishProfile = async (profile: MyProfile, o: CallOptions): Promise<void> => {
		await prekeys.open(o);
		const { signedPrekey, oneTimePrekeys } = prekeys.published();
		const body = profileBodyFrom({
			name: profile.name,
			identity,
			signedPrekey,
			oneTimePrekeys,
			...(profile.about !== undefined ? { about: profile.about } : {})
		});
		const soul = soulFor('profile', identity.id);
		const state = await stamp(soul, PROFILE_KEY, o);
		const record = await signRecord('profile', {
			author: identity.id,
			key: PROFILE_KEY,
			body,
			state,
			signer: identity.signing,
			ed25519
		});
		await records.publish(record, o);
		prekeys.markPublished();
	};

	return {
		async publish(profile, o = {}) {
			await publishProfile(profile, o);
			last = { ...profile };
			// My entry as held now: its direct part (the direct node's) is carried over unless the
			// caller says otherwise, and its state is the one to outrank.
			const dirSoul = soulFor('dir', identity.id);
			const held = await records.read(dirSoul, DIRECTORY_KEY, o);
			const heldBody = held?.kind === 'dir' && held.author === identity.id ? (held.body as DirectoryBody) : undefined;
			lastState = Math.max(now(), lastState + 1, (held?.state ?? 0) + 1);
			const dirState = lastState;
			const p2p = profile.p2p === null ? undefined : (profile.p2p ?? heldBody?.p2p);
			const dir = await signRecord('dir', {
				author: identity.id,
				key: DIRECTORY_KEY,
				body: mergeDirectoryBody({
					relays: profile.relays ?? [],
					capabilities: profile.capabilities ?? [...CLIENT_CAPABILITIES],
					p2p,
					lastSeen: dirState
				}),
				state: dirState,
				signer: identity.signing,
				ed25519
			});
			await records.publish(dir, o);
			const normalized = normalizeName(profile.name);
			const nameState = await stamp(soulFor('name', normalized), identity.id, o);
			const entry = await signRecord('name', {
				author: normalized,
				key: identity.id,
				body: { id: identity.id, name: profile.name },
				state: nameState,
				signer: identity.signing,
				ed25519
			});
			await records.publish(entry, o);
		},
		async refresh(o = {}) {
			await prekeys.open(o); // loads once, then rotates and tops up what is due
			if (!prekeys.stale) return false;
			if (!last) {
				// Published by an earlier run: keep what the network holds.
				const mine = await readProfile(identity.id, o);
				if (!mine) return false;
				last = {
					name: mine.body.name,
					...(mine.body.about !== undefined ? { about: mine.body.about } : {})
				};
			}
			await publishProfile(last, o);
			return true;
		},
		async fetch(id, o = {}) {
			const record = await readProfile(id, o);
			return record && profileOf(record);
		},
		async bundle(id, o = {}) {
			const record = await readProfile(id, o);
			if (!record) throw new NoProfileError(id);
			const listed = record.body.oneTimePrekeys;
			let pick: number | undefined;
			if (listed.length > 0) {
				const r = random(4);
				const index = (((r[0]! << 24) | (r[1]! << 16) | (r[2]! << 8) | r[3]!) >>> 0) % listed.length;
				pick = listed[index]!.id;
			}
			const bundle = prekeyBundleOf(record, pick);
			if (!(await verifyPrekeyBundle(bundle, ed25519))) throw new BadSignatureError(`the prekeys of ${id}`);
			return { bundle, profile: profileOf(record) };
		},
		async directory(id, o = {}) {
			signingKeyFromId(id);
			const record = await records.read(soulFor('dir', id), DIRECTORY_KEY, o);
			if (record?.kind !== 'dir' || record.author !== id) return undefined;
			const { relays, capabilities, lastSeen } = (record as VerifiedRecord<'dir'>).body;
			return { relays: [...relays], capabilities: [...capabilities], lastSeen };
		},
		async search(name, o = {}) {
			const found = await records.readAll(soulFor('name', normalizeName(name)), o);
			return found
				.filter((r): r is VerifiedRecord<'name'> => r.kind === 'name')
				.sort((a, b) => b.state - a.state)
				.map((r) => ({ id: r.body.id, name: r.body.name }));
		}
	};
}

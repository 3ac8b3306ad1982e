/**
 * Contacts, invites, the directory and trust scores for the screens, over the running
 * {@link MessagingState}: adding someone from an invite link, a `miaou:` code or a bare id
 * (services/invite.ts), searching published names (services/profile.ts `search`), and each
 * contact's web-of-trust score with the paths behind it (core/trust.ts `computeTrust`, docs/records.md
 * §Trust scoring). Scores use every path of up to three statements, like the CLI's `trust score`:
 * my own levels, the statements of the contacts I trust and of the people they trust, read with
 * the bounds of services/trust-graph.ts.
 */
import { shortFingerprint, type MiaouId } from '../core/identity.ts';
import { soulFor, trustStatementOf, type VerifiedRecord } from '../core/records.ts';
import type { TrustScore, TrustStatement } from '../core/trust.ts';
import type { RecordStore } from '../net/record-store.ts';
import type { Contact } from '../services/contacts.ts';
import { encodeInvite, parseInvite, type Invite } from '../services/invite.ts';
import { gatherTrustGraph, scoreTrustGraph } from '../services/trust-graph.ts';
import { messaging, type MessagingState } from './messenger.svelte.ts';

/** Most directory results shown. */
export const MAX_DIRECTORY_RESULTS = 50;

/** A directory result: an id filed under the searched name, with what I know of them. */
export interface DirectoryResult {
	id: MiaouId;
	/** The name they filed themselves under. */
	name: string;
	/** Set when they are already a contact. */
	contact?: Contact;
}

/**
 * The name to show for someone: the contact's name, else their short fingerprint.
 * @param contact - the contact, if known
 * @param id - their id
 * @param unnamed - the word for "no name" (when the id is not a Miaou id either)
 * @returns the text to show (always rendered as text)
 */
export function contactName(contact: Contact | undefined, id: string, unnamed: string): string {
	if (contact?.name) return contact.name;
	try {
		return shortFingerprint(id as MiaouId);
	} catch {
		return unnamed;
	}
}

/**
 * Read the verified trust statements one issuer published.
 * @param records - the record store
 * @param issuer - their id
 * @returns their statements (the latest per target); none when the read fails
 */
export async function publishedStatements(records: RecordStore, issuer: string): Promise<TrustStatement[]> {
	try {
		const found = await records.readAll(soulFor('trust', issuer));
		return found.filter((r) => r.kind === 'trust').map((r) => trustStatementOf(r as VerifiedRecord<'trust'>));
	} catch {
		return []; // One unreadable issuer must not sink every score.
	}
}

/**
 * My own statements, from the local contact list: it is what this device acts on (a block hides
 * messages), even before a relay acknowledged the published statement.
 * @param me - my id
 * @param contacts - my contacts (their `trust` is my direct statement)
 * @param now - the time given to my own (local) statements
 * @returns one statement per contact I rated (level ≠ 0)
 */
export function myStatements(me: MiaouId, contacts: readonly Contact[], now: number): TrustStatement[] {
	return contacts.filter((c) => c.trust !== 0).map((c) => ({ issuer: me, target: c.id, level: c.trust, time: now }));
}

/**
 * Score every contact, and everyone the trust graph reaches, from my point of view.
 * @param me - my id
 * @param contacts - my contacts (their `trust` is my direct statement)
 * @param others - statements others published (any claiming to be mine are ignored)
 * @param now - the time given to my own (local) statements
 * @returns the scores (targets are Miaou ids), contacts first, then the others, each with its paths
 */
export function scoreAll(
	me: MiaouId,
	contacts: readonly Contact[],
	others: readonly TrustStatement[],
	now: number
): TrustScore[] {
	const statements = [...myStatements(me, contacts, now), ...others.filter((s) => s.issuer !== me)];
	return scoreTrustGraph(
		me,
		contacts.map((c) => c.id),
		statements
	);
}

/** Contacts, invites, directory and trust, reactive. */
export class ContactsState {
	#messaging: MessagingState;
	#scores = $state.raw<readonly TrustScore[]>([]);
	#scoring = $state(false);
	#partial = $state(false);
	#scoringRun: AbortController | undefined;

	/**
	 * @param state - the messaging state it works over
	 */
	constructor(state: MessagingState) {
		this.#messaging = state;
	}

	/** The last computed scores (see {@link refreshScores}). */
	get scores(): readonly TrustScore[] {
		return this.#scores;
	}
	/** True while scores are computed. */
	get scoring(): boolean {
		return this.#scoring;
	}
	/** True when a bound (issuers, statements, time) left part of the graph out of the last scores. */
	get partial(): boolean {
		return this.#partial;
	}

	/**
	 * My invite link (or `miaou:` code without a base).
	 * @param me - my id, name and relays
	 * @param base - the web app's origin, e.g. `location.origin`
	 * @returns the link
	 * @throws {MalformedError} when my name or a relay breaks the invite rules
	 */
	inviteLink(me: Invite, base?: string): string {
		return encodeInvite(me, base === undefined ? {} : { base });
	}

	/**
	 * Read an invite link, a `miaou:` code or a bare id.
	 * @param text - as pasted or opened
	 * @returns the invite
	 * @throws {InvalidInviteError} naming what is wrong
	 */
	parse(text: string): Invite {
		return parseInvite(text);
	}

	/**
	 * Add the person an invite names (its name and relays fill the contact).
	 * @param text - an invite link, a `miaou:` code or a bare id
	 * @returns the contact
	 * @throws {InvalidInviteError} for a bad invite
	 * @throws {RangeError} for my own id or when messaging is not running
	 */
	async addFromInvite(text: string): Promise<Contact> {
		const invite = parseInvite(text);
		if (invite.id === this.#messaging.me) throw new RangeError('this invite is your own');
		return this.#messaging.addContact(invite.id, {
			...(invite.name !== undefined ? { name: invite.name } : {}),
			...(invite.relays.length ? { relays: invite.relays } : {})
		});
	}

	/**
	 * Search the directory of published names.
	 * @param name - the name searched for
	 * @returns matching ids, newest first, at most {@link MAX_DIRECTORY_RESULTS}, without me
	 * @throws {RangeError} when messaging is not running
	 * @throws {MalformedError} when nothing is left of the name after normalization
	 */
	async search(name: string): Promise<DirectoryResult[]> {
		const profiles = this.#messaging.profiles;
		if (!profiles) throw new RangeError('messaging is not running: unlock first');
		const found = await profiles.search(name);
		const me = this.#messaging.me;
		return found
			.filter((r) => r.id !== me)
			.slice(0, MAX_DIRECTORY_RESULTS)
			.map((r) => {
				const contact = this.#messaging.contact(r.id);
				return { id: r.id, name: r.name, ...(contact ? { contact } : {}) };
			});
	}

	/**
	 * Compute every score again: walk the trust graph up to three statements from me (my contacts,
	 * then the people they trust), then score. A refresh started meanwhile replaces this one.
	 * @throws {RangeError} when messaging is not running
	 */
	async refreshScores(): Promise<void> {
		const records = this.#messaging.records;
		const me = this.#messaging.me;
		if (!records || !me) throw new RangeError('messaging is not running: unlock first');
		this.#scoringRun?.abort();
		const run = (this.#scoringRun = new AbortController());
		this.#scoring = true;
		try {
			const contacts = this.#messaging.contacts;
			let graph;
			try {
				graph = await gatherTrustGraph(records, me, myStatements(me, contacts, Date.now()), {
					signal: run.signal
				});
			} catch (err) {
				if (run.signal.aborted) return; // a newer refresh took over: its scores will show
				throw err;
			}
			if (run.signal.aborted) return;
			this.#scores = scoreAll(me, contacts, graph.statements, Date.now());
			this.#partial = graph.truncated || graph.timedOut;
		} finally {
			if (this.#scoringRun === run) {
				this.#scoring = false;
				this.#scoringRun = undefined;
			}
		}
	}
}

/** The app's contacts state. */
export const contactsState = new ContactsState(messaging);

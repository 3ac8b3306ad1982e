/**
 * The messaging state of the web app (docs/messaging.md), reactive: while an identity is
 * unlocked, my profile and prekeys are published, the messenger runs over the network's record
 * store and the relays' blob store, and everything it keeps — sessions, prekeys, history,
 * contacts — lives in IndexedDB sealed under keys derived from the identity (services/at-rest.ts).
 *
 *   stopped ──start(identity)──► starting ──► running ──stop()──► stopped
 *                                    └──(failed)──► failed ──start()──► starting
 *
 * Screens read `contacts`, `conversations` and `revision` (bumped on every change of the history,
 * so an open conversation reloads its latest page) and call the actions below. Everything the
 * state needs comes in through {@link MessagingDeps}: the browser's IndexedDB and relays in the
 * app, the in-memory record network and blob store in the tests.
 */
import type { Ed25519 } from '../core/ed25519.ts';
import type { AtRestPurpose } from '../services/at-rest.ts';
import { AbortError } from '../core/errors.ts';
import type { Identity, MiaouId } from '../core/identity.ts';
import type { Clock } from '../core/random.ts';
import type { BlobStore } from '../net/blob-store.ts';
import type { OutboxStorage } from '../net/outbox.ts';
import type { RecordStore } from '../net/record-store.ts';
import { systemTimers, type TimerHandle, type Timers } from '../net/timers.ts';
import {
	createContactBook,
	type Contact,
	type ContactBook,
	type ContactFields,
	type ContactStorage
} from '../services/contacts.ts';
import type { ChatMessage, ConversationSummary, HistoryStorage } from '../services/history.ts';
import { createMessenger, type DirectPath, type Messenger } from '../services/messaging.ts';
import { createPrekeyKeeper, type PrekeyStorage } from '../services/prekeys.ts';
import type { ProfileService } from '../services/profile.ts';
import type { SessionStorage } from '../services/sessions.ts';
import { session } from './session.svelte.ts';

/** Where the messaging state stands (see the diagram above). */
export type MessagingStatus = 'stopped' | 'starting' | 'running' | 'failed';

/** Delays between attempts to publish my profile while no relay acknowledges it (ms). */
export const PUBLISH_RETRY_MS: readonly number[] = [1_000, 2_000, 4_000, 8_000, 15_000, 30_000, 60_000];

/** The network parts the messenger runs over. */
export interface MessagingBackend {
	records: RecordStore;
	blobs: BlobStore;
	/** Relays where I can be reached, for my directory entry. */
	relays(): string[];
	/** Told of the running messenger (the network counts delivery outcomes). */
	attach?(messenger: Messenger): () => void;
	/** A direct path to contacts' browsers, beside the relays (docs/net.md §Direct peers). */
	direct?: DirectPath;
}

/** The storages of one identity. */
export interface MessagingStores {
	outbox: OutboxStorage;
	sessions: SessionStorage;
	history: HistoryStorage;
	prekeys: PrekeyStorage;
	contacts: ContactStorage;
	/** Close databases when the identity is locked. */
	close?(): void;
}

/** What {@link MessagingState} is made of; the app passes IndexedDB and the relays, tests memory. */
export interface MessagingDeps {
	/** Start (or reuse) the network. */
	connect(): Promise<MessagingBackend>;
	/** Open the storages of an identity (sealed at rest in the app). */
	stores(identity: Identity): MessagingStores | Promise<MessagingStores>;
	now?: Clock;
	timers?: Timers;
	ed25519?: Ed25519;
	/** Proof-of-work bits of my box entries (default: the messenger's). */
	powBits?: number;
}

interface Running {
	identity: Identity;
	messenger: Messenger;
	book: ContactBook;
	backend: MessagingBackend;
	stores: MessagingStores;
	cleanup: (() => void)[];
}

/** The messenger of the unlocked identity, reactive. */
export class MessagingState {
	#deps: MessagingDeps;
	#status = $state<MessagingStatus>('stopped');
	#error = $state.raw<unknown>(undefined);
	#contacts = $state.raw<readonly Contact[]>([]);
	#conversations = $state.raw<readonly ConversationSummary[]>([]);
	#revision = $state(0);
	#published = $state(false);
	#running: Running | undefined;
	#starting: Promise<void> | undefined;
	#generation = 0;
	#publishTimer: TimerHandle | undefined;

	/**
	 * @param deps - network, storages, clock, timers
	 */
	constructor(deps: MessagingDeps) {
		this.#deps = deps;
	}

	/** Where it stands. */
	get status(): MessagingStatus {
		return this.#status;
	}
	/** Why the last start failed (status 'failed'), or the last background failure. */
	get error(): unknown {
		return this.#error;
	}
	/** My contacts: named ones by name, then the others. */
	get contacts(): readonly Contact[] {
		return this.#contacts;
	}
	/** Every conversation with its latest message, latest first. */
	get conversations(): readonly ConversationSummary[] {
		return this.#conversations;
	}
	/** Bumped on every change of the history or the contacts. */
	get revision(): number {
		return this.#revision;
	}
	/** True once a relay acknowledged my profile (others can write to me). */
	get published(): boolean {
		return this.#published;
	}
	/** My id while running. */
	get me(): MiaouId | undefined {
		return this.#running?.identity.id;
	}
	/** The running messenger (for code that needs the services directly). */
	get messenger(): Messenger | undefined {
		return this.#running?.messenger;
	}
	/** The profile service while running. */
	get profiles(): ProfileService | undefined {
		return this.#running?.messenger.profiles;
	}
	/** The record store while running (trust statements). */
	get records(): RecordStore | undefined {
		return this.#running?.backend.records;
	}

	/**
	 * One contact by id (reactive through `contacts`).
	 * @param id - the contact's id
	 * @returns the contact, or undefined
	 */
	contact(id: string): Contact | undefined {
		return this.#contacts.find((c) => c.id === id);
	}

	/**
	 * Open the identity's storages, start the messenger and publish my profile with my prekeys
	 * (in the background, retried until a relay acknowledges it). Calling it again while starting
	 * or running for the same identity returns the same promise.
	 * @param identity - the unlocked identity
	 * @param name - my display name, published in my profile
	 * @throws {AbortError} when stop() is called before it finished
	 * @throws what the storages or the network throw while loading (status 'failed')
	 */
	start(identity: Identity, name: string): Promise<void> {
		if (this.#running?.identity.id === identity.id) return Promise.resolve();
		this.#starting ??= this.#open(identity, name).catch((error: unknown) => {
			this.#starting = undefined;
			if (!(error instanceof AbortError)) {
				this.#error = error;
				this.#status = 'failed';
			}
			throw error;
		});
		return this.#starting;
	}

	async #open(identity: Identity, name: string): Promise<void> {
		const generation = this.#generation;
		this.#status = 'starting';
		this.#error = undefined;
		const [backend, stores] = await Promise.all([this.#deps.connect(), this.#deps.stores(identity)]);
		const now = this.#deps.now;
		const prekeys = createPrekeyKeeper({ identity, storage: stores.prekeys, ...(now ? { now } : {}) });
		const book = createContactBook({ me: identity.id, storage: stores.contacts, ...(now ? { now } : {}) });
		const messenger = createMessenger({
			identity,
			records: backend.records,
			blobs: backend.blobs,
			outbox: stores.outbox,
			sessions: stores.sessions,
			history: stores.history,
			prekeys,
			contacts: book,
			onError: (error) => (this.#error = error),
			...(now ? { now } : {}),
			...(this.#deps.timers ? { timers: this.#deps.timers } : {}),
			...(this.#deps.ed25519 ? { ed25519: this.#deps.ed25519 } : {}),
			...(this.#deps.powBits !== undefined ? { powBits: this.#deps.powBits } : {}),
			...(backend.direct ? { direct: backend.direct } : {})
		});
		await prekeys.open();
		await book.load();
		if (generation !== this.#generation) {
			stores.close?.();
			throw new AbortError('Starting the messenger');
		}
		const running: Running = { identity, messenger, book, backend, stores, cleanup: [] };
		this.#running = running;
		const changed = (): void => void this.#refresh(running);
		running.cleanup.push(messenger.onMessage(changed), messenger.onStatus(changed), book.onChange(changed));
		if (backend.attach) running.cleanup.push(backend.attach(messenger));
		await messenger.start();
		if (generation !== this.#generation) throw new AbortError('Starting the messenger');
		await this.#refresh(running);
		this.#status = 'running';
		this.#starting = undefined;
		this.#publish(running, name, 0);
	}

	/** Publish my profile; a failure (no relay connected yet) is retried with growing delays. */
	#publish(running: Running, name: string, attempt: number): void {
		running.messenger.profiles
			.publish({ name, relays: running.backend.relays() })
			.then(() => {
				if (this.#running === running) this.#published = true;
			})
			.catch((error: unknown) => {
				if (this.#running !== running) return;
				this.#error = error;
				const delay = PUBLISH_RETRY_MS[Math.min(attempt, PUBLISH_RETRY_MS.length - 1)]!;
				const timers = this.#deps.timers ?? systemTimers;
				this.#publishTimer = timers.setTimeout(() => this.#publish(running, name, attempt + 1), delay);
			});
	}

	async #refresh(running: Running): Promise<void> {
		if (this.#running !== running) return;
		this.#contacts = running.book.list();
		const conversations = await running.stores.history.conversations();
		if (this.#running !== running) return;
		this.#conversations = conversations.filter((c) => !running.book.isBlocked(c.contact));
		this.#revision++;
	}

	/** Stop the messenger and close the storages (on lock). What is unsent stays in the outbox. */
	stop(): void {
		this.#generation++;
		const running = this.#running;
		this.#running = undefined;
		this.#starting = undefined;
		if (this.#publishTimer !== undefined) (this.#deps.timers ?? systemTimers).clearTimeout(this.#publishTimer);
		this.#publishTimer = undefined;
		this.#contacts = [];
		this.#conversations = [];
		this.#published = false;
		this.#status = 'stopped';
		if (!running) return;
		for (const fn of running.cleanup.splice(0)) fn();
		void running.messenger
			.stop()
			.catch(() => {})
			.finally(() => running.stores.close?.());
	}

	/**
	 * Run while `identity()` gives an identity, stop when it gives none (the app passes the
	 * session's). Browser only: effects do not run on a server.
	 * @param identity - a reactive read of the unlocked identity and my display name
	 * @returns a function that stops following (and stops the messenger)
	 */
	follow(identity: () => { identity: Identity; name: string } | undefined): () => void {
		const destroy = $effect.root(() => {
			$effect(() => {
				const current = identity();
				if (current) this.start(current.identity, current.name).catch(() => {});
				else this.stop();
			});
		});
		return () => {
			destroy();
			this.stop();
		};
	}

	#need(): Running {
		if (!this.#running) throw new RangeError('messaging is not running: unlock first');
		return this.#running;
	}

	/**
	 * Send a chat message.
	 * @param contact - the recipient
	 * @param text - the message
	 * @returns the message as stored (status `pending`)
	 * @throws {RangeError} when not running; otherwise what {@link Messenger.send} throws
	 */
	async send(contact: MiaouId, text: string): Promise<ChatMessage> {
		const running = this.#need();
		const message = await running.messenger.send(contact, text);
		await this.#refresh(running);
		return message;
	}

	/**
	 * Send a failed message again.
	 * @param contact - the conversation
	 * @param id - the message id
	 * @throws {RangeError} when not running; otherwise what {@link Messenger.retry} throws
	 */
	async retry(contact: MiaouId, id: string): Promise<void> {
		const running = this.#need();
		await running.messenger.retry(contact, id);
		await this.#refresh(running);
	}

	/**
	 * Mark a conversation read (sends a read receipt when something was unread).
	 * @param contact - the conversation
	 * @returns how many messages were marked
	 * @throws {RangeError} when not running; otherwise what {@link Messenger.markRead} throws
	 */
	async markRead(contact: MiaouId): Promise<number> {
		const running = this.#need();
		const marked = await running.messenger.markRead(contact);
		if (marked > 0) await this.#refresh(running);
		return marked;
	}

	/**
	 * A page of a conversation, oldest first (see HistoryStorage.list).
	 * @param contact - the conversation
	 * @param opts - `before` a sentAt, `limit`
	 * @returns the messages
	 * @throws {RangeError} when not running
	 */
	history(contact: MiaouId, opts: { before?: number; limit?: number } = {}): Promise<ChatMessage[]> {
		return this.#need().stores.history.list(contact, opts);
	}

	/**
	 * Add a contact (or fill in what is new), then complete it from their verified profile in the
	 * background (their published name and agreement key).
	 * @param id - their id
	 * @param fields - what an invite or a search result says
	 * @returns the contact
	 * @throws {RangeError} when not running, for my own id or a full list
	 * @throws {InvalidIdError | MalformedError} on a bad id, name or relay
	 */
	async addContact(id: MiaouId, fields: ContactFields = {}): Promise<Contact> {
		const running = this.#need();
		const contact = await running.book.add(id, { origin: 'me', ...fields });
		await this.#refresh(running);
		void this.#complete(running, id, fields.name === undefined);
		return contact;
	}

	async #complete(running: Running, id: MiaouId, takeName: boolean): Promise<void> {
		try {
			const profile = await running.messenger.profiles.fetch(id);
			if (!profile || this.#running !== running) return;
			const { toBase64url } = await import('../core/bytes.ts');
			await running.book.update(id, {
				agreementKey: toBase64url(profile.agreementKey),
				...(takeName ? { name: profile.name } : {})
			});
		} catch (error) {
			if (this.#running === running) this.#error = error;
		}
	}

	/**
	 * Set my trust level for a contact in the local list (−100 blocks: their messages are hidden).
	 * @param id - the contact
	 * @param level - −100 … 100
	 * @returns the contact
	 * @throws {RangeError} when not running; {@link UnknownContactError | TrustLevelError}
	 */
	async setTrust(id: MiaouId, level: number): Promise<Contact> {
		const running = this.#need();
		const contact = await running.book.setTrust(id, level);
		await this.#refresh(running);
		return contact;
	}

	/**
	 * Set my trust level for a contact and publish it as a signed `trust` record (docs/records.md
	 * §5.3), so that the people who trust me can score them. The local level applies at once; a
	 * failed publish throws after it (the level is kept here).
	 * @param id - the contact
	 * @param level - −100 … 100
	 * @returns the contact
	 * @throws {RangeError} when not running; {@link UnknownContactError | TrustLevelError}
	 * @throws what `RecordStore.publish` throws (NoRelayError, RelayRefusedError, RelayTimeoutError)
	 */
	async publishTrust(id: MiaouId, level: number): Promise<Contact> {
		const running = this.#need();
		const contact = await this.setTrust(id, level);
		const time = (this.#deps.now ?? Date.now)();
		const { signRecord } = await import('../core/records.ts');
		const record = await signRecord('trust', {
			author: running.identity.id,
			key: id,
			body: { level: contact.trust, time },
			state: time,
			signer: running.identity.signing,
			...(this.#deps.ed25519 ? { ed25519: this.#deps.ed25519 } : {})
		});
		await running.backend.records.publish(record);
		return contact;
	}

	/**
	 * Mark a contact verified (the safety numbers matched) or not.
	 * @param id - the contact
	 * @param verified - the new flag
	 * @returns the contact
	 * @throws {RangeError} when not running; {@link UnknownContactError}
	 */
	async setVerified(id: MiaouId, verified: boolean): Promise<Contact> {
		const running = this.#need();
		const contact = await running.book.setVerified(id, verified);
		await this.#refresh(running);
		return contact;
	}

	/**
	 * Forget a contact (the history stays).
	 * @param id - the contact
	 * @throws {RangeError} when not running
	 */
	async removeContact(id: MiaouId): Promise<void> {
		const running = this.#need();
		await running.book.remove(id);
		await this.#refresh(running);
	}

	/** For tests and the Network screen: the messenger's counters, or undefined when stopped. */
	stats(): ReturnType<Messenger['stats']> | undefined {
		return this.#running?.messenger.stats();
	}
}

/**
 * The app's wiring: the network of `net` (Gun records, relays for blobs) and, per identity, an
 * IndexedDB database sealed under keys derived from the identity (docs/messaging.md §At rest).
 * The storage and blob modules load on demand, after unlock, to keep the first page light.
 * @returns the dependencies of the app's {@link MessagingState}
 */
export function browserMessagingDeps(): MessagingDeps {
	return {
		async connect() {
			const [{ net }, { lazyHeliaBlobStore }] = await Promise.all([
				import('./net.svelte.ts'),
				import('../net/blob-store-helia-lazy.ts')
			]);
			const connection = await net.start();
			return {
				records: connection.records,
				// Helia over IndexedDB, loaded at the first blob: its blocks go up as one CAR by
				// `net.uploadBlocks`, blocks come from the relays' gateways, and payloads read once open
				// again offline. An identity now exists: ask that the cache not be evicted under
				// storage pressure (docs/net.md §The browser node, "Persistent storage").
				blobs: lazyHeliaBlobStore({
					relays: () => net.blobRelays(),
					upload: (root, blocks, opts) => net.uploadBlocks(root, blocks, opts),
					persist: () => import('./storage.svelte.ts').then((s) => s.requestPersistence())
				}),
				relays: () => [...net.relays],
				direct: net.directPath,
				attach: (messenger) => {
					const untrack = net.trackDeliveries(messenger);
					const identity = session.identity;
					// Direct peers (Settings → Direct connections): my contacts that are not blocked.
					const detach = identity
						? net.attachDirect({
								identity,
								contacts: () =>
									messenger.contacts
										.list()
										.filter((c) => !messenger.contacts.isBlocked(c.id))
										.map((c) => c.id),
								onContactsChange: (listener) => messenger.contacts.onChange(() => listener())
							})
						: () => {};
					return () => {
						untrack();
						detach();
					};
				}
			};
		},
		async stores(identity) {
			const [idb, outbox, atRest, sessions, prekeys, contacts, history] = await Promise.all([
				import('../services/storage-idb.ts'),
				import('../net/outbox-idb.ts'),
				import('../services/at-rest.ts'),
				import('../services/sessions.ts'),
				import('../services/prekeys.ts'),
				import('../services/contacts.ts'),
				import('../services/history-idb.ts')
			]);
			// One database per identity: a second identity on this browser never reads the first's.
			const store = idb.indexedDbMessagingStore(`miaou-messaging-${identity.id}`);
			const key = (purpose: AtRestPurpose) => atRest.deriveAtRestKey(identity, purpose);
			// One sealed record per message; the old single-slot history is imported on first open.
			const messages = history.indexedDbHistoryStorage({
				dbName: `miaou-history-${identity.id}`,
				key: key('history'),
				legacy: store.slot('history')
			});
			return {
				outbox: outbox.indexedDbOutboxStorage(`miaou-outbox-${identity.id}`),
				sessions: sessions.sealedSessionStorage(store.sessions, key('sessions')),
				prekeys: prekeys.slotPrekeyStorage(store.slot('prekeys'), key('prekeys')),
				contacts: contacts.slotContactStorage(store.slot('contacts'), key('contacts')),
				history: messages,
				close: () => {
					store.close();
					messages.close();
				}
			};
		}
	};
}

/** The app's one messaging state; it runs while the session is unlocked. */
export const messaging = new MessagingState(browserMessagingDeps());

if (typeof window !== 'undefined')
	messaging.follow(() => {
		const identity = session.identity;
		const profile = session.profile;
		return identity && profile ? { identity, name: profile.displayName } : undefined;
	});

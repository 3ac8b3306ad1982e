/**
 * The app's connection to the network, reactive: the relay list from Settings, the Gun client
 * and the relay pool while an identity is unlocked, live relay states and latencies, the record
 * store's drop counters, and blob transfers (docs/net.md).
 *
 *   stopped ──start()──► starting ──► running ──stop()──► stopped
 *                            └──(load failed)──► failed ──start()──► starting
 *
 * The heavy modules — Gun, the UnixFS importer and exporter, the CAR writer — are imported on
 * demand, when the network starts or a file moves, so the first page stays light (issue 4,
 * "Figures": ≤ 250 kB gzip of initial JavaScript; `scripts/measure-initial-js.mjs`).
 *
 * Blob transfers do not need an identity: the share page (`/c/<cid>`) downloads for someone
 * with no account, from the listed relays plus the one named by the link. While the pool runs
 * they fail over in its order (open relays by latency first).
 *
 * Direct peers (docs/net.md §Direct peers): when Settings switch them on, a libp2p node (net/p2p.ts,
 * loaded on demand) runs while the messenger does, and its peers and counters show here; the
 * messenger pushes envelopes through {@link NetState.directPath}.
 */
import { AbortError, NoRelayError, type MiaouError } from '../core/errors.ts';
import type { BlobOptions, BlobProgress } from '../net/blob-store.ts';
import type { RelayBlobStore, UploadReport } from '../net/blob-store-relay.ts';
import type { Block } from '../net/unixfs.ts';
import type { CID } from 'multiformats/cid';
import type { GunLike } from '../net/gun.ts';
import type { Fetch } from '../net/http.ts';
import type { RecordStore, RecordStoreStats } from '../net/record-store.ts';
import {
	defaultRelayUrls,
	relayPool,
	type RelayPool,
	type RelayPoolOptions,
	type RelayStatus
} from '../net/relay-pool.ts';
import { detectEd25519 } from '../core/ed25519.ts';
import type { Identity, MiaouId } from '../core/identity.ts';
import type { DirectNode, DirectSnapshot } from '../net/p2p.ts';
import type { DirectPath } from '../services/messaging.ts';
import { limitsOf, p2pSettings, type P2pSettings, type P2pSettingsValue } from './p2p-settings.ts';
import type { XhrLike } from '../browser/xhr-upload.ts';
import { normalizeRelayList, relaySettings, type RelaySettings, type RelaySettingsStore } from './relay-settings.ts';
import { session } from './session.svelte.ts';

/** Where the network stands (see the diagram above). */
export type NetStatus = 'stopped' | 'starting' | 'running' | 'failed';

/**
 * How connected this client is, from the relays' real connection states:
 * - `stopped`: not started (no identity unlocked);
 * - `searching`: no relay connection is open (connecting, or waiting to retry);
 * - `single`: exactly one relay is open and no contact is connected directly — it works, but that
 *   relay is a single point of failure;
 * - `decentralized`: two or more relays are open, or at least one contact is connected directly
 *   (messages to them no longer depend on a relay).
 */
export type NetSummaryKind = 'stopped' | 'searching' | 'single' | 'decentralized';

/** The summary shown on the Network screen. */
export interface NetSummary {
	kind: NetSummaryKind;
	/** Relays with an open connection. */
	open: number;
	/** Relays listed. */
	total: number;
	/** Contacts connected directly. */
	direct: number;
}

/** What the direct node needs from the messenger's side: who I am and whom to connect to. */
export interface DirectContext {
	identity: Pick<Identity, 'id' | 'signing'>;
	/** Contacts to connect to (not blocked). */
	contacts: () => readonly MiaouId[];
	/** Tells when the contact list changes. */
	onContactsChange: (listener: () => void) => () => void;
}

/** What a running network offers to the services (messaging, profiles, directory). */
export interface NetConnection {
	gun: GunLike;
	pool: RelayPool;
	records: RecordStore;
}

/** Outcomes of sent messages seen since the app started, each message counted once at its best state. */
export interface DeliveryCounts {
	/** Waiting or on the way (pending, sent). */
	waiting: number;
	/** Stored on a relay or further (stored, delivered, read). */
	reached: number;
	/** Confirmed by the recipient's device (delivered, read). */
	delivered: number;
	failed: number;
}

/** What reports message states: the messenger (`Messenger.onStatus`, services/messaging.ts). */
export interface DeliverySource {
	onStatus(listener: (event: { contact: string; id: string; status: string }) => void): () => void;
}

/** Upload progress: the blob store's phases, with bytes sent counted as they leave (XHR). */
export type TransferProgress = BlobProgress;

/** The outcome of {@link NetState.upload}. */
export interface UploadResult {
	/** The root CID, as text. */
	cid: string;
	/** Relays that stored it, in the order they were listed. */
	accepted: string[];
	/** Relays that did not, with the reason. */
	refused: { url: string; error: MiaouError }[];
}

/** Options of {@link NetState.upload} and {@link NetState.download}. */
export interface TransferOptions {
	signal?: AbortSignal;
	onProgress?: (progress: TransferProgress) => void;
	/** Largest blob accepted (default: the blob store's DEFAULT_MAX_BLOB_BYTES). */
	maxBytes?: number;
}

/** Dependencies of {@link NetState}; tests pass in-process sockets, a local server and memory storage. */
export interface NetDeps {
	settings: RelaySettings;
	/** Passed to `relayPool` (WebSocket, fetch, timers, clocks); `urls` and `gun` are the state's. */
	pool?: Omit<RelayPoolOptions, 'urls' | 'gun'>;
	/** `fetch` for blob transfers (default: the global one). */
	fetch?: Fetch;
	/** XMLHttpRequest, to report upload progress (default: the global one; none in Node). */
	XMLHttpRequest?: new () => XhrLike;
	/** Where `online` events come from, to reconnect at once (default: `window`, if any). */
	events?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
	/** Direct-connection settings (default: in memory, off). */
	p2p?: P2pSettings;
	/** Starts the direct node (default: net/p2p.ts, imported on demand). */
	createDirectNode?: (opts: import('../net/p2p.ts').DirectNodeOptions) => Promise<DirectNode>;
}

function countsOf(best: Readonly<Record<string, string>>): DeliveryCounts {
	const counts: DeliveryCounts = { waiting: 0, reached: 0, delivered: 0, failed: 0 };
	for (const status of Object.values(best)) {
		if (status === 'failed') counts.failed++;
		else if (status === 'pending' || status === 'sent') counts.waiting++;
		else if (status === 'stored') counts.reached++;
		else if (status === 'delivered' || status === 'read') {
			counts.reached++;
			counts.delivered++;
		}
	}
	return counts;
}

/** Message states in the order they progress (services/messaging.ts); `failed` can be retried. */
const STATUS_RANK: Readonly<Record<string, number>> = { pending: 0, sent: 1, stored: 2, delivered: 3, read: 4 };

/**
 * The delivery rate: the share of settled messages that reached a relay.
 * @param counts - from {@link NetState.deliveries}
 * @returns a fraction from 0 to 1, or undefined while no message has settled
 */
export function deliveryRate(counts: DeliveryCounts): number | undefined {
	const settled = counts.reached + counts.failed;
	return settled === 0 ? undefined : counts.reached / settled;
}

/**
 * The summary of a pool snapshot.
 * @param snapshot - the pool's relay states
 * @param running - whether the network is started
 * @param direct - contacts connected directly (default 0)
 * @returns the summary (see {@link NetSummaryKind})
 */
export function summarize(snapshot: readonly RelayStatus[], running: boolean, direct = 0): NetSummary {
	const open = snapshot.filter((r) => r.state === 'open').length;
	const kind: NetSummaryKind = !running
		? 'stopped'
		: open >= 2 || direct >= 1
			? 'decentralized'
			: open === 1
				? 'single'
				: 'searching';
	return { kind, open, total: snapshot.length, direct: running ? direct : 0 };
}

/** The network, reactive. */
export class NetState {
	#deps: NetDeps;
	#relays = $state.raw<readonly string[]>([]);
	#status = $state<NetStatus>('stopped');
	#startError = $state.raw<unknown>(undefined);
	#snapshot = $state.raw<readonly RelayStatus[]>([]);
	#stats = $state.raw<RecordStoreStats | undefined>(undefined);
	/** Best state seen per message (not reactive: {@link deliveries} is the reactive view). */
	#deliveryBest: Record<string, string> = Object.create(null) as Record<string, string>;
	#deliveries = $state.raw<DeliveryCounts>({ waiting: 0, reached: 0, delivered: 0, failed: 0 });
	#summary = $derived.by(() => summarize(this.#snapshot, this.#status === 'running', this.#direct?.peers.length ?? 0));
	#p2pStore: P2pSettings;
	#p2p = $state.raw<P2pSettingsValue>({ enabled: false, maxPeers: 8, uploadKiBps: 0, downloadKiBps: 0 });
	#direct = $state.raw<DirectSnapshot | undefined>(undefined);
	#directError = $state.raw<unknown>(undefined);
	#directNode: DirectNode | undefined;
	#directStarting: Promise<void> | undefined;
	#directContext: DirectContext | undefined;
	#directCleanup: (() => void)[] = [];
	#envelopeHandler: ((envelope: Uint8Array) => Promise<void>) | undefined;
	/** Handed to the messenger: pushes go to the direct node while one runs. */
	readonly directPath: DirectPath = {
		send: async (to, envelope, signal) => {
			const node = this.#directNode;
			return node ? node.send(to, envelope, signal) : false;
		},
		onEnvelope: (handler) => {
			this.#envelopeHandler = handler;
			return () => {
				if (this.#envelopeHandler === handler) this.#envelopeHandler = undefined;
			};
		}
	};
	#connection: NetConnection | undefined;
	#starting: Promise<NetConnection> | undefined;
	/** Bumped by stop(): a start still loading when it happens must not install itself. */
	#generation = 0;
	#cleanup: (() => void)[] = [];

	/**
	 * @param deps - relay settings, pool options, fetch and event sources
	 */
	constructor(deps: NetDeps) {
		this.#deps = deps;
		this.#relays = deps.settings.load();
		this.#p2pStore = deps.p2p ?? p2pSettings(undefined);
		this.#p2p = this.#p2pStore.load();
	}

	/** Direct-connection settings (Settings → Direct connections). */
	get p2p(): P2pSettingsValue {
		return this.#p2p;
	}
	/** The direct node's peers and counters while it runs; undefined otherwise. */
	get direct(): DirectSnapshot | undefined {
		return this.#direct;
	}
	/** Why the direct node could not start (no WebRTC in this browser, …). */
	get directError(): unknown {
		return this.#directError;
	}

	/**
	 * Save direct-connection settings and apply them: start or stop the node, or change its limits.
	 * @param value - the new settings
	 * @returns the settings as saved
	 * @throws {RangeError} on a value out of range
	 * @throws {DOMException} when the browser refuses to save them
	 */
	setP2p(value: P2pSettingsValue): P2pSettingsValue {
		const saved = this.#p2pStore.save(value);
		const wasOn = this.#p2p.enabled;
		this.#p2p = saved;
		if (!saved.enabled && wasOn) void this.#stopDirect(true);
		else if (saved.enabled && this.#directNode) this.#directNode.setLimits(limitsOf(saved));
		else if (saved.enabled) this.#startDirect();
		return saved;
	}

	/**
	 * Run the direct node for the messenger's identity while it is attached (and Settings allow).
	 * @param context - my identity and my contacts
	 * @returns a function that detaches (and stops the node)
	 */
	attachDirect(context: DirectContext): () => void {
		this.#directContext = context;
		this.#startDirect();
		return () => {
			if (this.#directContext !== context) return;
			this.#directContext = undefined;
			void this.#stopDirect(false);
		};
	}

	#startDirect(): void {
		const context = this.#directContext;
		const connection = this.#connection;
		if (!context || !connection || !this.#p2p.enabled || this.#directNode || this.#directStarting) return;
		const generation = this.#generation;
		this.#directError = undefined;
		this.#directStarting = (async () => {
			// Loaded on demand: libp2p and WebRTC are not part of the first page.
			const create = this.#deps.createDirectNode ?? (await import('../net/p2p.ts')).createDirectNode;
			const node = await create({
				identity: context.identity,
				records: connection.records,
				relays: () => this.blobRelays(),
				contacts: context.contacts,
				limits: limitsOf(this.#p2p),
				...(this.#deps.fetch ? { fetch: this.#deps.fetch } : {})
			});
			if (generation !== this.#generation || this.#directContext !== context || !this.#p2p.enabled) {
				await node.stop();
				return;
			}
			this.#directNode = node;
			this.#direct = node.snapshot();
			this.#directCleanup.push(
				node.onChange((s) => (this.#direct = s)),
				node.onEnvelope(async (envelope) => {
					await this.#envelopeHandler?.(envelope);
				}),
				context.onContactsChange(() => node.refresh())
			);
		})()
			.catch((error: unknown) => {
				this.#directError = error;
			})
			.finally(() => {
				this.#directStarting = undefined;
			});
	}

	async #stopDirect(withdraw: boolean): Promise<void> {
		await this.#directStarting;
		for (const fn of this.#directCleanup.splice(0)) fn();
		const node = this.#directNode;
		this.#directNode = undefined;
		this.#direct = undefined;
		await node?.stop({ withdraw }).catch(() => {});
	}

	/** The relays listed in Settings, normalized. */
	get relays(): readonly string[] {
		return this.#relays;
	}
	/** Where the network stands. */
	get status(): NetStatus {
		return this.#status;
	}
	/** Why the last start failed, when status is 'failed'. */
	get startError(): unknown {
		return this.#startError;
	}
	/** Every relay's live state while running; empty when stopped. */
	get snapshot(): readonly RelayStatus[] {
		return this.#snapshot;
	}
	/** How connected this client is (see {@link NetSummaryKind}). */
	get summary(): NetSummary {
		return this.#summary;
	}
	/** The record store's counters as of the last {@link refreshStats}; undefined before the first. */
	get stats(): RecordStoreStats | undefined {
		return this.#stats;
	}
	/** Outcomes of the messages reported by the sources given to {@link trackDeliveries}. */
	get deliveries(): DeliveryCounts {
		return this.#deliveries;
	}
	/** The running connection, if any (for code that must not start it). */
	get connection(): NetConnection | undefined {
		return this.#connection;
	}

	/**
	 * Start the Gun client, the relay pool over the listed relays and the record store; calling
	 * it again while starting or running returns the same connection.
	 * @returns the connection
	 * @throws {AbortError} when stop() is called before it finished
	 * @throws whatever loading the modules throws (status 'failed'; calling again retries)
	 */
	start(): Promise<NetConnection> {
		if (this.#connection) return Promise.resolve(this.#connection);
		this.#starting ??= this.#open().catch((error: unknown) => {
			this.#starting = undefined;
			if (!(error instanceof AbortError)) {
				this.#startError = error;
				this.#status = 'failed';
			}
			throw error;
		});
		return this.#starting;
	}

	async #open(): Promise<NetConnection> {
		const generation = this.#generation;
		this.#status = 'starting';
		this.#startError = undefined;
		// Loaded on demand: Gun and the record verifier are not part of the first page.
		const [{ createGun }, { gunRecordStore }] = await Promise.all([
			import('../net/gun.ts'),
			import('../net/record-store-gun.ts')
		]);
		const WebSocket = this.#deps.pool?.WebSocket ?? globalThis.WebSocket;
		const [gun, ed25519] = await Promise.all([createGun({ WebSocket }), detectEd25519()]);
		if (generation !== this.#generation) throw new AbortError('Starting the network');
		const pool = relayPool({ ...this.#deps.pool, gun, urls: this.#relays });
		const records = gunRecordStore(gun, { ed25519 });
		const connection: NetConnection = { gun, pool, records };
		this.#cleanup.push(pool.onChange((snapshot) => (this.#snapshot = snapshot)));
		this.#snapshot = pool.snapshot();
		const events = this.#deps.events ?? (typeof window === 'undefined' ? undefined : window);
		if (events) {
			// Back online: retry every relay now instead of waiting out the backoff.
			const online = (): void => pool.reconnectNow();
			events.addEventListener('online', online);
			this.#cleanup.push(() => events.removeEventListener('online', online));
		}
		this.#connection = connection;
		this.#stats = records.stats();
		this.#status = 'running';
		this.#startDirect();
		return connection;
	}

	/** Close every relay connection and drop the Gun client; the relay list stays. */
	stop(): void {
		this.#generation++;
		void this.#stopDirect(false);
		for (const fn of this.#cleanup.splice(0)) fn();
		this.#connection?.pool.close();
		this.#connection = undefined;
		this.#starting = undefined;
		this.#snapshot = [];
		this.#status = 'stopped';
	}

	/**
	 * Start while `active()` is true and stop when it turns false, following a reactive value
	 * (the app passes "the session is unlocked"). Browser only: effects do not run on a server.
	 * @param active - a reactive condition
	 * @returns a function that stops following (and stops the network)
	 */
	follow(active: () => boolean): () => void {
		const destroy = $effect.root(() => {
			$effect(() => {
				if (active()) this.start().catch(() => {});
				else this.stop();
			});
		});
		return () => {
			destroy();
			this.stop();
		};
	}

	/**
	 * Add a relay to the list (saved at once) and, while running, connect to it.
	 * @param url - the relay URL as typed
	 * @returns the normalized URL
	 * @throws {MalformedError} when it is not an http(s) or ws(s) URL
	 * @throws {RangeError} when the list is full
	 * @throws {DOMException} when the browser refuses to save the list
	 */
	addRelay(url: string): string {
		const [normalized] = normalizeRelayList([url]) as [string];
		if (this.#relays.includes(normalized)) return normalized;
		this.#relays = this.#deps.settings.save([...this.#relays, normalized]);
		this.#connection?.pool.add(normalized);
		return normalized;
	}

	/**
	 * Remove a relay from the list (saved at once) and close its connection.
	 * @param url - a listed URL
	 * @throws {DOMException} when the browser refuses to save the list
	 */
	removeRelay(url: string): void {
		const [normalized] = normalizeRelayList([url]) as [string];
		if (!this.#relays.includes(normalized)) return;
		this.#relays = this.#deps.settings.save(this.#relays.filter((u) => u !== normalized));
		this.#connection?.pool.remove(normalized);
	}

	/** Retry every disconnected relay now (the "Reconnect" button). */
	reconnectNow(): void {
		this.#connection?.pool.reconnectNow();
	}

	/** Read the record store's counters again (the Network screen does it while shown). */
	refreshStats(): void {
		if (this.#connection) this.#stats = this.#connection.records.stats();
	}

	/**
	 * Count the outcomes of the messages a source reports, for the delivery rate.
	 * @param source - the messenger
	 * @returns a function that stops counting
	 */
	trackDeliveries(source: DeliverySource): () => void {
		return source.onStatus(({ contact, id, status }) => {
			const key = `${contact}\n${id}`;
			const held = this.#deliveryBest[key];
			// States only move forward, except failed ⇄ retried; keep the furthest one.
			if (held !== undefined && status !== 'failed' && held !== 'failed') {
				if ((STATUS_RANK[status] ?? -1) <= (STATUS_RANK[held] ?? -1)) return;
			}
			this.#deliveryBest[key] = status;
			this.#deliveries = countsOf(this.#deliveryBest);
		});
	}

	/**
	 * The relays to move blobs with, best first: the pool's order (open ones first) while the
	 * network runs, else the list from Settings; then `extra` ones not listed (e.g. a link's relay).
	 * Read it at each request: the pool reorders as relays come and go.
	 * @param extra - relay base URLs to try after the listed ones (normalized by the caller)
	 * @returns relay base URLs, without duplicates
	 */
	blobRelays(extra: readonly string[] = []): string[] {
		const listed = this.#connection ? this.#connection.pool.ordered() : [...this.#relays];
		return listed.concat(extra.filter((url, i) => !listed.includes(url) && extra.indexOf(url) === i));
	}

	async #blobStore(extra: readonly string[], opts: TransferOptions, onSent?: (loaded: number, total: number) => void) {
		const [{ relayBlobStore }, { xhrFetch }] = await Promise.all([
			import('../net/blob-store-relay.ts'),
			import('../browser/xhr-upload.ts')
		]);
		const Xhr = this.#deps.XMLHttpRequest ?? (globalThis.XMLHttpRequest as unknown as (new () => XhrLike) | undefined);
		const plain = this.#deps.fetch;
		const fetch: Fetch | undefined =
			onSent && Xhr
				? xhrFetch({ XMLHttpRequest: Xhr, onUploadProgress: onSent, ...(plain ? { fetch: plain } : {}) })
				: plain;
		return relayBlobStore(() => this.blobRelays(extra), {
			...(fetch ? { fetch } : {}),
			...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {})
		});
	}

	/**
	 * Upload bytes as a UnixFS file to every listed relay; progress counts bytes as they are sent
	 * (through XMLHttpRequest where it exists), following the relay that got furthest.
	 * @param bytes - the content (encrypted already, for a private share)
	 * @param opts - signal, progress callback, size cap
	 * @returns the CID and what each relay answered
	 * @throws {NoRelayError} when no relay is listed or none could be reached
	 * @throws {RelayRefusedError} when every relay refused (e.g. ERR_QUOTA)
	 * @throws {TooLargeError} over the size cap; {@link AbortError} when aborted
	 */
	async upload(bytes: Uint8Array, opts: TransferOptions = {}): Promise<UploadResult> {
		return this.#send(opts, (store, o) => store.upload(bytes, o));
	}

	/**
	 * Upload a file already imported as UnixFS (its blocks, e.g. from the browser's Helia store) to
	 * every listed relay as one CAR, with the same progress and answers as {@link upload}.
	 * @param root - the root CID
	 * @param blocks - every block of the DAG, root first
	 * @param opts - signal, progress callback
	 * @returns the CID and what each relay answered
	 * @throws as {@link upload}
	 */
	async uploadBlocks(root: CID, blocks: readonly Block[], opts: TransferOptions = {}): Promise<UploadResult> {
		return this.#send(opts, (store, o) => store.uploadBlocks(root, blocks, o));
	}

	async #send(
		opts: TransferOptions,
		run: (store: RelayBlobStore, o: BlobOptions) => Promise<UploadReport>
	): Promise<UploadResult> {
		if (this.blobRelays().length === 0) throw new NoRelayError('no relay is listed in Settings');
		let sent = 0;
		const onSent = (loaded: number, total: number): void => {
			// Every relay gets the same CAR at once; the furthest one shows how far the data got.
			if (loaded <= sent || loaded > total) return;
			sent = loaded;
			opts.onProgress?.({ phase: 'upload', bytes: loaded, total });
		};
		const store = await this.#blobStore([], opts, onSent);
		const report = await run(store, {
			...(opts.signal ? { signal: opts.signal } : {}),
			onProgress: (p) => {
				// The store says 0 before sending and the total once a relay took it all.
				if (p.phase === 'upload' && p.bytes > 0 && p.bytes <= sent) return;
				if (p.phase === 'upload') sent = Math.max(sent, p.bytes);
				opts.onProgress?.(p);
			}
		});
		return {
			cid: report.cid.toString(),
			accepted: report.relays.filter((r) => r.ok).map((r) => r.url),
			refused: report.relays.flatMap((r) => (r.ok ? [] : [{ url: r.url, error: r.error }]))
		};
	}

	/**
	 * Download a UnixFS file by CID from the listed relays (and `extraRelays`), every block
	 * verified against its CID before use.
	 * @param cid - the CID text
	 * @param opts - signal, progress, size cap, and relays to try besides the list (e.g. the link's)
	 * @returns the content
	 * @throws {CidError | UnsupportedCodecError | UnsupportedHashError} for a CID it cannot verify
	 * @throws {ContentNotFoundError} when no relay had a block; {@link HashMismatchError} when every copy was altered
	 * @throws {TooLargeError | MalformedError} for content over the cap or not a file
	 * @throws {NoRelayError} when there is no relay to ask; {@link AbortError} when aborted
	 */
	async download(cid: string, opts: TransferOptions & { extraRelays?: readonly string[] } = {}): Promise<Uint8Array> {
		const extra = normalizeRelayList(opts.extraRelays ?? []);
		if (this.blobRelays(extra).length === 0) throw new NoRelayError('no relay is listed in Settings');
		const store = await this.#blobStore(extra, opts);
		return store.get(cid, {
			...(opts.signal ? { signal: opts.signal } : {}),
			...(opts.onProgress ? { onProgress: opts.onProgress } : {})
		});
	}
}

function browserStore(): RelaySettingsStore | undefined {
	try {
		return typeof localStorage === 'undefined' ? undefined : localStorage;
	} catch {
		return undefined; // Reading `localStorage` itself throws when site data is blocked.
	}
}

/** The app's one network state: relays from localStorage, defaulting to the app's origin. */
export const net = new NetState({
	settings: relaySettings(browserStore(), () => defaultRelayUrls()),
	p2p: p2pSettings(browserStore())
});

// The network runs while an identity is unlocked: no relay hears from a locked or new profile
// (the share page moves blobs without it).
if (typeof window !== 'undefined') net.follow(() => session.status === 'unlocked');

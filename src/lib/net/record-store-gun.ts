/**
 * The record store over Gun (docs/net.md §Records). It speaks Gun's wire protocol through the
 * root's event bus instead of the chain API, for three reasons:
 * - a put must carry the state its signature covers, while `gun.get(…).put(…)` stamps its own
 *   HAM state (gun/src/put.js: `as.state = Gun.state()`);
 * - the outcome of a put is the relay's ack (`{'@': id, ok}` or `{'@': id, err}`), which the
 *   chain API folds into a callback that cannot tell a relay's ack from a local one;
 * - a read must see every candidate version with its state before choosing, so that a forged
 *   version with a high state cannot hide a valid one.
 *
 * Subscriptions follow Gun's own model: a `get` on the soul makes the relay forward later writes
 * to it (relay/gun/router.ts), and the get is sent again to each relay on every (re)connection
 * (Gun's `hi` event). Everything arriving for a followed soul passes the verifier first.
 */
import { AbortError, NoRelayError, RelayRefusedError, RelayTimeoutError } from '../core/errors.ts';
import { parseSoul, type SignedRecord, type VerifiedRecord } from '../core/records.ts';
import { connectedPeers, viaPeer, type GunEvent, type GunLike, type GunMessage, type GunPeer } from './gun.ts';
import { relayUrlFromSocket } from './http.ts';
import type { CallOptions, RecordStore } from './record-store.ts';
import { recordVerifier, winsOver, type VerifierOptions } from './record-verifier.ts';
import { systemTimers, type Timers } from './timers.ts';
import { systemClock } from '../core/random.ts';

/** How long a publish waits for a relay's ack. */
export const PUBLISH_TIMEOUT_MS = 10_000;
/** How long a read waits for every connected relay to answer. */
export const READ_TIMEOUT_MS = 5_000;
/** Most fields one read collects (all answers together); the rest are ignored. */
export const MAX_READ_FIELDS = 4096;
/** Least time between two re-reads of a followed soul triggered by dropped forgeries. */
export const REFRESH_INTERVAL_MS = 1_000;

/** Options of {@link gunRecordStore}. */
export interface GunRecordStoreOptions extends VerifierOptions {
	timers?: Timers;
	publishTimeoutMs?: number;
	readTimeoutMs?: number;
}

interface Field {
	soul: string;
	key: string;
	value: unknown;
	state: unknown;
}

interface Subscriber {
	onRecord: (record: VerifiedRecord) => void;
	delivered: Map<string, { state: number; value: string }>;
	active: boolean;
}

/** One followed soul: its subscribers, the best verified version seen per key, one queue. */
interface Follow {
	subs: Set<Subscriber>;
	best: Map<string, VerifiedRecord>;
	/** Verification is async; one chain per soul keeps deliveries in arrival order. */
	queue: Promise<void>;
	/** When the relays were last asked again after a dropped forgery (ms, `now`). */
	refreshedAt: number;
}

/** The Gun wire-level put of one field (gun/src/root.js `put`: node, `_['#']`, `_['>']`). */
function putMessage(id: string, record: SignedRecord): GunMessage {
	return {
		'#': id,
		put: { [record.soul]: { _: { '#': record.soul, '>': { [record.key]: record.state } }, [record.key]: record.value } }
	};
}

/** The fields of a node as a Gun answer carries it; `only` restricts to one key. */
function fieldsOf(soul: string, node: unknown, only: string | undefined, out: Field[]): void {
	if (typeof node !== 'object' || node === null) return;
	const meta = (node as { _?: unknown })._;
	const states = typeof meta === 'object' && meta !== null ? (meta as { '>'?: unknown })['>'] : undefined;
	if (typeof states !== 'object' || states === null) return;
	const keys = only === undefined ? Object.keys(node) : [only];
	for (const key of keys) {
		if (key === '_' || !Object.hasOwn(node, key)) continue;
		if (out.length >= MAX_READ_FIELDS) return;
		out.push({
			soul,
			key,
			value: (node as Record<string, unknown>)[key],
			state: (states as Record<string, unknown>)[key]
		});
	}
}

/** Split a relay's error ack, `'<CODE>: sentence'` (relay/gun/validate.ts), into its parts. */
function refusal(peer: GunPeer, err: unknown): RelayRefusedError {
	const text = typeof err === 'string' ? err.slice(0, 512) : 'refused';
	const match = /^([A-Z][A-Z0-9_]{1,63}):\s*([\s\S]*)$/.exec(text);
	return new RelayRefusedError(relayUrlFromSocket(peer.id), match?.[1] ?? 'ERR_RELAY', match?.[2] ?? text);
}

/**
 * Create a record store over a Gun instance whose peers are managed by a relay pool.
 * @param gun - from `createGun()`, with the relay pool attached
 * @param opts - verifier options (use `detectEd25519()` for speed), timers and time limits
 * @returns a {@link RecordStore}
 * @example const store = gunRecordStore(gun, { ed25519: await detectEd25519() })
 */
export function gunRecordStore(gun: GunLike, opts: GunRecordStoreOptions = {}): RecordStore {
	const root = gun._.root;
	const mesh = root.opt.mesh;
	if (!mesh) throw new TypeError('the Gun instance has no mesh; create it with createGun()');
	const timers = opts.timers ?? systemTimers;
	const publishTimeoutMs = opts.publishTimeoutMs ?? PUBLISH_TIMEOUT_MS;
	const readTimeoutMs = opts.readTimeoutMs ?? READ_TIMEOUT_MS;
	const verifier = recordVerifier(opts);
	const now = opts.now ?? systemClock;
	const follows = new Map<string, Follow>();

	const deliver = (sub: Subscriber, record: VerifiedRecord): void => {
		if (!sub.active) return;
		const last = sub.delivered.get(record.key);
		if (last && !winsOver(record.state, record.value, last.state, last.value)) return;
		sub.delivered.set(record.key, { state: record.state, value: record.value });
		try {
			sub.onRecord(record);
		} catch {
			// A listener's failure must not stop the subscription.
		}
	};

	/**
	 * Ask the relays (one, or all) for a followed soul. The answers are taken straight from the
	 * ack, not from Gun's graph: HAM keeps only the highest state per field, so a forged version
	 * with a higher state would otherwise hide the valid one from a subscriber.
	 */
	const refresh = (soul: string, peer?: GunPeer): void => {
		const id = root.ask((ack: GunMessage) => {
			const follow = follows.get(soul);
			if (!follow || !viaPeer(ack)) return;
			const fields: Field[] = [];
			fieldsOf(soul, ack.put?.[soul], undefined, fields);
			for (const field of fields) consider(follow, field, false);
		});
		const message: GunMessage = { '#': id, get: { '#': soul } };
		if (peer) mesh.say(message, peer);
		else root.on('out', message);
	};

	const consider = (follow: Follow, field: Field, live: boolean): void => {
		follow.queue = follow.queue.then(async () => {
			const record = await verifier.verify(field);
			if (!record) {
				// A forgery pushed live may have displaced the valid version in Gun's graph: ask again.
				if (live && now() - follow.refreshedAt >= REFRESH_INTERVAL_MS && follows.get(field.soul) === follow) {
					follow.refreshedAt = now();
					refresh(field.soul);
				}
				return;
			}
			const held = follow.best.get(record.key);
			// Kept for later subscribers of the same soul, bounded like a read.
			const room = held !== undefined || follow.best.size < MAX_READ_FIELDS;
			if (room && (!held || winsOver(record.state, record.value, held.state, held.value)))
				follow.best.set(record.key, record);
			for (const sub of follow.subs) deliver(sub, record);
		});
	};

	// Every field Gun merges into its graph (a relay forwarding a write, this client's own
	// publish) passes here after HAM accepted it.
	root.on(
		'put',
		function (this: GunEvent, msg: { put?: { '#'?: unknown; '.'?: unknown; ':'?: unknown; '>'?: unknown } }) {
			this.to.next(msg);
			const put = msg?.put;
			if (!put || typeof put['#'] !== 'string' || typeof put['.'] !== 'string') return;
			const follow = follows.get(put['#']);
			if (follow) consider(follow, { soul: put['#'], key: put['.'], value: put[':'], state: put['>'] }, true);
		}
	);

	// A relay that (re)connects knows nothing of our subscriptions: ask it again for each soul.
	root.on('hi', function (this: GunEvent, peer: GunPeer) {
		this.to.next(peer);
		for (const soul of follows.keys()) refresh(soul, peer);
	});

	/**
	 * Ask every connected relay (and the local graph) for a soul or one of its fields; resolve
	 * with all candidate fields once every relay has answered in full, or at the time limit.
	 */
	const query = (soul: string, key: string | undefined, signal: AbortSignal | undefined): Promise<Field[]> =>
		new Promise((resolve, reject) => {
			const fields: Field[] = [];
			fieldsOf(soul, root.graph[soul], key, fields);
			const waiting = new Set(connectedPeers(gun));
			let done = false;
			const end = (): void => {
				done = true;
				timers.clearTimeout(timer);
				signal?.removeEventListener('abort', onAbort);
			};
			const onAbort = (): void => {
				if (done) return;
				end();
				reject(new AbortError('Reading the record'));
			};
			const finish = (): void => {
				if (done) return;
				end();
				resolve(fields);
			};
			const id = root.ask(function (this: GunEvent, ack: GunMessage) {
				if (done) {
					this.off();
					return;
				}
				fieldsOf(soul, ack.put?.[soul], key, fields);
				const via = viaPeer(ack);
				// Gun marks all but the last part of a long answer with `%` (gun/src/root.js get `ack`).
				if (via && ack['%'] === undefined) waiting.delete(via);
				if (waiting.size === 0 && via) {
					this.off();
					finish();
				}
			});
			const timer = timers.setTimeout(finish, readTimeoutMs);
			signal?.addEventListener('abort', onAbort, { once: true });
			root.on('out', { '#': id, get: key === undefined ? { '#': soul } : { '#': soul, '.': key } });
			if (waiting.size === 0) finish();
		});

	const choose = async (fields: Field[]): Promise<Map<string, VerifiedRecord>> => {
		const best = new Map<string, VerifiedRecord>();
		for (const field of fields) {
			const record = await verifier.verify(field);
			if (!record) continue;
			const held = best.get(record.key);
			if (!held || winsOver(record.state, record.value, held.state, held.value)) best.set(record.key, record);
		}
		return best;
	};

	return {
		publish(record, o: CallOptions = {}) {
			return new Promise<void>((resolve, reject) => {
				if (o.signal?.aborted) throw new AbortError('Publishing the record');
				if (
					typeof record?.soul !== 'string' ||
					typeof record.key !== 'string' ||
					typeof record.value !== 'string' ||
					!Number.isSafeInteger(record.state)
				)
					throw new TypeError('publish needs a signed record {soul, key, value, state}');
				const peers = connectedPeers(gun);
				if (peers.length === 0) throw new NoRelayError('none is connected');
				const refusals: RelayRefusedError[] = [];
				let done = false;
				const end = (): void => {
					done = true;
					timers.clearTimeout(timer);
					o.signal?.removeEventListener('abort', onAbort);
				};
				const onAbort = (): void => {
					if (done) return;
					end();
					reject(new AbortError('Publishing the record'));
				};
				const id = root.ask(function (this: GunEvent, ack: GunMessage) {
					const via = viaPeer(ack);
					// Only a relay's answer counts: Gun also reports local events (and a "No ACK yet" timeout) here.
					if (done || !via) return;
					if (ack.err !== undefined && ack.err !== null) {
						refusals.push(refusal(via, ack.err));
						if (refusals.length < peers.length) return;
						this.off();
						end();
						reject(refusals[0]);
						return;
					}
					this.off();
					end();
					resolve();
				});
				const timer = timers.setTimeout(() => {
					if (done) return;
					end();
					reject(refusals[0] ?? new RelayTimeoutError('the record', publishTimeoutMs));
				}, publishTimeoutMs);
				o.signal?.addEventListener('abort', onAbort, { once: true });
				root.on('out', putMessage(id, record));
			});
		},
		async read(soul, key, o: CallOptions = {}) {
			parseSoul(soul);
			if (typeof key !== 'string') throw new TypeError('key must be a string');
			if (o.signal?.aborted) throw new AbortError('Reading the record');
			const best = await choose(await query(soul, key, o.signal));
			return best.get(key);
		},
		async readAll(soul, o: CallOptions = {}) {
			parseSoul(soul);
			if (o.signal?.aborted) throw new AbortError('Reading the records');
			const best = await choose(await query(soul, undefined, o.signal));
			return [...best.keys()].sort().map((k) => best.get(k)!);
		},
		subscribe(soul, onRecord, o: CallOptions = {}) {
			parseSoul(soul);
			if (o.signal?.aborted) return () => {};
			const sub: Subscriber = { onRecord, delivered: new Map(), active: true };
			let follow = follows.get(soul);
			const first = !follow;
			if (!follow) {
				follow = { subs: new Set(), best: new Map(), queue: Promise.resolve(), refreshedAt: now() };
				follows.set(soul, follow);
			}
			follow.subs.add(sub);
			const f = follow;
			// What is already known: verified versions seen for this soul, then Gun's graph.
			f.queue = f.queue.then(() => {
				for (const record of f.best.values()) deliver(sub, record);
			});
			const known: Field[] = [];
			fieldsOf(soul, root.graph[soul], undefined, known);
			for (const field of known) consider(f, field, false);
			if (first) refresh(soul);
			const unsubscribe = (): void => {
				sub.active = false;
				o.signal?.removeEventListener('abort', unsubscribe);
				f.subs.delete(sub);
				if (f.subs.size === 0 && follows.get(soul) === f) follows.delete(soul);
			};
			o.signal?.addEventListener('abort', unsubscribe, { once: true });
			return unsubscribe;
		},
		stats: () => verifier.stats()
	};
}

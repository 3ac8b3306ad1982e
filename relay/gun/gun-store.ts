/**
 * Plug a {@link GraphStore} into Gun's storage hooks, the way gun/lib/store.js plugs radisk in:
 * Gun emits `put` once per field that won its conflict rule (HAM) and `get` for every read it
 * cannot fully answer from memory; a storage adapter answers through `root.on('in', …)`.
 *
 * - put: the field joins the next group commit; the ack `{'@': id, ok}` is emitted only from the
 *   commit callback, so Gun's aggregated ack to the writer (gun.js `ack`/`back`) leaves the relay
 *   only after every field of the write is on disk.
 * - get: answered synchronously from SQLite, marked with Gun's `faith` flag so Gun forwards the
 *   reply to the asker without running it through HAM and storage again (gun.js `put`).
 * - memory: Gun keeps every field it has seen in `root.graph` forever; on a relay that is every
 *   record ever written. A soul is dropped from the graph once all its pending fields committed,
 *   so memory holds only writes in flight and reads come from the database.
 */
import { StorageError } from '../../src/lib/core/errors.ts';
import type { GunChainLink, GunRoot } from './load-gun.ts';
import { MAX_FIELDS_PER_READ, type FieldQuery, type GraphStore, type StoredField } from './sqlite-store.ts';
import { isPlainObject } from './messages.ts';

/** Largest read reply in bytes of record text; a soul with more is truncated (Gun's `%` hint set). */
export const MAX_READ_REPLY_BYTES = 1024 * 1024;

/** Options of {@link attachGraphStore}. */
export interface AttachOptions {
	/** Makes message ids (Gun's own `String.random` by default). */
	newId: () => string;
	/** Called when a commit failed. */
	onError?: (err: Error) => void;
}

function queryOf(has: unknown): FieldQuery | undefined {
	if (has === undefined) return {};
	if (typeof has === 'string') return { key: has };
	if (!isPlainObject(has)) return undefined;
	const q: FieldQuery = {};
	if (typeof has['='] === 'string') return { key: has['='] };
	if (typeof has['*'] === 'string') q.prefix = has['*'];
	if (typeof has['>'] === 'string') q.start = has['>'];
	if (typeof has['<'] === 'string') q.end = has['<'];
	return q;
}

/**
 * Attach `store` to a Gun root as its only storage.
 * @param root - `gun._` of the relay's Gun instance
 * @param store - the durable store
 * @param opts - id maker and error hook
 * @returns a function that detaches nothing but reports how many souls are in flight (for health)
 */
export function attachGraphStore(root: GunRoot, store: GraphStore, opts: AttachOptions): () => number {
	const inFlight = new Map<string, number>();

	root.on('put', function (this: GunChainLink, msg) {
		this.to.next(msg);
		const put = msg.put as { '#': string; '.': string; ':': unknown; '>': number };
		const id = msg['#'];
		const soul = put['#'];
		inFlight.set(soul, (inFlight.get(soul) ?? 0) + 1);
		const field: StoredField = { soul, key: put['.'], value: put[':'], state: put['>'] };
		store.put([field], (err) => {
			const left = (inFlight.get(soul) ?? 1) - 1;
			if (left <= 0) {
				inFlight.delete(soul);
				// Committed: the database answers reads of it now, the graph need not hold it.
				delete root.graph[soul];
			} else inFlight.set(soul, left);
			if (err) {
				opts.onError?.(err);
				const error = new StorageError(err.message);
				root.on('in', { '@': id as string, err: `${error.code}: ${error.message}` });
				return;
			}
			root.on('in', { '@': id as string, ok: { '': 1 } });
		});
	});

	root.on('get', function (this: GunChainLink, msg) {
		this.to.next(msg);
		const get = msg.get as { '#': unknown; '.'?: unknown; '%'?: unknown };
		const soul = get['#'];
		const id = msg['#'] as string;
		const query = typeof soul === 'string' ? queryOf(get['.']) : undefined;
		if (typeof soul !== 'string' || !query) {
			root.on('in', { '@': id, '#': opts.newId() });
			return;
		}
		const rows = store.read(soul, { ...query, limit: MAX_FIELDS_PER_READ });
		if (rows.length === 0) {
			root.on('in', { '@': id, '#': opts.newId() });
			return;
		}
		const node: Record<string, unknown> & { _: { '#': string; '>': Record<string, number> } } = {
			_: { '#': soul, '>': {} }
		};
		let bytes = 0;
		let more = false;
		for (const r of rows) {
			bytes += typeof r.value === 'string' ? r.value.length : 16;
			if (bytes > MAX_READ_REPLY_BYTES && Object.keys(node).length > 1) {
				more = true;
				break;
			}
			node[r.key] = r.value;
			node._['>'][r.key] = r.state;
		}
		// gun.js `put`: a reply (`@`) carrying `faith` skips HAM and goes straight to the asker.
		const faith = Object.assign(() => {}, { faith: true, rad: get });
		const reply: Record<string, unknown> = { '@': id, '#': opts.newId(), put: { [soul]: node }, _: faith };
		if (more || rows.length === MAX_FIELDS_PER_READ) reply['%'] = 1;
		root.on('in', reply);
	});

	return () => inFlight.size;
}

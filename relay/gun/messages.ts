/**
 * The relay's view of Gun's wire protocol (DAM, https://gun.eco/docs/DAM): a WebSocket frame holds
 * one JSON message or a JSON array of them. Everything here is a pure function from untrusted
 * input to either a rebuilt message holding only the fields the relay forwards, or a refusal
 * with a reason. Nothing from the network reaches Gun without passing through
 * {@link sanitizeMessage}, so Gun never sees a field it could misuse (`$`, `_`, `DBG`, `NTS`…).
 *
 * Bounds first (STYLE.md habit 6): the frame length is checked before JSON.parse, the batch
 * length before any message is looked at, and every string before it is kept.
 */
import { MalformedError, TooLargeError } from '../../src/lib/core/errors.ts';

/** Most messages in one frame (Gun batches a few per frame; AXE-era clients send ≤ 9 at once). */
export const MAX_BATCH_MESSAGES = 100;
/** Most nodes (souls) in one `put`. */
export const MAX_PUT_NODES = 64;
/** Most fields in one `put`, all nodes together. */
export const MAX_PUT_FIELDS = 256;
/** Longest message id (`#`, `@`); Gun's are 9 random characters, plus a counter for acks. */
export const MAX_ID_LENGTH = 64;
/** Longest soul or key in a read; records.ts caps what may be written (MAX_SOUL_LENGTH…). */
export const MAX_GET_SOUL_LENGTH = 512;
export const MAX_GET_KEY_LENGTH = 256;
/** Longest error text accepted in an ack from a peer relay. */
export const MAX_ERROR_LENGTH = 512;
/** Longest `><` (peers already sent to) list kept; Gun reads only its first 99 characters. */
export const MAX_SEEN_LENGTH = 99;

/** Gun's LEX query on a soul or key: exact (`=`), prefix (`*`), range (`>` `<`). */
export interface Lex {
	'='?: string;
	'*'?: string;
	'>'?: string;
	'<'?: string;
}

/** A Gun node: `_` holds its soul and the HAM state of each field. */
export interface GunNode {
	_: { '#': string; '>': Record<string, number> };
	[key: string]: unknown;
}

/** Fields the relay keeps from any message. */
interface Base {
	'#': string;
	'@'?: string;
	'><'?: string;
}
export interface PutMessage extends Base {
	put: Record<string, GunNode>;
	ok?: { '@': number };
}
export interface GetMessage extends Base {
	get: { '#': string | Lex; '.'?: string | Lex; '%'?: number };
}
/** An acknowledgement (`@` without `put`): storage OK or an error. */
export interface AckMessage extends Base {
	'@': string;
	ok?: unknown;
	err?: string;
}
/** A DAM control message: only `?` (peer id exchange) is forwarded to Gun. */
export interface DamMessage extends Base {
	dam: string;
	pid?: string;
}

/** A message that passed the shape checks, by kind. */
export type Inbound =
	| { kind: 'put'; message: PutMessage }
	| { kind: 'get'; message: GetMessage }
	| { kind: 'ack'; message: AckMessage }
	| { kind: 'dam'; message: DamMessage };

/** Why a message was refused; the label of the relay's refusal metrics. */
export type RefusalReason =
	| 'json'
	| 'not_object'
	| 'batch'
	| 'shape'
	| 'dam'
	| 'too_large'
	| 'namespace'
	| 'signature'
	| 'future'
	| 'stale'
	| 'proof_of_work'
	| 'cid'
	| 'version'
	| 'invalid'
	| 'rate_limited'
	| 'ack_from_client';

/** The outcome of {@link sanitizeMessage}. `id` is the message's `#` when it had a usable one. */
export type Sanitized =
	{ ok: true; inbound: Inbound } | { ok: false; reason: RefusalReason; error: Error; id?: string };

/**
 * True for a plain JSON object (not an array, not null). JSON.parse only makes plain objects,
 * but objects handed over by Gun's own client code may not be.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
	const proto = Object.getPrototypeOf(value) as unknown;
	return proto === Object.prototype || proto === null;
}

function boundedString(value: unknown, max: number): value is string {
	return typeof value === 'string' && value.length > 0 && value.length <= max;
}

/** Characters of a message or peer id: what Gun generates (`String.random`), plus a few separators. */
const ID_PATTERN = /^[A-Za-z0-9_.:~-]+$/;

/**
 * True for a usable message or peer id. Gun indexes plain objects with ids (its dedup table
 * `dup.s[id]`, then `it.was = …`), so an id such as `__proto__` would write to Object.prototype
 * of the whole relay; any name Object.prototype has is refused, as is anything unusual.
 * @param value - a candidate `#`, `@` or `pid`
 * @returns whether it may be handed to Gun
 */
export function isSafeId(value: unknown): value is string {
	return boundedString(value, MAX_ID_LENGTH) && ID_PATTERN.test(value) && !(value in Object.prototype);
}

/**
 * Parse one WebSocket frame into its messages.
 * @param raw - the frame as text or bytes
 * @param maxBytes - the frame size cap (the ws server enforces it too; this guards other callers)
 * @returns the messages of the frame, each still `unknown`
 * @throws {TooLargeError} when the frame is over `maxBytes` or holds more than MAX_BATCH_MESSAGES
 * @throws {MalformedError} when it is not JSON, or not an object or array
 */
export function parseFrame(raw: string | Uint8Array, maxBytes: number): unknown[] {
	const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
	if (size > maxBytes) throw new TooLargeError('Gun frame', size, maxBytes);
	const text = typeof raw === 'string' ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('utf8');
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		throw new MalformedError('Gun frame', 'not JSON');
	}
	if (Array.isArray(value)) {
		if (value.length > MAX_BATCH_MESSAGES) throw new TooLargeError('Gun batch', value.length, MAX_BATCH_MESSAGES);
		return value;
	}
	if (!isPlainObject(value)) throw new MalformedError('Gun frame', 'not an object or array');
	return [value];
}

function parseLex(value: unknown, max: number): string | Lex | undefined {
	if (boundedString(value, max)) return value;
	if (!isPlainObject(value)) return undefined;
	const out: Lex = {};
	let any = false;
	for (const k of ['=', '*', '>', '<'] as const) {
		const v = value[k];
		if (v === undefined) continue;
		if (typeof v !== 'string' || v.length > max) return undefined;
		out[k] = v;
		any = true;
	}
	return any ? out : undefined;
}

function refuse(reason: RefusalReason, detail: string, id?: string): Sanitized {
	const result: Sanitized = { ok: false, reason, error: new MalformedError('Gun message', detail) };
	if (id !== undefined) result.id = id;
	return result;
}

/**
 * Check one message's shape and rebuild it with only the fields the relay forwards. A `put` is
 * checked for structure here (nodes, metadata, states, counts); its records are verified later.
 * @param value - one element of {@link parseFrame}'s result
 * @param newId - makes an id for a message that has none (Gun does the same)
 * @returns the rebuilt message by kind, or the reason it is refused
 */
export function sanitizeMessage(value: unknown, newId: () => string): Sanitized {
	if (!isPlainObject(value)) return refuse('not_object', 'not a JSON object');
	const rawId = value['#'];
	let id: string;
	if (rawId === undefined) id = newId();
	else if (isSafeId(rawId)) id = rawId;
	else return refuse('shape', 'its id (#) is not a short string of id characters');
	const base: Base = { '#': id };
	const ack = value['@'];
	if (ack !== undefined) {
		if (!isSafeId(ack)) return refuse('shape', 'its reply id (@) is not a short string of id characters', id);
		base['@'] = ack;
	}
	// `##` (a content hash hint) is not kept: Gun concatenates it with `@` into a dedup key, which
	// a sender could make spell `__proto__`. Without it the relay merely answers a read in full.
	const seen = value['><'];
	if (typeof seen === 'string') {
		const ids = seen.slice(0, MAX_SEEN_LENGTH).split(',').filter(isSafeId);
		if (ids.length > 0) base['><'] = ids.join(',');
	}

	if (value.dam !== undefined) {
		if (!boundedString(value.dam, 16)) return refuse('dam', 'its dam is not a short string', id);
		const message: DamMessage = { ...base, dam: value.dam };
		if (isSafeId(value.pid)) message.pid = value.pid;
		return { ok: true, inbound: { kind: 'dam', message } };
	}

	if (value.put !== undefined) {
		const put = value.put;
		if (!isPlainObject(put)) return refuse('shape', 'its put is not an object', id);
		const souls = Object.keys(put);
		if (souls.length === 0) return refuse('shape', 'its put is empty', id);
		if (souls.length > MAX_PUT_NODES) return refuse('too_large', `its put has more than ${MAX_PUT_NODES} nodes`, id);
		const nodes: Record<string, GunNode> = Object.create(null) as Record<string, GunNode>;
		let fields = 0;
		for (const soul of souls) {
			const node = put[soul];
			if (!isPlainObject(node)) return refuse('shape', 'a node is not an object', id);
			const meta = node._;
			if (!isPlainObject(meta) || meta['#'] !== soul)
				return refuse('shape', "a node's soul (_.#) is missing or differs", id);
			const states = meta['>'];
			if (!isPlainObject(states)) return refuse('shape', 'a node has no states (_.>)', id);
			// Null prototypes: a `__proto__` soul or key stays an ordinary own property.
			const out = Object.create(null) as GunNode;
			out._ = { '#': soul, '>': Object.create(null) as Record<string, number> };
			let own = 0;
			for (const key of Object.keys(node)) {
				if (key === '_') continue;
				const state = states[key];
				if (typeof state !== 'number' || !Number.isFinite(state))
					return refuse('shape', `field ${JSON.stringify(key.slice(0, 32))} has no numeric state`, id);
				if (++fields > MAX_PUT_FIELDS) return refuse('too_large', `its put has more than ${MAX_PUT_FIELDS} fields`, id);
				out._['>'][key] = state;
				out[key] = node[key];
				own++;
			}
			if (own === 0) return refuse('shape', 'a node has no fields', id);
			nodes[soul] = out;
		}
		const message: PutMessage = { ...base, put: nodes };
		const ok = value.ok;
		if (isPlainObject(ok) && typeof ok['@'] === 'number' && Number.isSafeInteger(ok['@']))
			message.ok = { '@': Math.max(0, Math.min(ok['@'], 99)) };
		return { ok: true, inbound: { kind: 'put', message } };
	}

	if (value.get !== undefined) {
		const get = value.get;
		if (!isPlainObject(get)) return refuse('shape', 'its get is not an object', id);
		const soul = parseLex(get['#'], MAX_GET_SOUL_LENGTH);
		if (soul === undefined) return refuse('shape', 'its get has no usable soul (#)', id);
		const message: GetMessage = { ...base, get: { '#': soul } };
		if (get['.'] !== undefined) {
			const key = parseLex(get['.'], MAX_GET_KEY_LENGTH);
			if (key === undefined) return refuse('shape', "its get's key (.) is not a string or LEX", id);
			message.get['.'] = key;
		}
		const limit = get['%'];
		if (typeof limit === 'number' && Number.isSafeInteger(limit) && limit > 0) message.get['%'] = limit;
		return { ok: true, inbound: { kind: 'get', message } };
	}

	if (base['@'] !== undefined) {
		const message: AckMessage = { ...base, '@': base['@'] };
		if (value.err !== undefined) {
			if (typeof value.err !== 'string') return refuse('shape', 'its err is not a string', id);
			message.err = value.err.slice(0, MAX_ERROR_LENGTH);
		} else if (value.ok !== undefined) {
			message.ok = isPlainObject(value.ok) || typeof value.ok === 'number' ? { '': 1 } : 1;
		}
		return { ok: true, inbound: { kind: 'ack', message } };
	}
	return refuse('shape', 'it is neither a put, a get, an ack nor a dam message', id);
}

/**
 * The user's relay list (Settings → Relays) and the one-off relay test behind its "Test" button.
 *
 * The list is kept in localStorage, like the language: it is a handful of public URLs, needed
 * synchronously before the relay pool starts, and it belongs to the browser profile rather than
 * to an identity (the same relays serve the share page, which needs no identity). When nothing
 * is stored the list is the default relay, the origin that served the app (docs/net.md §Relay
 * pool); once the user edits it, the stored list is used as is, so the default can be removed.
 *
 * What is read back is outside data: its length is checked before it is parsed, and every
 * entry must normalize as a relay URL, or the stored value is ignored as a whole.
 */
import { MalformedError, MiaouError, TooLargeError } from '../core/errors.ts';
import { normalizeRelayUrl, readJson, MAX_RELAY_URL_LENGTH, type Fetch } from '../net/http.ts';
import type { KeyValueStore } from './locale.svelte.ts';

/** localStorage key of the relay list. */
export const RELAYS_STORAGE_KEY = 'miaou.relays';
/** Most relays the list holds: the relay pool's own cap (relay-pool.ts MAX_POOL_RELAYS). */
export const MAX_SETTINGS_RELAYS = 16;
/** Longest stored value read back, checked before JSON.parse. */
export const MAX_RELAYS_SETTING_CHARS = MAX_SETTINGS_RELAYS * (MAX_RELAY_URL_LENGTH + 8) + 64;
/** A relay test slower than this fails (the relay pool's PING_TIMEOUT_MS). */
export const RELAY_TEST_TIMEOUT_MS = 5_000;
/** Largest `/health` answer read by a test (the relay pool's MAX_HEALTH_BYTES). */
export const MAX_TEST_HEALTH_BYTES = 64 * 1024;

/** Where the list lives (localStorage; a Map-backed object in tests). */
export type RelaySettingsStore = KeyValueStore & { removeItem(key: string): void };

/** The relay list, read and written. */
export interface RelaySettings {
	/**
	 * The stored list, or the defaults when none is stored or it is unreadable.
	 * @returns normalized URLs, no duplicates
	 */
	load(): string[];
	/**
	 * Store a list (normalized, deduplicated).
	 * @param urls - relay base URLs
	 * @returns the list as stored
	 * @throws {MalformedError} on a URL that is not http(s)/ws(s)
	 * @throws {RangeError} over {@link MAX_SETTINGS_RELAYS}
	 * @throws {DOMException} when the browser refuses the write (storage full or disabled)
	 */
	save(urls: readonly string[]): string[];
	/** Forget the stored list: the defaults apply again. */
	reset(): void;
}

/**
 * Normalize and deduplicate a relay list.
 * @param urls - relay URLs as typed or stored
 * @returns the normalized list in the same order
 * @throws {MalformedError} on a URL that is not http(s)/ws(s)
 * @throws {RangeError} over {@link MAX_SETTINGS_RELAYS}
 */
export function normalizeRelayList(urls: readonly string[]): string[] {
	const out = [...new Set(urls.map(normalizeRelayUrl))];
	if (out.length > MAX_SETTINGS_RELAYS) throw new RangeError(`at most ${MAX_SETTINGS_RELAYS} relays can be listed`);
	return out;
}

/**
 * Read a stored list.
 * @param text - the stored value
 * @returns the list, or undefined when the value is too long, not JSON, or holds a bad entry
 */
export function parseRelayList(text: string | null): string[] | undefined {
	if (text === null || text.length > MAX_RELAYS_SETTING_CHARS) return undefined;
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return undefined;
	}
	if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) return undefined;
	try {
		return normalizeRelayList(value);
	} catch {
		return undefined;
	}
}

/**
 * The relay list in a key-value store.
 * @param store - localStorage, or undefined where it is unavailable (then nothing is remembered)
 * @param defaults - the list used while none is stored (the app's origin)
 * @returns the settings
 */
export function relaySettings(store: RelaySettingsStore | undefined, defaults: () => string[]): RelaySettings {
	return {
		load() {
			let text: string | null = null;
			try {
				text = store?.getItem(RELAYS_STORAGE_KEY) ?? null;
			} catch {
				// Site data blocked: the defaults apply.
			}
			return parseRelayList(text) ?? normalizeRelayList(defaults());
		},
		save(urls) {
			const list = normalizeRelayList(urls);
			store?.setItem(RELAYS_STORAGE_KEY, JSON.stringify(list));
			return list;
		},
		reset() {
			try {
				store?.removeItem(RELAYS_STORAGE_KEY);
			} catch {
				// Nothing stored can be read either: the defaults apply already.
			}
		}
	};
}

/** Why a relay test failed, for the sentence shown. */
export type RelayTestFailure = 'timeout' | 'unreachable' | 'not-a-relay';

/** The outcome of {@link testRelay}. */
export type RelayTestResult =
	{ ok: true; url: string; latencyMs: number } | { ok: false; url: string; reason: RelayTestFailure; detail: string };

/** Options of {@link testRelay}. */
export interface RelayTestOptions {
	fetch?: Fetch;
	/** Monotonic clock for the round trip (default `performance.now`). */
	monotonic?: () => number;
	timeoutMs?: number;
	signal?: AbortSignal;
}

/**
 * Test a relay once: time a `GET /health` and check that the answer is a Miaou relay's
 * (`{"ok": true, …}`, relay/server.ts). The relay pool measures latency the same way.
 * @param input - the relay URL as typed
 * @param opts - fetch, clock, time limit, signal
 * @returns the latency, or why it failed (never throws for a network failure)
 * @throws {MalformedError} when `input` is not a relay URL
 * @throws {DOMException} (AbortError) when `opts.signal` aborts
 */
export async function testRelay(input: string, opts: RelayTestOptions = {}): Promise<RelayTestResult> {
	const url = normalizeRelayUrl(input);
	const fetchImpl: Fetch = opts.fetch ?? ((i, init) => globalThis.fetch(i, init));
	const monotonic = opts.monotonic ?? (() => globalThis.performance.now());
	const timeoutMs = opts.timeoutMs ?? RELAY_TEST_TIMEOUT_MS;
	const timeout = AbortSignal.timeout(timeoutMs);
	const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
	const started = monotonic();
	try {
		const response = await fetchImpl(`${url}/health`, { signal, cache: 'no-store' });
		const body = await readJson(response, MAX_TEST_HEALTH_BYTES, 'The relay health answer');
		const latencyMs = Math.round((monotonic() - started) * 10) / 10;
		if (!response.ok) return { ok: false, url, reason: 'not-a-relay', detail: `HTTP ${response.status}` };
		if (typeof body !== 'object' || body === null || (body as { ok?: unknown }).ok !== true)
			return { ok: false, url, reason: 'not-a-relay', detail: 'the /health answer is not a Miaou relay answer' };
		return { ok: true, url, latencyMs };
	} catch (error) {
		opts.signal?.throwIfAborted();
		if (timeout.aborted) return { ok: false, url, reason: 'timeout', detail: `no answer within ${timeoutMs} ms` };
		// Not JSON or oversized: something answers there, but not a Miaou relay.
		if (error instanceof MalformedError || error instanceof TooLargeError)
			return { ok: false, url, reason: 'not-a-relay', detail: error.message };
		const detail = error instanceof MiaouError || error instanceof Error ? error.message : String(error);
		return { ok: false, url, reason: 'unreachable', detail };
	}
}

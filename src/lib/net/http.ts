/**
 * HTTP helpers for talking to relays: bodies are read with a byte cap enforced while they
 * stream in (a relay that lies about, or omits, `Content-Length` cannot make the client buffer
 * more than the cap), and relay base URLs are normalized in one place.
 */
import { MalformedError, TooLargeError } from '../core/errors.ts';

/** The `fetch` function shape the network layer takes (the global one by default). */
export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** Longest relay URL accepted, checked before it is parsed. */
export const MAX_RELAY_URL_LENGTH = 256;

/**
 * Read a response body, refusing more than `max` bytes. The declared `Content-Length` is
 * checked first, then the running total as chunks arrive; the stream is cancelled on refusal.
 * @param response - a fetch response
 * @param max - the largest body accepted, in bytes
 * @param what - what the body is, for the error sentence
 * @returns the body bytes
 * @throws {TooLargeError} when the body is larger than `max`
 */
export async function readCapped(response: Response, max: number, what: string): Promise<Uint8Array> {
	const declared = Number(response.headers.get('content-length') ?? NaN);
	if (Number.isFinite(declared) && declared > max) {
		await response.body?.cancel().catch(() => {});
		throw new TooLargeError(what, declared, max);
	}
	const body = response.body;
	if (!body) return new Uint8Array(0);
	const reader = body.getReader();
	const chunks: Uint8Array[] = [];
	let total = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		total += value.length;
		if (total > max) {
			await reader.cancel().catch(() => {});
			throw new TooLargeError(what, total, max);
		}
		chunks.push(value);
	}
	if (chunks.length === 1) return chunks[0]!;
	const out = new Uint8Array(total);
	let offset = 0;
	for (const c of chunks) {
		out.set(c, offset);
		offset += c.length;
	}
	return out;
}

/**
 * Read a JSON response body of at most `max` bytes.
 * @param response - a fetch response
 * @param max - the largest body accepted, in bytes
 * @param what - what the body is, for error sentences
 * @returns the parsed value, still `unknown`
 * @throws {TooLargeError} when the body is larger than `max`
 * @throws {MalformedError} when it is not JSON
 */
export async function readJson(response: Response, max: number, what: string): Promise<unknown> {
	const bytes = await readCapped(response, max, what);
	try {
		return JSON.parse(new TextDecoder().decode(bytes));
	} catch {
		throw new MalformedError(what, 'not JSON');
	}
}

/**
 * Normalize a relay's base URL: `http:` or `https:` (a `ws:`/`wss:` URL is taken as the same
 * host's HTTP address), no query, fragment or trailing slash.
 * @param input - what a user or a directory entry gave
 * @returns the canonical base URL, e.g. `https://relay.example.org` or `http://127.0.0.1:8765`
 * @throws {MalformedError} when it is not an absolute http(s) or ws(s) URL
 * @example normalizeRelayUrl('wss://relay.example.org/') // 'https://relay.example.org'
 */
export function normalizeRelayUrl(input: string): string {
	if (typeof input !== 'string') throw new TypeError('relay URL must be a string');
	if (input.length > MAX_RELAY_URL_LENGTH)
		throw new MalformedError('Relay URL', `longer than ${MAX_RELAY_URL_LENGTH} characters`);
	let url: URL;
	try {
		url = new URL(input.trim());
	} catch {
		throw new MalformedError('Relay URL', `${JSON.stringify(input)} is not an absolute URL`);
	}
	const protocol = { 'http:': 'http:', 'https:': 'https:', 'ws:': 'http:', 'wss:': 'https:' }[url.protocol];
	if (!protocol) throw new MalformedError('Relay URL', `${url.protocol} is not http, https, ws or wss`);
	if (url.username || url.password) throw new MalformedError('Relay URL', 'it must not carry a user name or password');
	const path = url.pathname.replace(/\/+$/, '');
	return `${protocol}//${url.host}${path}`;
}

/**
 * The Gun WebSocket endpoint of a relay (`<base>/gun`, as the relay serves it).
 * @param base - a normalized relay URL
 * @returns the ws(s) URL
 */
export function gunSocketUrl(base: string): string {
	return `${base.replace(/^http/, 'ws')}/gun`;
}

/**
 * The relay base URL behind a Gun socket URL (the inverse of {@link gunSocketUrl}).
 * @param socketUrl - `ws(s)://…/gun`
 * @returns the http(s) base URL, or the input unchanged if it is not of that form
 */
export function relayUrlFromSocket(socketUrl: string): string {
	return /^wss?:\/\/.+\/gun$/.test(socketUrl) ? socketUrl.replace(/^ws/, 'http').slice(0, -'/gun'.length) : socketUrl;
}

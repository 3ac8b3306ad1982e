/**
 * Probing a relay over HTTP: one `GET /health` round trip (relay/server.ts), timed, size-capped,
 * with the relay's clock read from the `Date` header (RFC 9110 §6.6.1) — a client whose clock
 * runs more than MAX_CLOCK_SKEW_MS ahead signs records the relays refuse (docs/records.md).
 */
import { MiaouError } from '../lib/core/errors.ts';
import { MAX_HEALTH_BYTES } from '../lib/net/relay-pool.ts';
import { readJson, type Fetch } from '../lib/net/http.ts';
import { PROBE_TIMEOUT_MS } from './limits.ts';

/** The outcome of one probe. */
export type Probe =
	| {
			ok: true;
			url: string;
			/** Round trip of the request, headers and body, in ms. */
			latencyMs: number;
			/** The relay's `/health` body. */
			health: Record<string, unknown>;
			/** The relay's clock minus ours, in ms (±1 s: the Date header has a 1 s resolution). */
			clockSkewMs: number | undefined;
	  }
	| { ok: false; url: string; error: string };

/** Plain words for the network errors fetch reports in `cause.code` (Node/undici). */
const REASONS: Readonly<Record<string, string>> = {
	ECONNREFUSED: 'the connection was refused (is the relay running on that port?)',
	ENOTFOUND: 'the host name was not found',
	EAI_AGAIN: 'the host name could not be resolved',
	ECONNRESET: 'the connection was reset',
	EHOSTUNREACH: 'the host is unreachable',
	ENETUNREACH: 'the network is unreachable',
	ETIMEDOUT: 'the connection timed out',
	UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
	CERT_HAS_EXPIRED: "the relay's TLS certificate has expired",
	DEPTH_ZERO_SELF_SIGNED_CERT: "the relay's TLS certificate is self-signed",
	ERR_TLS_CERT_ALTNAME_INVALID: "the relay's TLS certificate is for another name"
};

/**
 * Say why a fetch failed, in words.
 * @param error - what fetch threw
 * @returns a clause such as "the connection was refused (…)"
 */
export function fetchFailure(error: unknown): string {
	const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
	const code = typeof cause?.code === 'string' ? cause.code : undefined;
	if (code !== undefined) return REASONS[code] ?? `network error ${code}`;
	// The Fetch standard's "bad port" list (ports of other protocols, e.g. 1, 25, 6000).
	if (cause?.message === 'bad port')
		return 'that port is one fetch refuses to use (Fetch standard "bad port"); pick another';
	if (error instanceof Error) return typeof cause?.message === 'string' ? cause.message : error.message;
	return String(error);
}

/**
 * Fetch a relay's `/health` once.
 * @param url - the relay's normalized base URL
 * @param opts - time limit, fetch implementation, clock
 * @returns latency, health and clock skew, or the reason it failed (never throws)
 */
export async function probeRelay(
	url: string,
	opts: { timeoutMs?: number; fetch?: Fetch; now?: () => number } = {}
): Promise<Probe> {
	const timeoutMs = opts.timeoutMs ?? PROBE_TIMEOUT_MS;
	const fetchImpl: Fetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
	const now = opts.now ?? Date.now;
	const sentAt = now();
	const started = performance.now();
	const signal = AbortSignal.timeout(timeoutMs);
	try {
		const response = await fetchImpl(`${url}/health`, { signal, cache: 'no-store' });
		const body = await readJson(response, MAX_HEALTH_BYTES, 'The relay health answer');
		const latencyMs = Math.round((performance.now() - started) * 10) / 10;
		if (!response.ok)
			return { ok: false, url, error: `it answered HTTP ${response.status} at /health, not a Miaou relay` };
		if (typeof body !== 'object' || body === null || (body as { ok?: unknown }).ok !== true)
			return { ok: false, url, error: 'its /health answer is not that of a Miaou relay' };
		const date = Date.parse(response.headers.get('date') ?? '');
		const clockSkewMs = Number.isFinite(date) ? Math.round(date - (sentAt + latencyMs / 2)) : undefined;
		return { ok: true, url, latencyMs, health: body as Record<string, unknown>, clockSkewMs };
	} catch (error) {
		if (signal.aborted) return { ok: false, url, error: `no answer within ${timeoutMs / 1000} s` };
		// An oversized or non-JSON answer: the named error's sentence says which.
		if (error instanceof MiaouError) return { ok: false, url, error: error.message.replace(/\.$/, '') };
		return { ok: false, url, error: fetchFailure(error) };
	}
}

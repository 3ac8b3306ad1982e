import { describe, expect, it } from 'vitest';
import { fetchFailure, probeRelay } from './probe.ts';

const URL_ = 'https://relay.example.org';

/** A fetch that answers once with this body, status and headers, recording the request. */
function answering(body: string, init: ResponseInit = { status: 200 }, calls: string[] = []) {
	return async (input: string): Promise<Response> => {
		calls.push(input);
		return new Response(body, init);
	};
}

describe('probeRelay', () => {
	it('times /health and reads the relay clock from the Date header', async () => {
		const calls: string[] = [];
		const relayNow = Date.UTC(2026, 0, 1, 12, 0, 30);
		const probe = await probeRelay(URL_, {
			fetch: answering(
				JSON.stringify({ ok: true, uptime: 5 }),
				{ status: 200, headers: { date: new Date(relayNow).toUTCString() } },
				calls
			),
			now: () => relayNow - 90_000 // our clock runs 90 s behind the relay's
		});
		expect(calls).toEqual([`${URL_}/health`]);
		expect(probe.ok).toBe(true);
		if (!probe.ok) return;
		expect(probe.health).toEqual({ ok: true, uptime: 5 });
		expect(probe.latencyMs).toBeGreaterThanOrEqual(0);
		expect(probe.clockSkewMs).toBeGreaterThan(89_000);
		expect(probe.clockSkewMs).toBeLessThanOrEqual(90_000);
	});

	it('refuses what is not a Miaou relay', async () => {
		expect(await probeRelay(URL_, { fetch: answering('{"error":"Not found."}', { status: 404 }) })).toEqual({
			ok: false,
			url: URL_,
			error: 'it answered HTTP 404 at /health, not a Miaou relay'
		});
		expect(await probeRelay(URL_, { fetch: answering('{"status":"up"}') })).toMatchObject({
			ok: false,
			error: 'its /health answer is not that of a Miaou relay'
		});
		expect(await probeRelay(URL_, { fetch: answering('<html>') })).toMatchObject({
			ok: false,
			error: 'The relay health answer is malformed: not JSON'
		});
		expect(await probeRelay(URL_, { fetch: answering('x'.repeat(70_000)) })).toMatchObject({
			ok: false,
			error: expect.stringMatching(/^The relay health answer is \d+ bytes, more than the limit of 65536 bytes$/)
		});
	});

	it('gives up after the time limit', async () => {
		const never = (_input: string, init?: RequestInit): Promise<Response> =>
			new Promise((_resolve, reject) =>
				init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))
			);
		expect(await probeRelay(URL_, { fetch: never, timeoutMs: 50 })).toEqual({
			ok: false,
			url: URL_,
			error: 'no answer within 0.05 s'
		});
	});

	it('says why a connection failed, in words', async () => {
		const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
		const failing = async (): Promise<Response> => {
			throw refused;
		};
		expect(await probeRelay(URL_, { fetch: failing })).toMatchObject({
			ok: false,
			error: 'the connection was refused (is the relay running on that port?)'
		});
		expect(fetchFailure(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } }))).toBe(
			'the host name was not found'
		);
		expect(fetchFailure(Object.assign(new TypeError('fetch failed'), { cause: { code: 'EWHATEVER' } }))).toBe(
			'network error EWHATEVER'
		);
		expect(fetchFailure(Object.assign(new TypeError('fetch failed'), { cause: new Error('bad port') }))).toBe(
			'that port is one fetch refuses to use (Fetch standard "bad port"); pick another'
		);
		expect(fetchFailure(Object.assign(new TypeError('fetch failed'), { cause: new Error('socket hang up') }))).toBe(
			'socket hang up'
		);
		expect(fetchFailure('odd')).toBe('odd');
	});
});

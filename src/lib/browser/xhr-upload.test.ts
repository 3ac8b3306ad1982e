/**
 * The XHR-backed fetch, driven by a scripted XMLHttpRequest (Node has none). The real one is
 * exercised in Chromium by tests/e2e/share.e2e.ts, where the upload progress comes from it.
 */
import { describe, expect, it } from 'vitest';
import { parseResponseHeaders, xhrFetch, type XhrLike } from './xhr-upload.ts';

type Script = (xhr: ScriptedXhr) => void;

class ScriptedXhr implements XhrLike {
	static script: Script = () => {};
	static last: ScriptedXhr | undefined;
	method = '';
	url = '';
	headers: [string, string][] = [];
	body: unknown;
	aborted = false;
	responseType: XMLHttpRequestResponseType = '';
	response: unknown = null;
	status = 0;
	statusText = '';
	responseHeaders = '';
	onload: ((event: unknown) => void) | null = null;
	onerror: ((event: unknown) => void) | null = null;
	onabort: ((event: unknown) => void) | null = null;
	ontimeout: ((event: unknown) => void) | null = null;
	upload: { onprogress: ((event: { loaded: number; total: number }) => void) | null } = { onprogress: null };
	constructor() {
		ScriptedXhr.last = this;
	}
	open(method: string, url: string) {
		this.method = method;
		this.url = url;
	}
	setRequestHeader(name: string, value: string) {
		this.headers.push([name, value]);
	}
	send(body: unknown) {
		this.body = body;
		const run = ScriptedXhr.script;
		setTimeout(() => run(this), 0);
	}
	abort() {
		this.aborted = true;
		setTimeout(() => this.onabort?.({}), 0);
	}
	getAllResponseHeaders() {
		return this.responseHeaders;
	}
}

function answer(xhr: ScriptedXhr, status: number, body: string, headers: string) {
	const total = (xhr.body as Uint8Array).length;
	for (const loaded of [0, Math.floor(total / 2), total]) xhr.upload.onprogress?.({ loaded, total });
	xhr.status = status;
	xhr.statusText = status === 200 ? 'OK' : 'Bad Request';
	xhr.response = new TextEncoder().encode(body).buffer;
	xhr.responseHeaders = headers;
	xhr.onload?.({});
}

describe('xhrFetch', () => {
	it('sends a body through XHR, reports its progress and answers with a Response', async () => {
		const progress: [number, number, string][] = [];
		ScriptedXhr.script = (x) =>
			answer(x, 200, '{"roots":["b"]}', 'Content-Type: application/json\r\nX-Ipfs-Roots: b\r\nbad line\r\n');
		const fetch = xhrFetch({
			XMLHttpRequest: ScriptedXhr,
			onUploadProgress: (loaded, total, url) => progress.push([loaded, total, url]),
			fetch: () => Promise.reject(new Error('must not be used'))
		});
		const body = new Uint8Array(1000);
		const response = await fetch('http://relay.test/api/v1/car', {
			method: 'POST',
			headers: { 'content-type': 'application/vnd.ipld.car', accept: 'application/json' },
			body
		});
		const xhr = ScriptedXhr.last!;
		expect(xhr.method).toBe('POST');
		expect(xhr.body).toBe(body);
		expect(xhr.responseType).toBe('arraybuffer');
		expect(xhr.headers).toEqual([
			['accept', 'application/json'],
			['content-type', 'application/vnd.ipld.car']
		]);
		expect(progress).toEqual([
			[0, 1000, 'http://relay.test/api/v1/car'],
			[500, 1000, 'http://relay.test/api/v1/car'],
			[1000, 1000, 'http://relay.test/api/v1/car']
		]);
		expect(response.status).toBe(200);
		expect(response.ok).toBe(true);
		expect(response.headers.get('x-ipfs-roots')).toBe('b');
		expect(await response.json()).toEqual({ roots: ['b'] });
	});

	it('passes error statuses through, and a 204 without a body', async () => {
		ScriptedXhr.script = (x) => answer(x, 400, '{"code":"ERR_QUOTA"}', '');
		const fetch = xhrFetch({ XMLHttpRequest: ScriptedXhr });
		const refused = await fetch('http://relay.test/x', { method: 'POST', body: new Uint8Array(3) });
		expect(refused.status).toBe(400);
		expect(await refused.json()).toEqual({ code: 'ERR_QUOTA' });
		ScriptedXhr.script = (x) => answer(x, 204, 'ignored', '');
		expect((await fetch('http://relay.test/x', { method: 'POST', body: new Uint8Array(3) })).status).toBe(204);
	});

	it('rejects with a TypeError on a network error, and with the signal’s reason on abort', async () => {
		ScriptedXhr.script = (x) => x.onerror?.({});
		const fetch = xhrFetch({ XMLHttpRequest: ScriptedXhr });
		await expect(fetch('http://relay.test/x', { method: 'POST', body: new Uint8Array(1) })).rejects.toThrow(TypeError);

		ScriptedXhr.script = () => {}; // never answers
		const abort = new AbortController();
		const running = fetch('http://relay.test/x', { method: 'POST', body: new Uint8Array(1), signal: abort.signal });
		abort.abort(new DOMException('stop', 'AbortError'));
		await expect(running).rejects.toMatchObject({ name: 'AbortError', message: 'stop' });
		expect(ScriptedXhr.last!.aborted).toBe(true);
		await expect(
			fetch('http://relay.test/x', { method: 'POST', body: new Uint8Array(1), signal: abort.signal })
		).rejects.toMatchObject({ name: 'AbortError' });
	});

	it('leaves requests without a body to fetch, and needs XMLHttpRequest for the others', async () => {
		const seen: string[] = [];
		const fetch = xhrFetch({
			fetch: async (url) => {
				seen.push(url);
				return new Response('block');
			}
		});
		expect(await (await fetch('http://relay.test/ipfs/b?format=raw')).text()).toBe('block');
		expect(seen).toEqual(['http://relay.test/ipfs/b?format=raw']);
		await expect(fetch('http://relay.test/x', { method: 'POST', body: new Uint8Array(1) })).rejects.toThrow(
			'XMLHttpRequest is not available'
		);
	});

	it('parses a raw header block', () => {
		const h = parseResponseHeaders('a: 1\r\nB:2\r\n\r\nno-colon\r\n: empty\r\nA: 3');
		expect(h.get('a')).toBe('1, 3');
		expect(h.get('b')).toBe('2');
	});
});

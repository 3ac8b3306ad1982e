/**
 * A `fetch` that reports upload progress, for the blob store's CAR uploads in the browser.
 *
 * `fetch` cannot report how much of a request body has been sent: a streaming request body
 * (Fetch §5.3, `duplex: 'half'`) is what would allow it, and Chromium only sends those over
 * HTTP/2, while a relay usually speaks HTTP/1.1. XMLHttpRequest has had upload progress events
 * all along (XHR §3.6.4, `xhr.upload.onprogress`). This module sends requests that carry a body
 * through XHR and answers with a standard `Response`; everything else goes to `fetch`, so it
 * slots into `relayBlobStore({ fetch })` unchanged (docs/net.md §Blobs, "Progress").
 */
import type { Fetch } from '../net/http.ts';

/** Called as a request body goes out: bytes sent so far, body size, and the request URL. */
export type UploadProgress = (loaded: number, total: number, url: string) => void;

/** The part of XMLHttpRequest used here (WHATWG XHR), so a test can pass another. */
export interface XhrLike {
	open(method: string, url: string): void;
	setRequestHeader(name: string, value: string): void;
	send(body: XMLHttpRequestBodyInit | null): void;
	abort(): void;
	getAllResponseHeaders(): string;
	responseType: XMLHttpRequestResponseType;
	readonly response: unknown;
	readonly status: number;
	readonly statusText: string;
	onload: ((event: unknown) => void) | null;
	onerror: ((event: unknown) => void) | null;
	onabort: ((event: unknown) => void) | null;
	ontimeout: ((event: unknown) => void) | null;
	readonly upload: { onprogress: ((event: { loaded: number; total: number }) => void) | null };
}

/** Options of {@link xhrFetch}. */
export interface XhrFetchOptions {
	/** Told of upload progress of every request sent with a body. */
	onUploadProgress?: UploadProgress;
	/** Where requests without a body go (default: the global fetch). */
	fetch?: Fetch;
	/** The XMLHttpRequest constructor (default: the global one). */
	XMLHttpRequest?: new () => XhrLike;
}

/** Statuses whose response has no body (Fetch §2.2.3 "null body status"). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Parse `getAllResponseHeaders()` output (XHR §3.6.6: `name: value` lines separated by CRLF).
 * @param text - the raw header block
 * @returns the headers
 */
export function parseResponseHeaders(text: string): Headers {
	const headers = new Headers();
	for (const line of text.split(/\r?\n/)) {
		const colon = line.indexOf(':');
		if (colon <= 0) continue;
		try {
			headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
		} catch {
			// A header name Headers refuses (not a token): skip it rather than fail the request.
		}
	}
	return headers;
}

function headerEntries(init: HeadersInit | undefined): [string, string][] {
	if (!init) return [];
	return [...new Headers(init).entries()];
}

/**
 * Make a fetch function that sends requests with a body through XMLHttpRequest and reports
 * their upload progress. Network failures reject with a TypeError (as `fetch` does); an abort
 * through `init.signal` rejects with the signal's reason.
 * @param opts - progress callback, fallback fetch, XMLHttpRequest constructor
 * @returns a {@link Fetch}
 * @throws {TypeError} from the returned function when a body is given and no XMLHttpRequest exists
 * @example relayBlobStore(urls, { fetch: xhrFetch({ onUploadProgress: (sent, total) => show(sent / total) }) })
 */
export function xhrFetch(opts: XhrFetchOptions = {}): Fetch {
	const fallback: Fetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
	return (input, init = {}) => {
		if (init.body === undefined || init.body === null) return fallback(input, init);
		const Xhr = opts.XMLHttpRequest ?? (globalThis.XMLHttpRequest as unknown as (new () => XhrLike) | undefined);
		if (!Xhr) return Promise.reject(new TypeError('XMLHttpRequest is not available'));
		const signal = init.signal ?? undefined;
		if (signal?.aborted) return Promise.reject(signal.reason);
		return new Promise<Response>((resolve, reject) => {
			const xhr = new Xhr();
			const onAbort = (): void => xhr.abort();
			const done = (): void => signal?.removeEventListener('abort', onAbort);
			xhr.open(init.method ?? 'POST', input);
			for (const [name, value] of headerEntries(init.headers)) xhr.setRequestHeader(name, value);
			xhr.responseType = 'arraybuffer';
			xhr.upload.onprogress = (event) => opts.onUploadProgress?.(event.loaded, event.total, input);
			xhr.onload = () => {
				done();
				const status = xhr.status;
				const body = NULL_BODY_STATUSES.has(status) ? null : (xhr.response as ArrayBuffer | null);
				try {
					resolve(
						new Response(body, {
							status,
							statusText: xhr.statusText,
							headers: parseResponseHeaders(xhr.getAllResponseHeaders())
						})
					);
				} catch (error) {
					reject(error instanceof Error ? error : new TypeError(String(error)));
				}
			};
			xhr.onerror = () => {
				done();
				reject(new TypeError(`network error while sending to ${input}`));
			};
			xhr.ontimeout = xhr.onerror;
			xhr.onabort = () => {
				done();
				reject(signal?.reason ?? new DOMException('The upload was aborted.', 'AbortError'));
			};
			signal?.addEventListener('abort', onAbort, { once: true });
			xhr.send(init.body as XMLHttpRequestBodyInit);
		});
	};
}

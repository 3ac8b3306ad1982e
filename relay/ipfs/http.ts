/**
 * Small HTTP helpers of the IPFS routes: JSON answers, error answers, a size-capped request body
 * and query parameter parsing. node:http only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MalformedError, TooLargeError } from '../../src/lib/core/errors.ts';
import { errorBody, httpStatus, MethodNotAllowedError } from './errors.ts';

/**
 * Headers on every answer of the IPFS routes: any origin may read public, content-addressed data
 * (the web app fetches from several relays), and nothing is ever sniffed into another type.
 */
export const COMMON_HEADERS: Readonly<Record<string, string>> = {
	'access-control-allow-origin': '*',
	'access-control-expose-headers': 'Content-Length, Content-Type, Content-Disposition, Etag, X-Ipfs-Path, X-Ipfs-Roots',
	'x-content-type-options': 'nosniff'
};

/**
 * Answer with a JSON body.
 * @param res - the response
 * @param status - HTTP status
 * @param body - any JSON-serialisable value
 * @param head - when true (a HEAD request), send the headers only
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, head = false): void {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		...COMMON_HEADERS,
		'content-type': 'application/json; charset=utf-8',
		'content-length': Buffer.byteLength(text),
		'cache-control': 'no-store'
	});
	res.end(head ? undefined : text);
}

/**
 * Answer with the JSON error body `{ error, code }` and the status that fits the error. When the
 * request body was not read to its end (a refused upload), the connection is closed after the
 * answer instead of draining an unbounded body.
 * @param req - the request
 * @param res - the response
 * @param err - what was thrown
 * @returns the status sent
 */
export function sendError(req: IncomingMessage, res: ServerResponse, err: unknown): number {
	const status = httpStatus(err);
	if (res.headersSent) {
		// Mid-stream (a CAR response): the only honest signal left is cutting the stream, as the
		// Trustless Gateway spec says for a missing child block.
		res.destroy(err instanceof Error ? err : undefined);
		return status;
	}
	if (err instanceof MethodNotAllowedError) res.setHeader('allow', err.allow);
	if (!req.complete) res.setHeader('connection', 'close');
	sendJson(res, status, errorBody(err), req.method === 'HEAD');
	return status;
}

/**
 * The request body as chunks, refusing more than `max` bytes: a declared Content-Length over the
 * cap fails before reading, an undeclared (chunked) body fails as soon as the count passes it.
 * @param req - the request
 * @param max - largest body accepted
 * @param what - the body's name for the error message
 * @returns the body chunks
 * @throws {TooLargeError} over `max`
 */
export async function* cappedBody(req: IncomingMessage, max: number, what: string): AsyncGenerator<Uint8Array> {
	const declared = req.headers['content-length'];
	if (declared !== undefined && Number(declared) > max) throw new TooLargeError(what, Number(declared), max);
	let total = 0;
	for await (const chunk of req as AsyncIterable<Buffer>) {
		total += chunk.length;
		if (total > max) throw new TooLargeError(what, total, max);
		yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
	}
}

/**
 * Parse an optional whole-number query parameter.
 * @param params - the URL's search parameters
 * @param name - the parameter
 * @param min - smallest value accepted
 * @returns the value, or undefined when absent
 * @throws {MalformedError} when present but not a whole number of at least `min`
 */
export function intParam(params: URLSearchParams, name: string, min: number): number | undefined {
	const text = params.get(name);
	if (text === null) return undefined;
	if (!/^\d{1,15}$/.test(text) || Number(text) < min)
		throw new MalformedError(`The ${name} parameter`, `it must be a whole number from ${min}`);
	return Number(text);
}

/**
 * The media type of a Content-Type or Accept entry, without parameters, lower case.
 * @param value - e.g. `application/vnd.ipld.car; version=1`
 * @returns e.g. `application/vnd.ipld.car`
 */
export function mediaType(value: string | undefined): string {
	return (value ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

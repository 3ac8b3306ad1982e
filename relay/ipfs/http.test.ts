import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
	CidError,
	ContentNotFoundError,
	HashMismatchError,
	IncompleteDagError,
	MalformedError,
	QuotaExceededError,
	TooLargeError,
	UnsupportedCodecError,
	UnsupportedHashError
} from '../../src/lib/core/errors.ts';
import {
	BusyError,
	errorBody,
	FormatError,
	httpStatus,
	MethodNotAllowedError,
	NotAcceptableError,
	NotCachedError,
	TooManyError,
	UnsupportedMediaTypeError
} from './errors.ts';
import { cappedBody, intParam, mediaType, sendError } from './http.ts';
import { request } from './testing.ts';

describe('httpStatus', () => {
	it('maps each error to its status', () => {
		const cases: Array<[unknown, number]> = [
			[new TooLargeError('x', 2, 1), 413],
			[new TooManyError('x', 2, 1), 413],
			[new QuotaExceededError(2, 1), 507],
			[new ContentNotFoundError('bafy'), 404],
			[new NotAcceptableError('text/html'), 406],
			[new UnsupportedMediaTypeError('text/plain', 'application/vnd.ipld.car'), 415],
			[new MethodNotAllowedError('PUT', 'GET'), 405],
			[new NotCachedError('bafy'), 412],
			[new BusyError('uploads'), 503],
			[new FormatError('x'), 400],
			[new CidError('x'), 400],
			[new MalformedError('x'), 400],
			[new HashMismatchError('bafy'), 400],
			[new UnsupportedCodecError(1, 'raw'), 400],
			[new UnsupportedHashError(1, 'sha2-256'), 400],
			[new IncompleteDagError('bafy'), 400],
			[new Error('internal'), 500],
			['string', 500]
		];
		for (const [err, status] of cases) expect(httpStatus(err)).toBe(status);
	});

	it('never leaks an internal error message', () => {
		expect(errorBody(new Error('/secret/path failed'))).toEqual({
			code: 'ERR_INTERNAL',
			error: expect.not.stringContaining('secret') as unknown as string
		});
		expect(errorBody(new QuotaExceededError(10, 5))).toEqual({
			code: 'ERR_QUOTA',
			error: expect.stringMatching(/10 bytes/) as unknown as string
		});
	});
});

describe('cappedBody', () => {
	async function serve(handler: http.RequestListener): Promise<{ url: string; close: () => void }> {
		const server = http.createServer(handler);
		server.listen(0, '127.0.0.1');
		await once(server, 'listening');
		return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
	}

	it('passes a body under the cap and refuses one over it, declared or chunked', async () => {
		const results: string[] = [];
		const { url, close } = await serve((req, res) => {
			void (async () => {
				try {
					let n = 0;
					for await (const c of cappedBody(req, 100, 'The body')) n += c.length;
					results.push(`ok ${n}`);
					res.end('ok');
				} catch (err) {
					results.push((err as Error).constructor.name);
					sendError(req, res, err);
				}
			})();
		});
		try {
			expect((await request(url, { method: 'POST', body: new Uint8Array(100) })).status).toBe(200);
			const declared = await request(url, { method: 'POST', body: new Uint8Array(101) });
			expect(declared.status).toBe(413);
			expect(declared.json?.code).toBe('ERR_TOO_LARGE');
			const chunked = await request(url, {
				method: 'POST',
				headers: { 'transfer-encoding': 'chunked' },
				body: new Uint8Array(5000)
			});
			expect([0, 413]).toContain(chunked.status);
			expect(results).toEqual(['ok 100', 'TooLargeError', 'TooLargeError']);
		} finally {
			close();
		}
	});
});

describe('intParam and mediaType', () => {
	it('parses whole numbers and refuses the rest', () => {
		const p = new URLSearchParams('a=5&b=-1&c=1.5&d=x&e=0');
		expect(intParam(p, 'a', 1)).toBe(5);
		expect(intParam(p, 'missing', 1)).toBeUndefined();
		for (const name of ['b', 'c', 'd', 'e']) expect(() => intParam(p, name, 1)).toThrow(MalformedError);
	});

	it('strips parameters and case', () => {
		expect(mediaType('Application/VND.ipld.car; version=1')).toBe('application/vnd.ipld.car');
		expect(mediaType(undefined)).toBe('');
	});
});

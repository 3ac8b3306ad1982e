import { describe, expect, it } from 'vitest';
import { FormatError, NotAcceptableError } from './errors.ts';
import { negotiate } from './gateway.ts';

const q = (s = '') => new URLSearchParams(s);

describe('negotiate (Trustless Gateway content negotiation)', () => {
	it('takes ?format= first, over Accept', () => {
		expect(negotiate(q('format=raw'), 'application/vnd.ipld.car')).toMatchObject({ format: 'raw', fromQuery: true });
		expect(negotiate(q('format=car'), 'application/vnd.ipld.raw')).toMatchObject({ format: 'car', fromQuery: true });
	});

	it('reads Accept with q-values and order', () => {
		expect(negotiate(q(), 'application/vnd.ipld.raw')).toMatchObject({ format: 'raw', fromQuery: false });
		expect(negotiate(q(), 'application/vnd.ipld.car;version=1;order=dfs;dups=y')).toMatchObject({
			format: 'car',
			dups: true
		});
		expect(negotiate(q(), 'application/vnd.ipld.raw;q=0.5, application/vnd.ipld.car')).toMatchObject({ format: 'car' });
		expect(negotiate(q(), 'text/html, application/vnd.ipld.raw;q=0.1')).toMatchObject({ format: 'raw' });
		expect(negotiate(q(), 'application/vnd.ipld.car; version=2, application/vnd.ipld.raw;q=0.2')).toMatchObject({
			format: 'raw'
		});
	});

	it('answers 400 (FormatError) when no format is named at all', () => {
		expect(() => negotiate(q(), undefined)).toThrow(FormatError);
		expect(() => negotiate(q(), '  ')).toThrow(FormatError);
	});

	it('answers 406 (NotAcceptableError) when Accept lists nothing served', () => {
		for (const accept of ['text/html', '*/*', 'application/vnd.ipld.car;version=2', 'application/vnd.ipld.raw;q=0'])
			expect(() => negotiate(q(), accept)).toThrow(NotAcceptableError);
	});

	it('refuses unknown formats and CAR parameters', () => {
		for (const s of [
			'format=dag-json',
			'format=',
			'format=car&car-version=2',
			'format=car&car-order=weird',
			'format=car&car-dups=maybe',
			'format=car&dag-scope=nope',
			'format=car&entity-bytes=0:10'
		])
			expect(() => negotiate(q(s), undefined)).toThrow(FormatError);
	});

	it('reads dag-scope and car-dups', () => {
		expect(negotiate(q('format=car&dag-scope=block&car-dups=y'), undefined)).toEqual({
			format: 'car',
			fromQuery: true,
			scope: 'block',
			dups: true
		});
		expect(negotiate(q('format=car'), undefined)).toMatchObject({ scope: 'all', dups: false });
	});
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MalformedError, TooLargeError } from '../../src/lib/core/errors.ts';
import {
	MAX_BATCH_MESSAGES,
	MAX_PUT_FIELDS,
	MAX_PUT_NODES,
	parseFrame,
	sanitizeMessage,
	type Sanitized
} from './messages.ts';

let n = 0;
const newId = (): string => `gen${n++}`;
const soul = 'miaou/v1/trust/x';
const node = (fields: Record<string, unknown>, states?: Record<string, unknown>) => ({
	_: { '#': soul, '>': states ?? Object.fromEntries(Object.keys(fields).map((k) => [k, 1])) },
	...fields
});

function ok(s: Sanitized) {
	if (!s.ok) throw new Error(`refused: ${s.reason} ${s.error.message}`);
	return s.inbound;
}

describe('parseFrame', () => {
	it('returns the messages of an object or array frame', () => {
		expect(parseFrame('{"#":"a"}', 100)).toEqual([{ '#': 'a' }]);
		expect(parseFrame(Buffer.from('[{"#":"a"},1]'), 100)).toEqual([{ '#': 'a' }, 1]);
	});

	it('refuses oversized frames before parsing, bad JSON, scalars and huge batches', () => {
		expect(() => parseFrame('{"#":"' + 'a'.repeat(200) + '"}', 100)).toThrow(TooLargeError);
		expect(() => parseFrame('{"#":', 100)).toThrow(MalformedError);
		expect(() => parseFrame('42', 100)).toThrow(MalformedError);
		expect(() => parseFrame('null', 100)).toThrow(MalformedError);
		expect(() => parseFrame(JSON.stringify(Array(MAX_BATCH_MESSAGES + 1).fill({})), 1e6)).toThrow(TooLargeError);
	});

	it('survives deep nesting', () => {
		expect(parseFrame('['.repeat(50_000) + ']'.repeat(50_000), 1e6)).toHaveLength(1);
	});
});

describe('sanitizeMessage', () => {
	it('rebuilds a put with only the fields Gun needs', () => {
		const m = ok(
			sanitizeMessage(
				{ '#': 'p1', put: { [soul]: node({ k: 'v' }) }, ok: { '@': 10 }, $: 1, _: 2, DBG: 3, NTS: 1 },
				newId
			)
		);
		expect(m).toEqual({ kind: 'put', message: { '#': 'p1', put: { [soul]: node({ k: 'v' }) }, ok: { '@': 10 } } });
	});

	it('gives an id to a message without one, and keeps gets, acks and the ? handshake', () => {
		const g = ok(sanitizeMessage({ get: { '#': soul, '.': 'k', '%': 5 } }, newId));
		expect(g.kind).toBe('get');
		expect(g.message['#']).toMatch(/^gen\d+$/);
		expect(ok(sanitizeMessage({ '#': 'g', get: { '#': { '*': 'miaou/v1/' } } }, newId)).kind).toBe('get');
		expect(ok(sanitizeMessage({ '#': 'a', '@': 'p1', ok: { '': 1 } }, newId))).toEqual({
			kind: 'ack',
			message: { '#': 'a', '@': 'p1', ok: { '': 1 } }
		});
		expect(ok(sanitizeMessage({ '#': 'd', dam: '?', pid: 'abc', opt: { peers: 'x' } }, newId))).toEqual({
			kind: 'dam',
			message: { '#': 'd', dam: '?', pid: 'abc' }
		});
	});

	it.each<[string, unknown, string]>([
		['not an object', [1], 'not_object'],
		['a numeric id', { '#': 5, get: { '#': soul } }, 'shape'],
		['an id named after Object.prototype', { '#': '__proto__', get: { '#': soul } }, 'shape'],
		['an id "constructor"', { '#': 'constructor', dam: '?' }, 'shape'],
		['a reply id "hasOwnProperty"', { '#': 'a', '@': 'hasOwnProperty', ok: 1 }, 'shape'],
		['an id with odd characters', { '#': 'a b', get: { '#': soul } }, 'shape'],
		['a long id', { '#': 'x'.repeat(65), get: { '#': soul } }, 'shape'],
		['an empty put', { '#': 'p', put: {} }, 'shape'],
		['a put that is a string', { '#': 'p', put: 'x' }, 'shape'],
		['a node without meta', { '#': 'p', put: { [soul]: { k: 'v' } } }, 'shape'],
		[
			'a node whose soul differs',
			{ '#': 'p', put: { [soul]: { _: { '#': 'other', '>': { k: 1 } }, k: 'v' } } },
			'shape'
		],
		['a field without state', { '#': 'p', put: { [soul]: node({ k: 'v' }, {}) } }, 'shape'],
		['a string state', { '#': 'p', put: { [soul]: node({ k: 'v' }, { k: '1' }) } }, 'shape'],
		['a node without fields', { '#': 'p', put: { [soul]: { _: { '#': soul, '>': {} } } } }, 'shape'],
		[
			'too many nodes',
			{
				'#': 'p',
				put: Object.fromEntries(
					Array.from({ length: MAX_PUT_NODES + 1 }, (_, i) => [`s${i}`, { _: { '#': `s${i}`, '>': { k: 1 } }, k: 1 }])
				)
			},
			'too_large'
		],
		[
			'too many fields',
			{
				'#': 'p',
				put: { [soul]: node(Object.fromEntries(Array.from({ length: MAX_PUT_FIELDS + 1 }, (_, i) => [`k${i}`, 1]))) }
			},
			'too_large'
		],
		['a get without soul', { '#': 'g', get: { '.': 'k' } }, 'shape'],
		['a get with an object key of numbers', { '#': 'g', get: { '#': soul, '.': { '>': 1 } } }, 'shape'],
		['a dam that is not a string', { '#': 'd', dam: { opt: 1 } }, 'dam'],
		['an ack whose err is not text', { '#': 'a', '@': 'p', err: { x: 1 } }, 'shape'],
		['nothing Gun knows', { '#': 'z', hello: 1 }, 'shape']
	])('refuses %s', (_label, value, reason) => {
		const s = sanitizeMessage(value, newId);
		expect(s.ok).toBe(false);
		if (!s.ok) expect(s.reason).toBe(reason);
	});

	it('drops the ## hint, unsafe pids and unsafe names in ><', () => {
		const m = ok(sanitizeMessage({ '#': 'g', '##': 5, '><': 'abc,__proto__,x y,def', get: { '#': soul } }, newId));
		expect(m.message).toEqual({ '#': 'g', '><': 'abc,def', get: { '#': soul } });
		const d = ok(sanitizeMessage({ '#': 'd', dam: '?', pid: 'toString' }, newId));
		expect(d.message).toEqual({ '#': 'd', dam: '?' });
	});

	it('keeps a __proto__ key as data, never as a prototype', () => {
		const value = JSON.parse(
			`{"#":"p","put":{"__proto__":{"_":{"#":"__proto__",">":{"__proto__":1}},"__proto__":{"polluted":true}}}}`
		) as unknown;
		const m = ok(sanitizeMessage(value, newId));
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		if (m.kind !== 'put') throw new Error('not a put');
		expect(Object.keys(m.message.put)).toEqual(['__proto__']);
		const node = m.message.put['__proto__']!;
		expect(Object.keys(node)).toEqual(['_', '__proto__']);
		expect((node as Record<string, unknown>).polluted).toBeUndefined();
		expect(Object.keys(node._['>'])).toEqual(['__proto__']);
	});

	it('never throws and keeps only known top-level fields, whatever JSON it gets', () => {
		const allowed = new Set(['#', '@', '><', 'put', 'get', 'ok', 'err', 'dam', 'pid']);
		fc.assert(
			fc.property(
				fc.jsonValue({ maxDepth: 4 }),
				fc.record(
					{ put: fc.jsonValue(), get: fc.jsonValue(), dam: fc.jsonValue(), '#': fc.jsonValue() },
					{ requiredKeys: [] }
				),
				(a, b) => {
					for (const value of [a, b]) {
						const s = sanitizeMessage(value, newId);
						if (s.ok) for (const k of Object.keys(s.inbound.message)) expect(allowed.has(k)).toBe(true);
					}
				}
			),
			{ numRuns: 2000 }
		);
	});
});

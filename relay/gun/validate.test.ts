import { describe, expect, it, vi } from 'vitest';
import { MalformedError } from '../../src/lib/core/errors.ts';
import { identity, trustRecord } from '../../tests/helpers/relay-fixtures.ts';
import type { PutMessage } from './messages.ts';
import { recordCheck } from './record-check.ts';
import { hamCompare, reasonOf, verifyPut, type CheckField } from './validate.ts';
import type { SignedRecord } from '../../src/lib/core/records.ts';

function put(...recs: SignedRecord[]): PutMessage {
	const nodes: PutMessage['put'] = {};
	for (const r of recs) {
		const node = (nodes[r.soul] ??= { _: { '#': r.soul, '>': {} } });
		node[r.key] = r.value;
		node._['>'][r.key] = r.state;
	}
	return { '#': 'm1', put: nodes };
}

const none = () => undefined;
const check = recordCheck();

describe('verifyPut', () => {
	it('accepts a put whose every field verifies, counting what is new', async () => {
		const me = identity();
		const a = await trustRecord(me, identity().id, Date.now() - 1000);
		const b = await trustRecord(me, identity().id, Date.now() - 1000);
		expect(await verifyPut(put(a, b), check, none)).toEqual({ ok: true, fresh: 2, duplicates: 0 });
	});

	it('refuses the whole put when one field fails, naming the reason', async () => {
		const me = identity();
		const good = await trustRecord(me, identity().id, Date.now() - 1000);
		const bad = await trustRecord(me, identity().id, Date.now() - 1000);
		const forged = { ...bad, value: bad.value.replace('"level":50', '"level":51') };
		const v = await verifyPut(put(good, forged), check, none);
		expect(v.ok).toBe(false);
		if (!v.ok) {
			expect(v.reason).toBe('signature');
			expect(v.error.code).toBe('ERR_BAD_SIGNATURE');
		}
	});

	it('refuses an older version than the one held, without checking its signature', async () => {
		const me = identity();
		const target = identity().id;
		const older = await trustRecord(me, target, Date.now() - 5000);
		const spy = vi.fn<CheckField>(check);
		const held = () => ({ state: older.state + 1, json: '"newer"' });
		const v = await verifyPut(put(older), spy, held);
		expect(v).toMatchObject({ ok: false, reason: 'stale' });
		if (!v.ok) expect(v.error.code).toBe('ERR_STALE_RECORD');
		expect(spy).not.toHaveBeenCalled();
	});

	it('treats the same value and state as a duplicate that needs no new check', async () => {
		const me = identity();
		const rec = await trustRecord(me, identity().id, Date.now() - 1000);
		const spy = vi.fn<CheckField>(check);
		const held = () => ({ state: rec.state, json: JSON.stringify(rec.value) });
		expect(await verifyPut(put(rec), spy, held)).toEqual({ ok: true, fresh: 0, duplicates: 1 });
		expect(spy).not.toHaveBeenCalled();
	});

	it('maps an error code it does not know to invalid', () => {
		expect(reasonOf(new MalformedError('x'))).toBe('invalid');
	});
});

describe('hamCompare (gun.js ham)', () => {
	it('orders by state, then by JSON text', () => {
		expect(hamCompare(2, '"a"', { state: 1, json: '"z"' })).toBe('newer');
		expect(hamCompare(1, '"z"', { state: 2, json: '"a"' })).toBe('older');
		expect(hamCompare(1, '"b"', { state: 1, json: '"a"' })).toBe('newer');
		expect(hamCompare(1, '"a"', { state: 1, json: '"b"' })).toBe('older');
		expect(hamCompare(1, '"a"', { state: 1, json: '"a"' })).toBe('same');
	});
});

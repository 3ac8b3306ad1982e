import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteGraphStore, type GraphStore, type StoredField } from './sqlite-store.ts';

const dirs: string[] = [];
const stores: GraphStore[] = [];

function open(dir?: string, onCommit?: (fields: number) => void): { store: GraphStore; dir: string } {
	const d = dir ?? mkdtempSync(join(tmpdir(), 'miaou-store-'));
	if (!dirs.includes(d)) dirs.push(d);
	const store = sqliteGraphStore(join(d, 'gun', 'records.sqlite'), onCommit ? { onCommit } : {});
	stores.push(store);
	return { store, dir: d };
}

function put(store: GraphStore, fields: StoredField[]): Promise<void> {
	return new Promise((resolve, reject) => store.put(fields, (err) => (err ? reject(err) : resolve())));
}

afterEach(async () => {
	for (const s of stores.splice(0)) await s.close();
	for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('sqliteGraphStore', () => {
	it('makes a write readable once its commit callback ran, and keeps it across a reopen', async () => {
		const { store, dir } = open();
		const f = { soul: 's', key: 'k', value: 'v', state: 10 };
		const done = put(store, [f]);
		expect(store.read('s')).toEqual([]); // not committed yet
		await done;
		expect(store.read('s')).toEqual([f]);
		expect(store.stateOf('s', 'k')).toEqual({ state: 10, json: '"v"' });
		await store.close();
		const again = open(dir).store;
		expect(again.read('s', { key: 'k' })).toEqual([f]);
	});

	it('applies Gun’s conflict rule: higher state wins, then the larger JSON', async () => {
		const { store } = open();
		await put(store, [{ soul: 's', key: 'k', value: 'b', state: 5 }]);
		await put(store, [{ soul: 's', key: 'k', value: 'z', state: 4 }]);
		expect(store.read('s')[0]).toMatchObject({ value: 'b', state: 5 });
		await put(store, [{ soul: 's', key: 'k', value: 'a', state: 5 }]);
		expect(store.read('s')[0]).toMatchObject({ value: 'b' });
		await put(store, [{ soul: 's', key: 'k', value: 'c', state: 5 }]);
		expect(store.read('s')[0]).toMatchObject({ value: 'c' });
		await put(store, [{ soul: 's', key: 'k', value: null, state: 6 }]);
		expect(store.read('s')[0]).toMatchObject({ value: null, state: 6 });
	});

	it('commits the writes of one event-loop turn together (group commit)', async () => {
		const batches: number[] = [];
		const { store } = open(undefined, (n) => batches.push(n));
		await Promise.all(
			Array.from({ length: 50 }, (_, i) => put(store, [{ soul: 's', key: `k${i}`, value: i, state: 1 }]))
		);
		expect(batches.reduce((a, b) => a + b, 0)).toBe(50);
		expect(batches.length).toBeLessThan(50);
		expect(batches[0]).toBe(50);
	});

	it('reads one key, a prefix, a range, and caps by limit', async () => {
		const { store } = open();
		await put(
			store,
			['a1', 'a2', 'b1', 'b2', 'c'].map((key) => ({ soul: 's', key, value: key, state: 1 }))
		);
		const keys = (q: Parameters<GraphStore['read']>[1]) => store.read('s', q).map((f) => f.key);
		expect(keys({ key: 'b1' })).toEqual(['b1']);
		expect(keys({ prefix: 'a' })).toEqual(['a1', 'a2']);
		expect(keys({ start: 'a2', end: 'b2' })).toEqual(['a2', 'b1', 'b2']);
		expect(keys({ limit: 2 })).toEqual(['a1', 'a2']);
		expect(keys({ key: 'zz' })).toEqual([]);
		expect(store.read('other')).toEqual([]);
	});

	it('flush waits for pending writes; a closed store refuses new ones', async () => {
		const { store } = open();
		let committed = false;
		store.put([{ soul: 's', key: 'k', value: 1, state: 1 }], () => (committed = true));
		await store.flush();
		expect(committed).toBe(true);
		expect(store.stats()).toMatchObject({ pending: 0, writable: true });
		expect(store.stats().bytes).toBeGreaterThan(0);
		await store.close();
		await expect(put(store, [{ soul: 's', key: 'k', value: 2, state: 2 }])).rejects.toThrow(/closed/);
	});
});

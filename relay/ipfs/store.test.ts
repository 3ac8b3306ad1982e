import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Key } from 'interface-datastore';
import { afterEach, describe, expect, it } from 'vitest';
import { DurableFsBlockstore, DurableFsDatastore, fsyncPath } from './store.ts';
import { rawBlock } from './testing.ts';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
	const dir = await mkdtemp(join(tmpdir(), 'miaou-store-'));
	dirs.push(dir);
	return dir;
}
afterEach(async () => {
	for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function bytesOf(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Buffer> {
	const parts: Uint8Array[] = [];
	for await (const p of source) parts.push(p);
	return Buffer.concat(parts);
}

describe('DurableFsBlockstore', () => {
	it('stores blocks that a fresh instance reads back after sync', async () => {
		const dir = await tempDir();
		const store = new DurableFsBlockstore(dir);
		await store.open();
		const blocks = await Promise.all(Array.from({ length: 20 }, async () => rawBlock(randomBytes(1000))));
		await Promise.all(blocks.map(async (b) => store.put(b.cid, b.bytes)));
		await store.sync();
		await store.close();
		const reopened = new DurableFsBlockstore(dir);
		await reopened.open();
		for (const b of blocks) expect((await bytesOf(reopened.get(b.cid))).equals(b.bytes)).toBe(true);
		// Temporary files of the atomic write never stay behind.
		const names = (await readdir(dir, { recursive: true })).map(String);
		expect(names.some((n) => n.endsWith('.tmp'))).toBe(false);
	});

	it('fsyncs every written file, then its shard directory and the store root', async () => {
		const dir = await tempDir();
		const synced: string[] = [];
		const store = new DurableFsBlockstore(dir, {
			fsync: async (path) => {
				synced.push(path);
				await fsyncPath(path);
			}
		});
		await store.open();
		const b = await rawBlock(randomBytes(100));
		await store.put(b.cid, b.bytes);
		expect(synced).toEqual([]);
		await store.sync();
		const file = synced.find((p) => p.endsWith('.data'))!;
		expect(file).toBeDefined();
		expect(synced.indexOf(dirname(file))).toBeGreaterThan(synced.indexOf(file));
		expect(synced).toContain(dir);
		// Nothing new written: nothing but the root to sync.
		synced.length = 0;
		await store.sync();
		expect(synced).toEqual([dir]);
	});

	it('syncs without error when a written block was deleted meanwhile, and when nothing was written', async () => {
		const store = new DurableFsBlockstore(await tempDir());
		await store.open();
		await store.sync();
		const b = await rawBlock(randomBytes(10));
		await store.put(b.cid, b.bytes);
		await store.delete(b.cid);
		await store.sync();
	});

	it('chains concurrent syncs (each returns after the earlier ones)', async () => {
		const store = new DurableFsBlockstore(await tempDir());
		await store.open();
		const done: number[] = [];
		const a = await rawBlock(randomBytes(10));
		await store.put(a.cid, a.bytes);
		const first = store.sync().then(() => done.push(1));
		const second = store.sync().then(() => done.push(2));
		await Promise.all([first, second]);
		expect(done).toEqual([1, 2]);
	});
});

describe('DurableFsDatastore', () => {
	it('fsyncs each record and its directories on sync', async () => {
		const dir = await tempDir();
		const synced: string[] = [];
		const store = new DurableFsDatastore(dir, { fsync: async (path) => void synced.push(path) });
		await store.open();
		await store.put(new Key('/pin/abc'), new Uint8Array([1]));
		await store.sync();
		expect(synced).toEqual([join(dir, 'pin', 'abc.data'), join(dir, 'pin'), dir]);
	});

	it('stores records that a fresh instance reads back after sync', async () => {
		const dir = await tempDir();
		const store = new DurableFsDatastore(dir);
		await store.open();
		await store.put(new Key('/pin/abc'), new Uint8Array([1, 2, 3]));
		await store.put(new Key('/pinned-block/def'), new Uint8Array([4]));
		await store.sync();
		const reopened = new DurableFsDatastore(dir);
		await reopened.open();
		expect(Array.from(await reopened.get(new Key('/pin/abc')))).toEqual([1, 2, 3]);
		expect(Array.from(await reopened.get(new Key('/pinned-block/def')))).toEqual([4]);
	});
});

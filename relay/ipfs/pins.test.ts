import { randomBytes } from 'node:crypto';
import type { Helia } from '@helia/interface';
import * as dagPb from '@ipld/dag-pb';
import { createHeliaLight } from 'helia';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QuotaExceededError } from '../../src/lib/core/errors.ts';
import { PinBook } from './pins.ts';
import { rawBlock } from './testing.ts';

let helia: Helia;
beforeEach(async () => {
	helia = createHeliaLight();
	await helia.start();
});
afterEach(async () => {
	await helia.stop();
});

async function storeDag(): Promise<{ root: CID; leaves: CID[]; size: number }> {
	const leaves = await Promise.all([1, 2].map(async () => rawBlock(randomBytes(100))));
	const node = dagPb.encode(dagPb.prepare({ Links: leaves.map((l) => ({ Hash: l.cid })) }));
	const root = CID.createV1(dagPb.code, await sha256.digest(node));
	for (const l of leaves) await helia.blockstore.put(l.cid, l.bytes);
	await helia.blockstore.put(root, node);
	return { root, leaves: leaves.map((l) => l.cid), size: node.length + 200 };
}

describe('PinBook', () => {
	it('pins with metadata that a fresh book reloads', async () => {
		const book = new PinBook(helia, 10_000);
		const { root, leaves, size } = await storeDag();
		await book.add(root, 5000, size, 3);
		expect(book.get(root)).toMatchObject({ expires: 5000, size, blocks: 3 });
		expect(book.pinnedBytes).toBe(size);
		for (const cid of [root, ...leaves]) expect(await helia.pins.isPinned(cid)).toBe(true);
		const reloaded = new PinBook(helia, 10_000);
		await reloaded.load();
		expect(reloaded.get(root)).toMatchObject({ expires: 5000, size, blocks: 3 });
		expect(reloaded.count).toBe(1);
	});

	it('extends but never shortens an expiry, also when the same root is added again', async () => {
		const book = new PinBook(helia, 10_000);
		const { root, size } = await storeDag();
		await book.add(root, 5000, size, 3);
		await book.extend(root, 4000);
		expect(book.get(root)?.expires).toBe(5000);
		await book.add(root, 9000, size, 3);
		expect(book.get(root)?.expires).toBe(9000);
		expect(book.pinnedBytes).toBe(size);
		expect((await helia.pins.get(root)).metadata.expires).toBe(9000);
	});

	it('pins a root once when two requests add it at the same time', async () => {
		const book = new PinBook(helia, 10_000);
		const { root, size } = await storeDag();
		await Promise.all([book.add(root, 5000, size, 3), book.add(root, 6000, size, 3)]);
		expect(book.count).toBe(1);
		expect(book.get(root)?.expires).toBe(6000);
		expect(book.pinnedBytes).toBe(size);
	});

	it('reserves quota and refuses what does not fit', async () => {
		const book = new PinBook(helia, 1000);
		const release = book.reserve(600);
		expect(book.fits(400)).toBe(true);
		expect(book.fits(401)).toBe(false);
		expect(() => book.reserve(401)).toThrow(QuotaExceededError);
		release();
		release();
		expect(book.fits(1000)).toBe(true);
	});

	it('lists expired pins and removes them so GC frees their blocks', async () => {
		const book = new PinBook(helia, 10_000);
		const old = await storeDag();
		const fresh = await storeDag();
		await book.add(old.root, 1000, old.size, 3);
		await book.add(fresh.root, 3000, fresh.size, 3);
		expect(book.expired(2000).map((r) => r.cid.toString())).toEqual([old.root.toString()]);
		await book.remove(old.root);
		await helia.gc();
		expect(await helia.blockstore.has(old.root)).toBe(false);
		for (const cid of old.leaves) expect(await helia.blockstore.has(cid)).toBe(false);
		expect(await helia.blockstore.has(fresh.root)).toBe(true);
		expect(book.count).toBe(1);
		expect(book.pinnedBytes).toBe(fresh.size);
	});
});

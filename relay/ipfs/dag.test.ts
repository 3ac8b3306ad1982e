import { randomBytes } from 'node:crypto';
import * as dagCbor from '@ipld/dag-cbor';
import * as dagPb from '@ipld/dag-pb';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { identity } from 'multiformats/hashes/identity';
import { sha256 } from 'multiformats/hashes/sha2';
import { describe, expect, it } from 'vitest';
import { ContentNotFoundError, IncompleteDagError, MalformedError, TooLargeError } from '../../src/lib/core/errors.ts';
import { cidKey, type Block, type ParsedCar } from './car.ts';
import { checkComplete, memoryWalker, walkDag } from './dag.ts';
import { TooManyError } from './errors.ts';
import { rawBlock } from './testing.ts';

async function pbNode(links: CID[]): Promise<Block> {
	const bytes = dagPb.encode(dagPb.prepare({ Links: links.map((Hash) => ({ Hash })) }));
	return { cid: CID.createV1(dagPb.code, await sha256.digest(bytes)), bytes };
}

async function cborNode(value: unknown): Promise<Block> {
	const bytes = dagCbor.encode(value);
	return { cid: CID.createV1(dagCbor.code, await sha256.digest(bytes)), bytes };
}

function asCar(roots: CID[], blocks: Block[]): ParsedCar {
	const map = new Map(blocks.map((b) => [cidKey(b.cid), b]));
	return { roots, blocks: map, bytes: blocks.reduce((n, b) => n + b.bytes.length, 0) };
}

/** root → [a, b → [c]] plus a shared leaf a under b. */
async function sampleDag(): Promise<{ root: Block; a: Block; b: Block; c: Block; all: Block[] }> {
	const a = await rawBlock(randomBytes(10));
	const c = await rawBlock(randomBytes(20));
	const b = await pbNode([c.cid, a.cid]);
	const root = await cborNode({ list: [a.cid, b.cid] });
	return { root, a, b, c, all: [root, a, b, c] };
}

describe('checkComplete', () => {
	it('returns each root’s size and block count', async () => {
		const { root, all } = await sampleDag();
		const [entry] = checkComplete(asCar([root.cid], all));
		expect(entry).toEqual({ size: all.reduce((n, b) => n + b.bytes.length, 0), blocks: 4 });
	});

	it('refuses a missing linked block', async () => {
		const { root, a, b } = await sampleDag();
		expect(() => checkComplete(asCar([root.cid], [root, a, b]))).toThrow(IncompleteDagError);
	});

	it('refuses a missing root', async () => {
		const a = await rawBlock(randomBytes(10));
		const other = await rawBlock(randomBytes(10));
		expect(() => checkComplete(asCar([other.cid], [a]))).toThrow(IncompleteDagError);
	});

	it('refuses a block no root reaches', async () => {
		const { root, all } = await sampleDag();
		const stray = await rawBlock(randomBytes(5));
		expect(() => checkComplete(asCar([root.cid], [...all, stray]))).toThrow(MalformedError);
	});

	it('accepts identity links without a block', async () => {
		const inline = CID.createV1(raw.code, identity.digest(new Uint8Array([1, 2, 3])));
		const root = await pbNode([inline]);
		expect(checkComplete(asCar([root.cid], [root]))).toEqual([{ size: root.bytes.length, blocks: 1 }]);
	});
});

describe('walkDag', () => {
	const getter = (blocks: Block[]) => {
		const map = new Map(blocks.map((b) => [cidKey(b.cid), b.bytes]));
		return async (cid: CID): Promise<Uint8Array> => {
			const bytes = map.get(cidKey(cid));
			if (bytes === undefined) throw new ContentNotFoundError(cid.toString());
			return bytes;
		};
	};
	const collect = async (gen: AsyncGenerator<Block>): Promise<string[]> => {
		const out: string[] = [];
		for await (const b of gen) out.push(b.cid.toString());
		return out;
	};
	const bounds = { maxBlocks: 100, maxBytes: 1_000_000 };

	it('walks depth first, pre-order, links in order, each block once', async () => {
		const { root, a, b, c, all } = await sampleDag();
		const order = await collect(walkDag(root.cid, getter(all), { scope: 'all', ...bounds }));
		expect(order).toEqual([root.cid, a.cid, b.cid, c.cid].map(String));
	});

	it('repeats shared blocks with duplicates', async () => {
		const { root, a, b, c, all } = await sampleDag();
		const order = await collect(walkDag(root.cid, getter(all), { scope: 'all', duplicates: true, ...bounds }));
		expect(order).toEqual([root.cid, a.cid, b.cid, c.cid, a.cid].map(String));
	});

	it('stops at the root with scope block', async () => {
		const { root, all } = await sampleDag();
		expect(await collect(walkDag(root.cid, getter(all), { scope: 'block', ...bounds }))).toEqual([root.cid.toString()]);
	});

	it('enforces the block and byte bounds', async () => {
		const { root, all } = await sampleDag();
		await expect(
			collect(walkDag(root.cid, getter(all), { scope: 'all', maxBlocks: 2, maxBytes: 1e6 }))
		).rejects.toThrow(TooManyError);
		await expect(
			collect(walkDag(root.cid, getter(all), { scope: 'all', maxBlocks: 100, maxBytes: 30 }))
		).rejects.toThrow(TooLargeError);
	});

	it('passes on the getter’s failure for a missing child', async () => {
		const { root, a, b } = await sampleDag();
		await expect(collect(walkDag(root.cid, getter([root, a, b]), { scope: 'all', ...bounds }))).rejects.toThrow(
			ContentNotFoundError
		);
	});

	it('skips identity CIDs', async () => {
		const inline = CID.createV1(raw.code, identity.digest(new Uint8Array([9])));
		const root = await pbNode([inline]);
		expect(await collect(walkDag(root.cid, getter([root]), { scope: 'all', ...bounds }))).toEqual([
			root.cid.toString()
		]);
	});

	it('stops when aborted', async () => {
		const { root, all } = await sampleDag();
		const controller = new AbortController();
		controller.abort();
		await expect(
			collect(walkDag(root.cid, getter(all), { scope: 'all', signal: controller.signal, ...bounds }))
		).rejects.toThrow();
	});
});

describe('memoryWalker', () => {
	it('yields every block with its depth and path, like Helia’s walker', async () => {
		const { root, a, b, c, all } = await sampleDag();
		const walker = memoryWalker(new Map(all.map((blk) => [cidKey(blk.cid), blk])))({} as never);
		const nodes = [];
		for await (const node of walker.walk(root.cid)) nodes.push(node);
		expect(nodes.map((n) => n.block.cid.toString())).toEqual([root.cid, a.cid, b.cid, c.cid, a.cid].map(String));
		expect(nodes.map((n) => n.depth)).toEqual([0, 1, 1, 2, 2]);
		expect(nodes[3]!.path.map(String)).toEqual([root.cid, b.cid, c.cid].map(String));
	});

	it('honours the depth option', async () => {
		const { root, all } = await sampleDag();
		const walker = memoryWalker(new Map(all.map((blk) => [cidKey(blk.cid), blk])))({} as never);
		const nodes = [];
		for await (const node of walker.walk(root.cid, { depth: 0 })) nodes.push(node);
		expect(nodes).toHaveLength(1);
	});
});

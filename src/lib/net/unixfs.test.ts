import * as dagPb from '@ipld/dag-pb';
import fc from 'fast-check';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { describe, expect, it } from 'vitest';
import { equalBytes, utf8 } from '../core/bytes.ts';
import {
	AbortError,
	ContentNotFoundError,
	MalformedError,
	TooLargeError,
	UnsupportedCodecError
} from '../core/errors.ts';
import { DAG_PB_CODEC, RAW_CODEC } from './blocks.ts';
import { CHUNK_SIZE, MAX_CHILDREN_PER_NODE, exportFile, importFile, type Block } from './unixfs.ts';

function getter(blocks: Block[]) {
	const map = new Map(blocks.map((b) => [b.cid.toString(), b.bytes]));
	let fetched = 0;
	const get = async (cid: CID) => {
		const bytes = map.get(cid.toString());
		if (!bytes) throw new ContentNotFoundError(cid.toString());
		fetched++;
		return bytes;
	};
	return { get, fetched: () => fetched, map };
}

function varint(n: number): number[] {
	const out: number[] = [];
	while (n >= 0x80) {
		out.push((n & 0x7f) | 0x80);
		n = Math.floor(n / 128);
	}
	out.push(n);
	return out;
}

/** UnixFS `Data` of a file node, encoded by hand from the spec's protobuf (Type=2, filesize, blocksizes). */
function unixfsFileData(sizes: number[]): Uint8Array {
	const total = sizes.reduce((a, b) => a + b, 0);
	return new Uint8Array([0x08, 2, 0x18, ...varint(total), ...sizes.flatMap((s) => [0x20, ...varint(s)])]);
}

function pattern(n: number, seed = 1): Uint8Array {
	const out = new Uint8Array(n);
	let x = seed;
	for (let i = 0; i < n; i++) {
		x = (x * 1103515245 + 12345) >>> 0;
		out[i] = x >>> 24;
	}
	return out;
}

describe('importFile', () => {
	it('gives the CIDs Kubo gives with `ipfs add --cid-version 1` for one-block files', async () => {
		// Kubo's gateway fixtures: `echo hello | ipfs add --cid-version 1`, `echo "Hello IPFS" | …`.
		expect((await importFile(utf8('hello\n'))).root.toString()).toBe(
			'bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am'
		);
		expect((await importFile(utf8('Hello IPFS\n'))).root.toString()).toBe(
			'bafkreidfdrlkeq4m4xnxuyx6iae76fdm4wgl5d4xzsb77ixhyqwumhz244'
		);
	});

	it('builds a file of several chunks as the UnixFS spec says: 256 KiB raw leaves under one dag-pb node', async () => {
		const bytes = pattern(2 * CHUNK_SIZE + 1000);
		const { root, blocks } = await importFile(bytes);
		expect(root.code).toBe(DAG_PB_CODEC);
		expect(blocks[0]!.cid.equals(root)).toBe(true);
		const leaves = [
			bytes.subarray(0, CHUNK_SIZE),
			bytes.subarray(CHUNK_SIZE, 2 * CHUNK_SIZE),
			bytes.subarray(2 * CHUNK_SIZE)
		];
		const leafCids = await Promise.all(leaves.map(async (l) => CID.createV1(RAW_CODEC, await sha256.digest(l))));
		const node = dagPb.prepare({
			Data: unixfsFileData(leaves.map((l) => l.length)),
			Links: leafCids.map((cid, i) => ({ Hash: cid, Name: '', Tsize: leaves[i]!.length }))
		});
		const expected = CID.createV1(DAG_PB_CODEC, await sha256.digest(dagPb.encode(node)));
		expect(root.toString()).toBe(expected.toString());
		expect(blocks.map((b) => b.cid.toString()).sort()).toEqual([expected, ...leafCids].map(String).sort());
	});

	it('adds a level once a node would hold more than 174 links', async () => {
		const bytes = new Uint8Array((MAX_CHILDREN_PER_NODE + 1) * CHUNK_SIZE);
		bytes[bytes.length - 1] = 1;
		const { root, blocks } = await importFile(bytes, { maxBytes: bytes.length });
		const top = dagPb.decode(blocks[0]!.bytes);
		expect(blocks[0]!.cid.equals(root)).toBe(true);
		expect(top.Links).toHaveLength(2);
		expect(dagPb.decode(blocks.find((b) => b.cid.equals(top.Links[0]!.Hash))!.bytes).Links).toHaveLength(
			MAX_CHILDREN_PER_NODE
		);
		const { get } = getter(blocks);
		// equalBytes, not toEqual: a deep comparison of 45 MB element by element takes minutes.
		expect(equalBytes(await exportFile(root, get, { maxBytes: bytes.length }), bytes)).toBe(true);
	});

	it('refuses a file over the cap, and honours abort', async () => {
		await expect(importFile(new Uint8Array(11), { maxBytes: 10 })).rejects.toBeInstanceOf(TooLargeError);
		await expect(importFile(new Uint8Array(10), { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
	});
});

describe('exportFile', () => {
	it('round-trips any bytes, reporting progress up to the size', async () => {
		await fc.assert(
			fc.asyncProperty(fc.integer({ min: 0, max: 3 * CHUNK_SIZE + 7 }), fc.integer(), async (size, seed) => {
				const bytes = pattern(size, seed);
				const { root, blocks } = await importFile(bytes);
				const progress: number[] = [];
				const out = await exportFile(root, getter(blocks).get, {
					onProgress: (done, total) => progress.push(done / total)
				});
				expect(equalBytes(out, bytes)).toBe(true);
				if (size > 0) expect(progress.at(-1)).toBe(1);
			}),
			{ numRuns: 12 }
		);
	});

	it('checks the declared size against the cap before fetching any leaf', async () => {
		const { root, blocks } = await importFile(pattern(3 * CHUNK_SIZE));
		const g = getter(blocks);
		await expect(exportFile(root, g.get, { maxBytes: CHUNK_SIZE })).rejects.toBeInstanceOf(TooLargeError);
		expect(g.fetched()).toBe(1);
	});

	it('returns exactly the declared size, and refuses a DAG whose blocks hold less than it declares', async () => {
		const leaves = [pattern(100, 1), pattern(100, 2)];
		const leafCids = await Promise.all(leaves.map(async (l) => CID.createV1(RAW_CODEC, await sha256.digest(l))));
		const dag = async (sizes: number[]) => {
			const bytes = dagPb.encode(
				dagPb.prepare({ Data: unixfsFileData(sizes), Links: leafCids.map((Hash) => ({ Hash, Name: '', Tsize: 100 })) })
			);
			const root = CID.createV1(DAG_PB_CODEC, await sha256.digest(bytes));
			return {
				root,
				get: getter([{ cid: root, bytes }, ...leaves.map((b, i) => ({ cid: leafCids[i]!, bytes: b }))]).get
			};
		};
		const short = await dag([100, 50]);
		expect((await exportFile(short.root, short.get)).length).toBe(150);
		const long = await dag([100, 150]);
		await expect(exportFile(long.root, long.get)).rejects.toBeInstanceOf(MalformedError);
	});

	it('refuses what it cannot verify or is not a file', async () => {
		const cbor = CID.createV1(0x71, await sha256.digest(new Uint8Array([0xa0])));
		await expect(exportFile(cbor, async () => new Uint8Array())).rejects.toBeInstanceOf(UnsupportedCodecError);
		const dir = dagPb.encode(dagPb.prepare({ Data: new Uint8Array([0x08, 1]), Links: [] }));
		const dirCid = CID.createV1(DAG_PB_CODEC, await sha256.digest(dir));
		await expect(exportFile(dirCid, async () => dir)).rejects.toBeInstanceOf(MalformedError);
		const missing = (await importFile(pattern(10))).root;
		await expect(exportFile(missing, getter([]).get)).rejects.toBeInstanceOf(ContentNotFoundError);
	});
});

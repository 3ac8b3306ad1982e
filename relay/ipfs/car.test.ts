import { randomBytes } from 'node:crypto';
import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import * as json from 'multiformats/codecs/json';
import * as raw from 'multiformats/codecs/raw';
import { identity } from 'multiformats/hashes/identity';
import { sha256 } from 'multiformats/hashes/sha2';
import { varint } from 'multiformats';
import { describe, expect, it } from 'vitest';
import {
	HashMismatchError,
	MalformedError,
	TooLargeError,
	UnsupportedCodecError,
	UnsupportedHashError,
	UnsupportedVersionError
} from '../../src/lib/core/errors.ts';
import { carStream, cidKey, readCar, type Block } from './car.ts';
import { TooManyError } from './errors.ts';
import { MAX_CAR_HEADER_BYTES, MAX_CAR_ROOTS } from './limits.ts';
import { encodeCar, rawBlock, readVerifiedCar } from './testing.ts';

async function* chunked(bytes: Uint8Array, size = 7): AsyncGenerator<Uint8Array> {
	for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function parse(bytes: Uint8Array, chunk = 4096): ReturnType<typeof readCar> {
	return readCar(chunked(bytes, chunk));
}

/** A hand-made CAR: header + sections with any CID and bytes. */
function handCar(header: unknown, sections: Array<{ cid: Uint8Array; bytes: Uint8Array }>): Uint8Array {
	const head = dagCbor.encode(header);
	const parts: Uint8Array[] = [varint.encodeTo(head.length, new Uint8Array(varint.encodingLength(head.length))), head];
	for (const s of sections) {
		const len = s.cid.length + s.bytes.length;
		parts.push(varint.encodeTo(len, new Uint8Array(varint.encodingLength(len))), s.cid, s.bytes);
	}
	return Buffer.concat(parts);
}

describe('readCar', () => {
	it('reads roots and verified blocks, whatever the chunking', async () => {
		const a = await rawBlock(randomBytes(1000));
		const b = await rawBlock(randomBytes(3000));
		const car = await encodeCar([a.cid, b.cid], [a, b]);
		for (const size of [1, 5, 64, 100_000]) {
			const parsed = await readCar(chunked(car, size));
			expect(parsed.roots.map(String)).toEqual([a.cid.toString(), b.cid.toString()]);
			expect(parsed.blocks.size).toBe(2);
			expect(parsed.bytes).toBe(4000);
			expect(Buffer.from(parsed.blocks.get(cidKey(a.cid))!.bytes).equals(a.bytes)).toBe(true);
		}
	});

	it('keeps a block sent twice once', async () => {
		const a = await rawBlock(randomBytes(100));
		const parsed = await parse(await encodeCar([a.cid], [a, a]));
		expect(parsed.blocks.size).toBe(1);
		expect(parsed.bytes).toBe(100);
	});

	it('refuses a block whose bytes do not match its CID', async () => {
		const a = await rawBlock(randomBytes(100));
		const car = await encodeCar([a.cid], [{ cid: a.cid, bytes: randomBytes(100) }]);
		await expect(parse(car)).rejects.toThrow(HashMismatchError);
	});

	it('refuses unsupported codecs and hashes', async () => {
		const data = randomBytes(10);
		const jsonCid = CID.createV1(json.code, await sha256.digest(data));
		await expect(parse(await encodeCar([jsonCid], [{ cid: jsonCid, bytes: data }]))).rejects.toThrow(
			UnsupportedCodecError
		);
		const idCid = CID.createV1(raw.code, identity.digest(data));
		await expect(parse(await encodeCar([idCid], [{ cid: idCid, bytes: data }]))).rejects.toThrow(UnsupportedHashError);
	});

	it('refuses an empty body, garbage and a truncated CAR with MalformedError', async () => {
		const a = await rawBlock(randomBytes(500));
		const car = await encodeCar([a.cid], [a]);
		await expect(parse(new Uint8Array(0))).rejects.toThrow(MalformedError);
		await expect(parse(new TextEncoder().encode('this is not a CAR file at all'))).rejects.toThrow(MalformedError);
		for (const cut of [1, 10, 40, car.length - 1])
			await expect(parse(car.subarray(0, cut))).rejects.toThrow(MalformedError);
	});

	it('refuses a header length over the bound before buffering it', async () => {
		const huge = varint.encodeTo(MAX_CAR_HEADER_BYTES + 1, new Uint8Array(8));
		await expect(parse(huge)).rejects.toThrow(TooLargeError);
		const absurd = varint.encodeTo(2 ** 40, new Uint8Array(8));
		await expect(parse(absurd)).rejects.toThrow(TooLargeError);
	});

	it('refuses a CAR without roots, with too many roots, or of version 2', async () => {
		const a = await rawBlock(randomBytes(10));
		await expect(parse(handCar({ version: 1, roots: [] }, []))).rejects.toThrow(MalformedError);
		const many = Array.from({ length: MAX_CAR_ROOTS + 1 }, () => a.cid);
		await expect(parse(handCar({ version: 1, roots: many }, []))).rejects.toThrow(TooManyError);
		await expect(parse(handCar({ version: 2, roots: [a.cid] }, []))).rejects.toThrow(/version|format/i);
		await expect(parse(handCar({ version: 3, roots: [a.cid] }, []))).rejects.toThrow(MalformedError);
	});

	it('reports CARv2 as an unsupported version', async () => {
		// A CARv2 pragma followed by a v2 header and an embedded v1 CAR.
		const a = await rawBlock(randomBytes(10));
		const inner = await encodeCar([a.cid], [a]);
		const pragma = handCar({ version: 2 }, []);
		const header = new Uint8Array(40);
		const view = new DataView(header.buffer);
		view.setBigUint64(16, BigInt(pragma.length + 40), true);
		view.setBigUint64(24, BigInt(inner.length), true);
		const car = Buffer.concat([pragma, header, inner]);
		await expect(parse(car)).rejects.toThrow(UnsupportedVersionError);
	});

	it('enforces a block count bound', async () => {
		const blocks = await Promise.all([1, 2, 3].map(async (n) => rawBlock(new Uint8Array([n]))));
		const car = await encodeCar([blocks[0]!.cid], blocks);
		await expect(readCar(chunked(car), { maxBlocks: 2 })).rejects.toThrow(TooManyError);
	});

	it('lets the progress callback abort the read', async () => {
		const a = await rawBlock(randomBytes(10));
		const car = await encodeCar([a.cid], [a]);
		await expect(
			readCar(chunked(car), {
				onBlock: () => {
					throw new TooLargeError('x', 1, 0);
				}
			})
		).rejects.toThrow(TooLargeError);
	});
});

describe('carStream', () => {
	async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
		const parts: Uint8Array[] = [];
		for await (const c of source) parts.push(c);
		return Buffer.concat(parts);
	}

	async function* from(blocks: Block[]): AsyncGenerator<Block> {
		yield* blocks;
	}

	it('writes a CARv1 that reads back with the same blocks in order', async () => {
		const blocks = await Promise.all([1, 2, 3].map(async () => rawBlock(randomBytes(200))));
		const bytes = await collect(carStream([blocks[0]!.cid], from(blocks)));
		const read = await readVerifiedCar(bytes);
		expect(read.roots.map(String)).toEqual([blocks[0]!.cid.toString()]);
		expect(read.blocks.map((b) => b.cid.toString())).toEqual(blocks.map((b) => b.cid.toString()));
		expect(read.allVerified).toBe(true);
	});

	it('rethrows the producer failure after the bytes already written', async () => {
		const a = await rawBlock(randomBytes(50));
		async function* failing(): AsyncGenerator<Block> {
			yield a;
			throw new MalformedError('test', 'boom');
		}
		const chunks: Uint8Array[] = [];
		await expect(
			(async () => {
				for await (const c of carStream([a.cid], failing())) chunks.push(c);
			})()
		).rejects.toThrow(/boom/);
		expect(Buffer.concat(chunks).length).toBeGreaterThan(50);
	});

	it('stops the producer when the consumer stops early', async () => {
		let produced = 0;
		const a = await rawBlock(randomBytes(50));
		async function* endless(): AsyncGenerator<Block> {
			for (;;) {
				produced++;
				yield a;
			}
		}
		for await (const _ of carStream([a.cid], endless())) break;
		const after = produced;
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(produced).toBeLessThanOrEqual(after + 2);
	});
});

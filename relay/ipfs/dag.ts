/**
 * Walking DAGs: the completeness check of an upload (every linked block sent, every sent block
 * reachable) and a bounded depth-first walk used by the CAR gateway and by pin requests.
 */
import type { GraphNode, GraphWalker, GraphWalkerFactory, WalkOptions as HeliaWalkOptions } from '@helia/interface';
import * as dagCbor from '@ipld/dag-cbor';
import * as dagPb from '@ipld/dag-pb';
import type { BlockView } from 'multiformats';
import { createUnsafe } from 'multiformats/block';
import type { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import {
	CidError,
	IncompleteDagError,
	MalformedError,
	TooLargeError,
	UnsupportedCodecError
} from '../../src/lib/core/errors.ts';
import { assertSupportedCid, blockLinks, isIdentity, MAX_IDENTITY_DIGEST_BYTES, SUPPORTED_CODECS } from './blocks.ts';
import { cidKey, type Block, type ParsedCar } from './car.ts';
import { TooManyError } from './errors.ts';

/** Codec implementations for {@link memoryWalker}'s block views. */
const SUPPORTED_CODEC_IMPLS: ReadonlyMap<number, typeof raw | typeof dagPb | typeof dagCbor> = new Map<
	number,
	typeof raw | typeof dagPb | typeof dagCbor
>([
	[raw.code, raw],
	[dagPb.code, dagPb],
	[dagCbor.code, dagCbor]
]);

/**
 * Check that an uploaded CAR holds a complete DAG under its roots and nothing else: each link of
 * each block reachable from a root points to a block in the CAR (identity CIDs carry their bytes
 * inline and need none), and each block in the CAR is reachable from a root. Pinning a root then
 * never needs the network, and no stray block is stored unpinned.
 * @param car - a CAR parsed and verified by readCar
 * @returns bytes and blocks reachable from each root (for pin records), in root order
 * @throws {IncompleteDagError} when a linked block is missing
 * @throws {MalformedError} when a block is unreachable or does not decode
 * @throws {UnsupportedCodecError} / {UnsupportedHashError} for a link the relay cannot verify
 */
export function checkComplete(car: ParsedCar): Array<{ size: number; blocks: number }> {
	const reached = new Set<string>();
	const sizes: Array<{ size: number; blocks: number }> = [];
	for (const root of car.roots) {
		let size = 0;
		const seen = new Set<string>();
		const stack: CID[] = [root];
		while (stack.length > 0) {
			const cid = stack.pop()!;
			if (skipIdentity(cid)) continue;
			const key = cidKey(cid);
			if (seen.has(key)) continue;
			seen.add(key);
			reached.add(key);
			const block = car.blocks.get(key);
			if (block === undefined) throw new IncompleteDagError(cid.toString());
			size += block.bytes.length;
			for (const link of blockLinks(block.cid, block.bytes)) stack.push(link);
		}
		sizes.push({ size, blocks: seen.size });
	}
	for (const [key, block] of car.blocks)
		if (!reached.has(key)) throw new MalformedError('CAR', `block ${block.cid} is not reachable from any root`);
	return sizes;
}

/**
 * True for an identity CID (nothing to fetch or store), after bounding its inline size.
 * @throws {CidError} for an identity digest over {@link MAX_IDENTITY_DIGEST_BYTES}
 */
export function skipIdentity(cid: CID): boolean {
	if (!isIdentity(cid)) return false;
	if (cid.multihash.size > MAX_IDENTITY_DIGEST_BYTES)
		throw new CidError(`identity CIDs may inline at most ${MAX_IDENTITY_DIGEST_BYTES} bytes`);
	return true;
}

/** Options of {@link walkDag}. */
export interface WalkOptions {
	/** `all`: the whole DAG; `block`: the root block only (Trustless Gateway `dag-scope`). */
	scope: 'all' | 'block';
	/** Emit a block every time it is reached (`dups=y`) instead of once. */
	duplicates?: boolean;
	/** Most blocks emitted before {@link TooLargeError}. */
	maxBlocks: number;
	/** Most block bytes emitted before {@link TooLargeError}. */
	maxBytes: number;
	/** Cancels the walk. */
	signal?: AbortSignal;
}

/**
 * Walk a DAG depth first, pre-order, children in link order (CAR `order=dfs`), yielding blocks.
 * Identity CIDs are skipped (the Trustless Gateway spec forbids them in CAR responses). Every
 * block's CID is checked as supported before `get` is asked for it.
 * @param root - where to start
 * @param get - returns a verified block's bytes; throws when it cannot (e.g. ContentNotFoundError)
 * @param options - scope, duplicates and bounds
 * @returns the blocks in walk order
 * @throws {TooLargeError} / {TooManyError} past the bounds; whatever `get` throws; {@link blockLinks} errors
 */
export async function* walkDag(
	root: CID,
	get: (cid: CID) => Promise<Uint8Array>,
	options: WalkOptions
): AsyncGenerator<Block> {
	const seen = new Set<string>();
	const stack: CID[] = [root];
	let blocks = 0;
	let bytes = 0;
	while (stack.length > 0) {
		options.signal?.throwIfAborted();
		const cid = stack.pop()!;
		if (skipIdentity(cid)) continue;
		const key = cidKey(cid);
		if (seen.has(key) && options.duplicates !== true) continue;
		seen.add(key);
		assertSupportedCid(cid);
		const data = await get(cid);
		blocks++;
		bytes += data.length;
		if (blocks > options.maxBlocks) throw new TooManyError('The DAG', blocks, options.maxBlocks);
		if (bytes > options.maxBytes) throw new TooLargeError('The DAG', bytes, options.maxBytes);
		yield { cid, bytes: data };
		if (options.scope === 'block') return;
		const links = blockLinks(cid, data);
		for (let i = links.length - 1; i >= 0; i--) stack.push(links[i]!);
	}
}

/**
 * A Helia graph walker over blocks already in memory (an upload just verified), so pinning does
 * not read back from disk what it has just written. Depth first, like Helia's default walker.
 * @param blocks - the upload's blocks by {@link cidKey}
 * @returns a walker factory for `helia.pins.add({ walker })`
 */
export function memoryWalker(blocks: ReadonlyMap<string, Block>): GraphWalkerFactory {
	return (): GraphWalker => ({
		async *walk<T>(root: CID, options: HeliaWalkOptions<T> = {}): AsyncGenerator<GraphNode<T>> {
			const maxDepth = options.depth ?? Infinity;
			const stack: Array<{ cid: CID; depth: number; path: CID[] }> = [{ cid: root, depth: 0, path: [root] }];
			while (stack.length > 0) {
				options.signal?.throwIfAborted();
				const { cid, depth, path } = stack.pop()!;
				if (skipIdentity(cid)) continue;
				const block = blocks.get(cidKey(cid));
				if (block === undefined) throw new IncompleteDagError(cid.toString());
				const codec = SUPPORTED_CODEC_IMPLS.get(cid.code);
				if (codec === undefined) throw new UnsupportedCodecError(cid.code, [...SUPPORTED_CODECS.values()].join(', '));
				const view = createUnsafe({ cid, bytes: block.bytes, codec }) as unknown as BlockView<T, number, number, 0 | 1>;
				yield { block: view, depth, path };
				if (depth >= maxDepth) continue;
				const links = blockLinks(cid, block.bytes);
				for (let i = links.length - 1; i >= 0; i--) {
					const link = links[i]!;
					stack.push({ cid: link, depth: depth + 1, path: [...path, link] });
				}
			}
		}
	});
}

/**
 * CARv1 in and out (https://ipld.io/specs/transport/car/carv1/). In: parse an uploaded CAR with
 * @ipld/car's CarBlockIterator, after checking the header's length prefix against a bound, and
 * check every block (supported CID, size, hash) before anything is kept. Out: stream blocks as a
 * CARv1 with @ipld/car's CarWriter, with backpressure.
 */
import { CarBlockIterator, CarWriter } from '@ipld/car';
import type { CID } from 'multiformats/cid';
import { varint } from 'multiformats';
import { MalformedError, MiaouError, TooLargeError, UnsupportedVersionError } from '../../src/lib/core/errors.ts';
import { assertBlock, assertSupportedCid } from './blocks.ts';
import { TooManyError } from './errors.ts';
import { MAX_CAR_HEADER_BYTES, MAX_CAR_ROOTS, MAX_DAG_BLOCKS } from './limits.ts';

/** One verified block. */
export interface Block {
	cid: CID;
	bytes: Uint8Array;
}

/** The checked content of an uploaded CAR. */
export interface ParsedCar {
	/** Roots from the CAR header, in header order, each a supported CID. */
	roots: CID[];
	/** Verified blocks by CID string (CIDv1 form), each stored once even if sent twice. */
	blocks: Map<string, Block>;
	/** Sum of the distinct blocks' byte lengths. */
	bytes: number;
}

/** Options of {@link readCar}. */
export interface ReadCarOptions {
	/** Called with the header's roots, once checked, before any block is read. */
	onRoots?: (roots: CID[]) => void;
	/** Called after each distinct block with the running byte total (for an early quota check). */
	onBlock?: (bytes: number) => void;
	/** Most distinct blocks allowed; default {@link MAX_DAG_BLOCKS}. */
	maxBlocks?: number;
}

/** A key for a CID that does not depend on its version or base. */
export function cidKey(cid: CID): string {
	return cid.version === 0 ? cid.toV1().toString() : cid.toString();
}

/**
 * Read the header length prefix (an unsigned LEB128 varint) from the first bytes of the stream,
 * so an absurd length is refused before @ipld/car starts buffering toward it.
 */
async function* guardHeader(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
	const iterator = source[Symbol.asyncIterator]();
	const head: Uint8Array[] = [];
	let headLength = 0;
	let done = false;
	while (headLength < 9 && !done) {
		const next = await iterator.next();
		if (next.done === true) done = true;
		else {
			head.push(next.value);
			headLength += next.value.length;
		}
	}
	const first = new Uint8Array(headLength);
	let offset = 0;
	for (const chunk of head) {
		first.set(chunk, offset);
		offset += chunk.length;
	}
	if (first.length === 0) throw new MalformedError('CAR', 'the body is empty');
	let length: number;
	try {
		[length] = varint.decode(first);
	} catch {
		throw new MalformedError('CAR', 'the header length prefix is not a varint');
	}
	if (length === 0) throw new MalformedError('CAR', 'the header is empty');
	if (length > MAX_CAR_HEADER_BYTES) throw new TooLargeError('CAR header', length, MAX_CAR_HEADER_BYTES);
	yield first;
	if (done) return;
	for (;;) {
		const next = await iterator.next();
		if (next.done === true) return;
		yield next.value;
	}
}

/**
 * Parse and check a CARv1 upload. Every block is re-hashed against its CID; the first failure
 * throws and nothing is returned, so a caller that stores only after this resolves stores nothing
 * of a bad upload.
 * @param source - the body, already bounded in size by the caller
 * @param options - progress callback and block count bound
 * @returns roots, distinct verified blocks and their byte total
 * @throws {MalformedError} for bytes that are not a CARv1, a CAR without roots, or a bad block encoding
 * @throws {TooLargeError} for a header over {@link MAX_CAR_HEADER_BYTES} or a block over the block cap
 * @throws {TooManyError} for more roots or blocks than allowed
 * @throws {UnsupportedVersionError} for a CARv2 (this route takes CARv1)
 * @throws {UnsupportedCodecError} / {UnsupportedHashError} / {CidError} for a CID the relay cannot verify
 * @throws {HashMismatchError} for a block whose bytes do not hash to its CID
 */
export async function readCar(source: AsyncIterable<Uint8Array>, options: ReadCarOptions = {}): Promise<ParsedCar> {
	const maxBlocks = options.maxBlocks ?? MAX_DAG_BLOCKS;
	let iterator: CarBlockIterator;
	try {
		iterator = await CarBlockIterator.fromIterable(guardHeader(source));
	} catch (err) {
		throw asCarError(err);
	}
	if (iterator.version !== 1) throw new UnsupportedVersionError('The CAR', iterator.version);
	const roots = await iterator.getRoots();
	if (roots.length === 0) throw new MalformedError('CAR', 'the header names no root');
	if (roots.length > MAX_CAR_ROOTS) throw new TooManyError('The CAR root list', roots.length, MAX_CAR_ROOTS);
	for (const root of roots) assertSupportedCid(root);
	options.onRoots?.(roots);

	const blocks = new Map<string, Block>();
	let bytes = 0;
	try {
		for await (const { cid, bytes: data } of iterator) {
			const key = cidKey(cid);
			if (blocks.has(key)) continue;
			if (blocks.size >= maxBlocks) throw new TooManyError('The CAR', blocks.size + 1, maxBlocks);
			assertBlock(cid, data);
			blocks.set(key, { cid, bytes: data });
			bytes += data.length;
			options.onBlock?.(bytes);
		}
	} catch (err) {
		throw asCarError(err);
	}
	return { roots, blocks, bytes };
}

/** Keep Miaou errors as they are; @ipld/car and multiformats throw plain Errors for bad bytes. */
function asCarError(err: unknown): MiaouError {
	if (err instanceof MiaouError) return err;
	const message = err instanceof Error ? err.message : String(err);
	return new MalformedError('CAR', message.slice(0, 120).replace(/\.$/, ''));
}

/**
 * Stream `blocks` as a CARv1 with the given roots. The producer waits for the consumer (CarWriter
 * resolves `put` once its queue drains), so memory stays at about one block. When the consumer
 * stops early the producer stops too; when the producer fails, the error is rethrown to the
 * consumer after the bytes already written, and the caller cuts the response.
 * @param roots - the header roots
 * @param blocks - the blocks, in the order to write them
 * @returns the CAR bytes, in chunks
 * @throws whatever `blocks` throws
 */
export async function* carStream(roots: CID[], blocks: AsyncIterable<Block>): AsyncGenerator<Uint8Array> {
	const { writer, out } = CarWriter.create(roots);
	let failure: { err: unknown } | undefined;
	let stopped = false;
	const producing = (async () => {
		try {
			for await (const block of blocks) {
				if (stopped) break;
				await writer.put(block);
			}
		} catch (err) {
			failure = { err };
		} finally {
			await writer.close();
		}
	})();
	const chunks = out[Symbol.asyncIterator]();
	let finished = false;
	try {
		for (;;) {
			const next = await chunks.next();
			if (next.done === true) break;
			yield next.value;
		}
		finished = true;
	} finally {
		if (!finished) {
			// The consumer left early: let the producer see `stopped` and drain what it still queues.
			stopped = true;
			void (async () => {
				while ((await chunks.next()).done !== true);
			})();
		}
		await producing;
	}
	if (failure !== undefined) throw failure.err;
}

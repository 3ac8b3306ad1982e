/**
 * Writes into the relay's IPFS store: `POST /api/v1/car` (a client uploads a CARv1 of encrypted
 * payload blocks) and `POST /api/v1/pin/<cid>` (the relay fetches a DAG it can reach and pins it).
 *
 * An upload is parsed and every block re-hashed in memory first (bounded by the upload cap and
 * MAX_CONCURRENT_UPLOADS); only a fully valid, complete DAG within quota reaches the disk. Blocks
 * and pin records are then fsynced before the 200 answer, so an acknowledged upload survives
 * `kill -9` and power loss.
 */
import type { IncomingMessage } from 'node:http';
import type { CID } from 'multiformats/cid';
import { ContentNotFoundError, QuotaExceededError } from '../../src/lib/core/errors.ts';
import { assertSupportedCid, parseCid } from './blocks.ts';
import { readCar, type Block } from './car.ts';
import type { IpfsContext } from './context.ts';
import { checkComplete, memoryWalker, walkDag } from './dag.ts';
import { BusyError, UnsupportedMediaTypeError } from './errors.ts';
import { cappedBody, intParam, mediaType } from './http.ts';
import {
	DEFAULT_PIN_TIMEOUT_MS,
	MAX_CONCURRENT_PINS,
	MAX_CONCURRENT_UPLOADS,
	MAX_DAG_BLOCKS,
	MAX_PIN_TIMEOUT_MS,
	WRITE_CONCURRENCY
} from './limits.ts';

/** The media type of an upload body (IANA `application/vnd.ipld.car`). */
export const CAR_MEDIA_TYPE = 'application/vnd.ipld.car';

/** The JSON answer of an upload or a pin request. */
export interface PinAnswer {
	/** The pinned roots, as CIDv1 strings. */
	roots: string[];
	/** Distinct blocks stored (upload) or walked (pin). */
	blocks: number;
	/** Bytes of those blocks. */
	bytes: number;
	/** Expiry of the pins, ms since the epoch. */
	expires: number;
}

/** Counters of requests in progress, for load shedding. */
const inFlight = { uploads: new WeakMap<IpfsContext, number>(), pins: new WeakMap<IpfsContext, number>() };

/** Run `fn` as one of at most `max` concurrent jobs of a kind, else refuse with 503. */
async function limited<T>(
	map: WeakMap<IpfsContext, number>,
	ctx: IpfsContext,
	max: number,
	what: string,
	fn: () => Promise<T>
): Promise<T> {
	const current = map.get(ctx) ?? 0;
	if (current >= max) throw new BusyError(what);
	map.set(ctx, current + 1);
	try {
		return await fn();
	} finally {
		map.set(ctx, (map.get(ctx) ?? 1) - 1);
	}
}

/**
 * The expiry for a new or extended pin: now + `?ttl=` seconds, at most the retention.
 * @throws {MalformedError} for a ttl that is not a whole number of seconds ≥ 1
 */
function expiryFrom(ctx: IpfsContext, params: URLSearchParams): number {
	const ttl = intParam(params, 'ttl', 1);
	const ms = ttl === undefined ? ctx.retentionMs : Math.min(ttl * 1000, ctx.retentionMs);
	return ctx.now() + ms;
}

/** Run `fn` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
	let next = 0;
	const worker = async (): Promise<void> => {
		while (next < items.length) await fn(items[next++]!);
	};
	await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Handle `POST /api/v1/car[?ttl=<seconds>]`.
 * @param ctx - shared state
 * @param req - the request (body = CARv1, Content-Type application/vnd.ipld.car)
 * @param params - query parameters
 * @returns the answer to send with 200
 * @throws {UnsupportedMediaTypeError} for another Content-Type
 * @throws {TooLargeError} for a body over the upload cap
 * @throws {BusyError} when MAX_CONCURRENT_UPLOADS are in progress
 * @throws {QuotaExceededError} when the DAG does not fit in the quota
 * @throws errors of readCar and checkComplete for a bad CAR (nothing is stored then)
 */
export async function handleUpload(
	ctx: IpfsContext,
	req: IncomingMessage,
	params: URLSearchParams
): Promise<PinAnswer> {
	const type = mediaType(req.headers['content-type']);
	if (type !== CAR_MEDIA_TYPE) throw new UnsupportedMediaTypeError(type, CAR_MEDIA_TYPE);
	const expires = expiryFrom(ctx, params);
	return limited(inFlight.uploads, ctx, MAX_CONCURRENT_UPLOADS, 'uploads', async () => {
		let allPinned = false;
		const car = await readCar(cappedBody(req, ctx.maxUploadBytes, 'The upload'), {
			// A re-upload of pinned roots only extends their expiry and needs no quota.
			onRoots: (roots) => {
				allPinned = roots.every((root) => ctx.pins.get(root) !== undefined);
			},
			onBlock: (bytes) => {
				// Fail early instead of buffering a body that cannot fit anyway.
				if (!allPinned && !ctx.pins.fits(bytes))
					throw new QuotaExceededError(bytes, Math.max(0, ctx.pins.quotaBytes - ctx.pins.pinnedBytes));
			}
		});
		const sizes = checkComplete(car);
		const fresh = car.roots.filter((root) => ctx.pins.get(root) === undefined);
		const release = ctx.pins.reserve(fresh.length === 0 ? 0 : car.bytes);
		try {
			await ctx.lock.withRead(async () => {
				await eachLimited([...car.blocks.values()], WRITE_CONCURRENCY, async (block: Block) => {
					// No abort signal: a shutdown waits for uploads in progress rather than failing them.
					await ctx.helia.blockstore.put(block.cid, block.bytes);
				});
				await ctx.blockstore.sync();
				for (const [i, root] of car.roots.entries()) {
					await ctx.pins.add(root, expires, sizes[i]!.size, sizes[i]!.blocks, undefined, memoryWalker(car.blocks));
				}
				await ctx.datastore.sync();
			});
		} finally {
			release();
		}
		ctx.metrics.uploadBytes.inc(car.bytes);
		ctx.onPinned(car.roots, expires, 'upload');
		return { roots: car.roots.map((r) => r.toV1().toString()), blocks: car.blocks.size, bytes: car.bytes, expires };
	});
}

/**
 * Handle `POST /api/v1/pin/<cid>[?ttl=<seconds>][&timeout=<ms>]`: fetch the DAG under `cid` from
 * wherever the relay can get it (its store, peer relays' gateways, bitswap from connected libp2p
 * peers; every block verified by Helia against its CID), then pin it. A root already pinned only
 * has its expiry extended.
 * @param ctx - shared state
 * @param cidText - the CID from the path
 * @param params - query parameters
 * @returns the answer to send with 200
 * @throws {CidError} / {UnsupportedCodecError} / {UnsupportedHashError} for a bad CID
 * @throws {ContentNotFoundError} when the DAG cannot be fetched in time
 * @throws {TooLargeError} for a DAG over the upload cap
 * @throws {QuotaExceededError} when it does not fit in the quota
 * @throws {BusyError} when MAX_CONCURRENT_PINS are in progress
 */
export async function handlePin(ctx: IpfsContext, cidText: string, params: URLSearchParams): Promise<PinAnswer> {
	const cid = parseCid(cidText);
	assertSupportedCid(cid);
	const expires = expiryFrom(ctx, params);
	const timeoutMs = Math.min(intParam(params, 'timeout', 1) ?? DEFAULT_PIN_TIMEOUT_MS, MAX_PIN_TIMEOUT_MS);
	return limited(inFlight.pins, ctx, MAX_CONCURRENT_PINS, 'pin requests', async () => {
		const signal = AbortSignal.any([ctx.closing, AbortSignal.timeout(timeoutMs)]);
		return ctx.lock.withRead(async () => {
			const existing = ctx.pins.get(cid);
			if (existing !== undefined) {
				const record = await ctx.pins.extend(cid, expires);
				await ctx.datastore.sync();
				return { roots: [record.cid.toString()], blocks: record.blocks, bytes: record.size, expires: record.expires };
			}
			let bytes = 0;
			let blocks = 0;
			try {
				const get = async (block: CID): Promise<Uint8Array> => {
					const chunks: Uint8Array[] = [];
					for await (const chunk of ctx.helia.blockstore.get(block, { signal })) chunks.push(chunk);
					return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
				};
				for await (const block of walkDag(cid, get, {
					scope: 'all',
					maxBlocks: MAX_DAG_BLOCKS,
					maxBytes: ctx.maxUploadBytes,
					signal
				})) {
					bytes += block.bytes.length;
					blocks++;
					if (!ctx.pins.fits(bytes))
						throw new QuotaExceededError(bytes, Math.max(0, ctx.pins.quotaBytes - ctx.pins.pinnedBytes));
				}
			} catch (err) {
				if (signal.aborted && !ctx.closing.aborted)
					throw new ContentNotFoundError(
						cid.toString(),
						`it could not be fetched within ${Math.round(timeoutMs / 1000)} s`
					);
				if (err instanceof AggregateError || (err as Error).name === 'LoadBlockFailedError')
					throw new ContentNotFoundError(cid.toString(), 'no peer relay or connected IPFS node has it');
				throw err;
			}
			// Blocks fetched from the network were written by Helia; make them durable before the pin.
			const release = ctx.pins.reserve(bytes);
			try {
				await ctx.blockstore.sync();
				await ctx.pins.add(cid, expires, bytes, blocks, ctx.closing);
				await ctx.datastore.sync();
			} finally {
				release();
			}
			ctx.onPinned([cid], expires, 'pin');
			return { roots: [cid.toV1().toString()], blocks, bytes, expires };
		});
	});
}

/**
 * The IPFS Trustless Gateway (https://specs.ipfs.tech/http-gateways/trustless-gateway/):
 * `GET`/`HEAD /ipfs/<cid>` answering a raw block (`?format=raw`, `application/vnd.ipld.raw`) or a
 * CARv1 of the DAG (`?format=car`, `application/vnd.ipld.car`). A block missing here is fetched from
 * peer relays and verified before it is served (unless the request says `only-if-cached`).
 *
 * This gateway is strict: it never deserializes (no UnixFS files, no directory listings), so a
 * request that names no format is refused (400 without Accept, 406 with an Accept listing neither
 * type), as the spec allows for a gateway in "strict trustless mode".
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import * as dagPb from '@ipld/dag-pb';
import type { CID } from 'multiformats/cid';
import { ContentNotFoundError, MalformedError } from '../../src/lib/core/errors.ts';
import { assertSupportedCid, isIdentity, parseCid } from './blocks.ts';
import { carStream, type Block } from './car.ts';
import type { IpfsContext } from './context.ts';
import { skipIdentity, walkDag } from './dag.ts';
import { FormatError, NotAcceptableError, NotCachedError } from './errors.ts';
import { COMMON_HEADERS } from './http.ts';
import { MAX_CAR_EXPORT_BLOCKS, MAX_CAR_EXPORT_BYTES } from './limits.ts';

/** `Cache-Control` for every immutable `/ipfs/` answer (path gateway spec, Cache-Control). */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=29030400, immutable';

/** What a gateway request asks for, after content negotiation. */
export interface GatewayFormat {
	format: 'raw' | 'car';
	/** True when the format came from `?format=` (else from Accept: answer with Content-Location). */
	fromQuery: boolean;
	/** CAR `dag-scope`: `all` (default), `entity` or `block`. */
	scope: 'all' | 'entity' | 'block';
	/** CAR `dups`: emit repeated blocks each time (`y`) or once (`n`, default). */
	dups: boolean;
}

interface MediaRange {
	type: string;
	params: Map<string, string>;
	q: number;
	index: number;
}

/** Parse an Accept header into media ranges (RFC 9110 §12.5.1), best first. */
function parseAccept(accept: string): MediaRange[] {
	const ranges: MediaRange[] = [];
	for (const [index, part] of accept.split(',').slice(0, 32).entries()) {
		const [typePart, ...paramParts] = part.split(';');
		const type = (typePart ?? '').trim().toLowerCase();
		if (type === '') continue;
		const params = new Map<string, string>();
		let q = 1;
		for (const p of paramParts) {
			const eq = p.indexOf('=');
			if (eq < 0) continue;
			const name = p.slice(0, eq).trim().toLowerCase();
			const value = p
				.slice(eq + 1)
				.trim()
				.replace(/^"|"$/g, '')
				.toLowerCase();
			if (name === 'q') q = Number.isFinite(Number(value)) ? Number(value) : 0;
			else params.set(name, value);
		}
		if (q > 0) ranges.push({ type, params, q, index });
	}
	return ranges.sort((a, b) => b.q - a.q || a.index - b.index);
}

/** Whether a CAR media range's parameters (IPIP-412 `version`, `order`, `dups`) can be honoured. */
function carParamsSupported(params: Map<string, string>): boolean {
	const version = params.get('version');
	const order = params.get('order');
	const dups = params.get('dups');
	return (
		(version === undefined || version === '1') &&
		(order === undefined || order === 'dfs' || order === 'unk') &&
		(dups === undefined || dups === 'y' || dups === 'n')
	);
}

/**
 * Decide the response format from `?format=` (which takes precedence, spec "format") and Accept.
 * @param params - query parameters
 * @param accept - the Accept header, if any
 * @returns the format and CAR options
 * @throws {FormatError} for an unknown format or CAR parameter, an unsupported dag-scope or
 *   entity-bytes, or no format at all (400: "SHOULD return 400 ... when Accept header is missing")
 * @throws {NotAcceptableError} when Accept lists no type this gateway serves (406)
 */
export function negotiate(params: URLSearchParams, accept: string | undefined): GatewayFormat {
	let format: 'raw' | 'car' | undefined;
	let fromQuery = false;
	let dups = false;
	const queryFormat = params.get('format');
	if (queryFormat !== null) {
		if (queryFormat !== 'raw' && queryFormat !== 'car')
			throw new FormatError(`format=${queryFormat.slice(0, 40)} is unknown here; use format=raw or format=car`);
		format = queryFormat;
		fromQuery = true;
	}
	if (format === undefined && accept !== undefined && accept.trim() !== '') {
		const ranges = parseAccept(accept);
		for (const range of ranges) {
			if (range.type === 'application/vnd.ipld.raw') {
				format = 'raw';
				break;
			}
			if (range.type === 'application/vnd.ipld.car' && carParamsSupported(range.params)) {
				format = 'car';
				dups = range.params.get('dups') === 'y';
				break;
			}
		}
		if (format === undefined) throw new NotAcceptableError(accept);
	}
	if (format === undefined)
		throw new FormatError(
			'ask for ?format=raw or ?format=car (or send Accept: application/vnd.ipld.raw or application/vnd.ipld.car)'
		);
	if (format === 'raw') return { format, fromQuery, scope: 'all', dups: false };

	// CAR query parameters take precedence over the Accept parameters (spec "car-version" etc.).
	const version = params.get('car-version');
	if (version !== null && version !== '1')
		throw new FormatError(`car-version=${version.slice(0, 10)} is not served; only CARv1`);
	const order = params.get('car-order');
	if (order !== null && order !== 'dfs' && order !== 'unk')
		throw new FormatError(`car-order=${order.slice(0, 10)} is not served; only dfs`);
	const dupsParam = params.get('car-dups');
	if (dupsParam !== null) {
		if (dupsParam !== 'y' && dupsParam !== 'n') throw new FormatError('car-dups must be y or n');
		dups = dupsParam === 'y';
	}
	if (params.has('entity-bytes')) throw new FormatError('entity-bytes is not supported by this gateway');
	const scope = params.get('dag-scope') ?? 'all';
	if (scope !== 'all' && scope !== 'entity' && scope !== 'block')
		throw new FormatError('dag-scope must be all, entity or block');
	return { format, fromQuery, scope, dups };
}

/** Read a block from the local store only; undefined when absent (or deleted by GC meanwhile). */
async function getLocal(ctx: IpfsContext, cid: CID): Promise<Uint8Array | undefined> {
	const chunks: Uint8Array[] = [];
	try {
		for await (const chunk of ctx.helia.blockstore.get(cid, { offline: true })) chunks.push(chunk);
	} catch (err) {
		const name = (err as Error).name;
		if (name === 'NotFoundError' || name === 'BlockNotFoundWhileOfflineError') return undefined;
		throw err;
	}
	return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/**
 * A block from the local store, else (unless `onlyIfCached`) from a peer relay, verified.
 * Identity CIDs answer their inline digest.
 */
async function getBlock(
	ctx: IpfsContext,
	cid: CID,
	onlyIfCached: boolean,
	signal: AbortSignal
): Promise<Uint8Array | undefined> {
	if (skipIdentity(cid)) return cid.multihash.digest;
	const local = await getLocal(ctx, cid);
	if (local !== undefined || onlyIfCached) return local;
	return ctx.peers.fetchBlock(cid, signal);
}

/** Whether an If-None-Match header matches `etag` (RFC 9110 §13.1.2, weak comparison). */
function matchesEtag(header: string | undefined, etag: string): boolean {
	if (header === undefined) return false;
	const bare = etag.replace(/^W\//, '');
	return header.split(',').some((tag) => {
		const t = tag.trim();
		return t === '*' || t.replace(/^W\//, '') === bare;
	});
}

/**
 * Handle `GET`/`HEAD /ipfs/<cid>[/<path>]`.
 * @param ctx - shared state
 * @param req - the request
 * @param res - the response
 * @param rest - the path after `/ipfs/`
 * @param params - query parameters
 * @returns the route label for metrics (`gateway_raw` or `gateway_car`)
 * @throws {CidError} for a malformed CID (400)
 * @throws {FormatError} / {NotAcceptableError} from {@link negotiate}
 * @throws {MalformedError} for a content path after the CID (not supported)
 * @throws {UnsupportedCodecError} / {UnsupportedHashError} for a CID the relay cannot verify
 * @throws {ContentNotFoundError} when the root block is not here nor on any peer relay (404)
 * @throws {NotCachedError} with `Cache-Control: only-if-cached` when it is not here (412)
 */
export async function handleGateway(
	ctx: IpfsContext,
	req: IncomingMessage,
	res: ServerResponse,
	rest: string,
	params: URLSearchParams
): Promise<'gateway_raw' | 'gateway_car'> {
	const slash = rest.indexOf('/');
	const cidText = slash < 0 ? rest : rest.slice(0, slash);
	const path = slash < 0 ? '' : rest.slice(slash + 1);
	const cid = parseCid(cidText);
	const want = negotiate(params, req.headers.accept);
	if (path !== '') throw new MalformedError('The content path', 'this gateway serves /ipfs/<cid> without a path');
	if (!isIdentity(cid)) assertSupportedCid(cid);
	const onlyIfCached = /(^|,)\s*only-if-cached\s*(,|$)/i.test(req.headers['cache-control'] ?? '');
	const head = req.method === 'HEAD';
	const cidString = cid.toString();

	const closed = new AbortController();
	res.once('close', () => closed.abort());
	const root = await getBlock(ctx, cid, onlyIfCached, AbortSignal.any([closed.signal, ctx.closing]));
	if (root === undefined) {
		if (onlyIfCached) throw new NotCachedError(cidString);
		throw new ContentNotFoundError(
			cidString,
			ctx.peers.urls.length > 0 ? 'not on this relay nor its peer relays' : 'not on this relay'
		);
	}

	const headers: Record<string, string | number> = {
		...COMMON_HEADERS,
		'cache-control': IMMUTABLE_CACHE_CONTROL,
		'x-ipfs-path': `/ipfs/${cidString}`,
		'x-ipfs-roots': cidString,
		vary: 'Accept'
	};

	if (want.format === 'raw') {
		const etag = `"${cidString}.raw"`;
		Object.assign(headers, {
			'content-type': 'application/vnd.ipld.raw',
			'content-length': root.length,
			'content-disposition': `attachment; filename="${cidString}.bin"`,
			etag
		});
		if (!want.fromQuery) headers['content-location'] = `/ipfs/${cidString}?format=raw`;
		if (matchesEtag(req.headers['if-none-match'], etag)) {
			res.writeHead(304, headers).end();
			return 'gateway_raw';
		}
		res.writeHead(200, headers);
		res.end(head ? undefined : root);
		if (!head) {
			ctx.metrics.blocksServed.inc({ format: 'raw' });
			ctx.metrics.bytesServed.inc({ format: 'raw' }, root.length);
		}
		return 'gateway_raw';
	}

	// dag-scope=entity: for non-UnixFS data it equals `block`; for dag-pb (UnixFS) the entity is the
	// file or directory, which this gateway answers with the whole DAG (a superset clients accept).
	const scope = want.scope === 'entity' ? (cid.code === dagPb.code ? 'all' : 'block') : want.scope;
	const dups = want.dups ? 'y' : 'n';
	// The walk is deterministic (DFS, links in order), so the bytes are too: a strong Etag.
	const etag = `"${cidString}.car.${scope}.dfs.${dups}"`;
	Object.assign(headers, {
		'content-type': `application/vnd.ipld.car; version=1; order=dfs; dups=${dups}`,
		'content-disposition': `attachment; filename="${cidString}.car"`,
		'accept-ranges': 'none',
		etag
	});
	if (!want.fromQuery)
		headers['content-location'] = `/ipfs/${cidString}?format=car&dag-scope=${scope}&car-dups=${dups}`;
	if (matchesEtag(req.headers['if-none-match'], etag)) {
		res.writeHead(304, headers).end();
		return 'gateway_car';
	}
	res.writeHead(200, headers);
	if (head) {
		res.end();
		return 'gateway_car';
	}
	const signal = AbortSignal.any([closed.signal, ctx.closing]);
	const get = async (block: CID): Promise<Uint8Array> => {
		if (block.equals(cid)) return root;
		const bytes = await getBlock(ctx, block, onlyIfCached, signal);
		if (bytes === undefined) throw new ContentNotFoundError(block.toString(), `a block of ${cidString} is missing`);
		return bytes;
	};
	const metrics = ctx.metrics;
	const counted = async function* (): AsyncGenerator<Block> {
		for await (const block of walkDag(cid, get, {
			scope,
			duplicates: want.dups,
			maxBlocks: MAX_CAR_EXPORT_BLOCKS,
			maxBytes: MAX_CAR_EXPORT_BYTES,
			signal
		})) {
			metrics.blocksServed.inc({ format: 'car' });
			metrics.bytesServed.inc({ format: 'car' }, block.bytes.length);
			yield block;
		}
	};
	// Identity roots have no block to send (spec: identity blocks MUST NOT appear in a CAR).
	await pipeline(carStream([cid], counted()), res);
	return 'gateway_car';
}

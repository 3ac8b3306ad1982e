/**
 * The IPFS half of the community relay: a Helia node with a durable blockstore and datastore in the
 * data directory, the Trustless Gateway, CAR uploads and pin requests with expiry and quota, an
 * expiry sweep with garbage collection, peer relays, and an optional Kubo mirror. The relay's HTTP
 * server hands every request to `handle()`; it answers the IPFS routes and returns false for the
 * rest.
 *
 * Routes:
 * - `GET|HEAD /ipfs/<cid>` — Trustless Gateway (gateway.ts)
 * - `POST /api/v1/car[?ttl=<s>]` — upload a CARv1 (upload.ts)
 * - `POST /api/v1/pin/<cid>[?ttl=<s>&timeout=<ms>]` — fetch and pin a DAG (upload.ts)
 * - `OPTIONS` on those — CORS preflight
 */
import { mkdir } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { withBitswap } from '@helia/bitswap';
import type { Helia } from '@helia/interface';
import { withLibp2pLight, type HeliaWithLibp2p } from '@helia/libp2p';
import * as dagCbor from '@ipld/dag-cbor';
import { createHeliaLight } from 'helia';
import { sha512 } from 'multiformats/hashes/sha2';
import type { CID } from 'multiformats/cid';
import type { Registry } from 'prom-client';
import { MalformedError, MiaouError } from '../../src/lib/core/errors.ts';
import type { Logger } from '../log.ts';
import type { Block } from './car.ts';
import type { IpfsContext } from './context.ts';
import { walkDag } from './dag.ts';
import { BusyError, MethodNotAllowedError } from './errors.ts';
import { handleGateway } from './gateway.ts';
import { COMMON_HEADERS, sendError, sendJson } from './http.ts';
import { kuboMirror, normalizeKuboUrl, type KuboMirror } from './kubo.ts';
import { offlineDns, relayLibp2pOptions, type RelayLibp2pServices } from './libp2p.ts';
import {
	DEFAULT_RETENTION_MS,
	MAX_CAR_EXPORT_BLOCKS,
	MAX_CAR_EXPORT_BYTES,
	MAX_URL_LENGTH,
	SWEEP_INTERVAL_MS
} from './limits.ts';
import { RwLock } from './lock.ts';
import { createIpfsMetrics } from './metrics.ts';
import { normalizePeerUrls, peerRelays } from './peers.ts';
import { PinBook } from './pins.ts';
import { DurableFsBlockstore, DurableFsDatastore } from './store.ts';
import { handlePin, handleUpload } from './upload.ts';

/** Options of {@link createIpfsService}. */
export interface IpfsServiceOptions {
	/** Blocks go to `<dataDir>/blocks` (blockstore-fs), the datastore to `<dataDir>/datastore` (datastore-fs). */
	dataDir: string;
	/** Storage quota for pinned blocks; an upload that would pass it gets 507 `{ code: 'ERR_QUOTA' }`. */
	quotaBytes: number;
	/** Pin expiry (default retention 7 days); `?ttl=` may ask for less, never more. */
	retentionMs: number;
	/** Largest upload (and largest DAG a pin request may fetch); checked while streaming (413). */
	maxUploadBytes: number;
	/** libp2p listen multiaddrs, e.g. `['/ip4/127.0.0.1/tcp/0/ws', '/ip4/127.0.0.1/tcp/0']`. */
	listen: string[];
	/** libp2p addresses announced besides the listen ones (relay config `libp2pAnnounce`): a TLS proxy's `wss`. */
	announce?: string[];
	/** LAN discovery with multicast DNS. */
	mdns: boolean;
	/** Other relays' base http URLs: a CID missing here is fetched from their gateways and verified. */
	peers: string[];
	/** Optional Kubo RPC URL: pins are mirrored there (best effort). */
	ipfsApi?: string;
	/** Where the metrics are registered. */
	registry: Registry;
	/** Structured logger (relay/log.ts). */
	log: Logger;
	/** Clock, ms since the epoch (tests inject one to test expiry). */
	now?: () => number;
}

/** Outcome of one expiry sweep. */
export interface SweepResult {
	/** Pins removed because they expired. */
	expired: number;
	/** Blocks deleted by garbage collection. */
	deleted: number;
}

/** The running IPFS half. */
export interface IpfsService {
	/**
	 * Answer the request if it is an IPFS route.
	 * @returns true when it answered, false when the request is for another part of the relay
	 */
	handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
	/** Pinned count and bytes, quota, libp2p peer id, addresses and connections. */
	health(): Promise<Record<string, unknown>>;
	/** Stop the sweep, wait for writes in progress, stop Helia, close the blockstore and datastore. */
	stop(): Promise<void>;
	/**
	 * Remove expired pins and garbage-collect (also run every SWEEP_INTERVAL_MS).
	 * @returns what was removed
	 */
	sweep(): Promise<SweepResult>;
	/** The Helia node (with libp2p), for tests and for the relay. */
	helia: HeliaWithLibp2p<RelayLibp2pServices>;
}

function checkNumber(name: string, value: number, min: number): void {
	if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`${name} must be a finite number`);
	if (value < min) throw new RangeError(`${name} must be at least ${min}, got ${value}`);
}

/** Every block of a pinned DAG, read from the local store (for the Kubo mirror). */
async function* localDag(helia: Helia, root: CID): AsyncGenerator<Block> {
	const get = async (cid: CID): Promise<Uint8Array> => {
		const chunks: Uint8Array[] = [];
		for await (const chunk of helia.blockstore.get(cid, { offline: true })) chunks.push(chunk);
		return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
	};
	yield* walkDag(root, get, { scope: 'all', maxBlocks: MAX_CAR_EXPORT_BLOCKS, maxBytes: MAX_CAR_EXPORT_BYTES });
}

/**
 * Start the IPFS half of the relay.
 * @param opts - see {@link IpfsServiceOptions}
 * @returns the running service; call `stop()` to close it
 * @throws {TypeError} / {RangeError} for options out of range or malformed URLs
 * @throws {Error} when the data directory cannot be used or libp2p cannot listen
 * @example
 * const ipfs = await createIpfsService({ dataDir, quotaBytes: 1e9, retentionMs: 7 * 86400e3,
 *   maxUploadBytes: 64 << 20, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, peers: [], registry, log })
 * http.createServer(async (req, res) => { if (!(await ipfs.handle(req, res))) res.writeHead(404).end() })
 */
export async function createIpfsService(opts: IpfsServiceOptions): Promise<IpfsService> {
	checkNumber('quotaBytes', opts.quotaBytes, 0);
	checkNumber('retentionMs', opts.retentionMs ?? DEFAULT_RETENTION_MS, 1000);
	checkNumber('maxUploadBytes', opts.maxUploadBytes, 1);
	const peerUrls = normalizePeerUrls(opts.peers);
	const kuboUrl = opts.ipfsApi === undefined || opts.ipfsApi === '' ? undefined : normalizeKuboUrl(opts.ipfsApi);
	const log = opts.log.child({ component: 'ipfs' });
	const now = opts.now ?? Date.now;
	const retentionMs = opts.retentionMs ?? DEFAULT_RETENTION_MS;

	await mkdir(opts.dataDir, { recursive: true });
	const blockstore = new DurableFsBlockstore(join(opts.dataDir, 'blocks'));
	const datastore = new DurableFsDatastore(join(opts.dataDir, 'datastore'));
	await blockstore.open();
	await datastore.open();

	const closing = new AbortController();
	// Registered first so the peer client can count; read libp2p only at scrape time.
	const metrics = createIpfsMetrics(opts.registry, opts.quotaBytes, () =>
		helia.status === 'started' ? helia.libp2p.getConnections().length : 0
	);
	const peers = peerRelays(peerUrls, log, (result) => metrics.peerFetches.inc({ result }));
	const dns = offlineDns();
	// createHeliaLight + the libp2p and bitswap mixins, rather than createHelia: createHelia also
	// adds @helia/http (delegated routing to delegated-ipfs.dev and the public trustless gateways
	// trustless-gateway.link and 4everland.io) and Helia's libp2p defaults; see libp2p.ts.
	const helia = withBitswap(
		withLibp2pLight(
			createHeliaLight({
				blockstore,
				datastore,
				dns,
				codecs: [dagCbor],
				hashers: [sha512],
				blockBrokers: [peers.broker()]
			}),
			relayLibp2pOptions(opts.listen, opts.mdns, dns, undefined, opts.announce ?? [])
		)
	);
	const pins = new PinBook(helia, opts.quotaBytes);
	try {
		await helia.start();
		// The peer key was written on first start: make it durable so the peer id survives a crash.
		await datastore.sync();
		await pins.load();
	} catch (err) {
		await Promise.allSettled([helia.stop(), blockstore.close(), datastore.close()]);
		metrics.unregister();
		throw err;
	}
	const updateGauges = (): void => {
		metrics.pinnedBytes.set(pins.pinnedBytes);
		metrics.pinnedRoots.set(pins.count);
	};
	updateGauges();

	const background = new Set<Promise<unknown>>();
	const track = (task: Promise<unknown>): void => {
		background.add(task);
		void task.finally(() => background.delete(task));
	};
	const kubo: KuboMirror | undefined = kuboUrl === undefined ? undefined : kuboMirror(kuboUrl, log, closing.signal);

	const lock = new RwLock();
	const ctx: IpfsContext = {
		helia,
		blockstore,
		datastore,
		pins,
		lock,
		peers,
		metrics,
		log,
		now,
		retentionMs,
		maxUploadBytes: opts.maxUploadBytes,
		closing: closing.signal,
		onPinned(roots, expires, origin) {
			updateGauges();
			const ttlSeconds = Math.max(1, Math.ceil((expires - now()) / 1000));
			for (const root of roots) {
				// Replicate only what a client uploaded: a pin request made by a peer never fans out
				// again, so two relays that list each other do not loop.
				if (origin === 'upload' && peerUrls.length > 0) track(peers.replicate(root, ttlSeconds));
				if (kubo !== undefined) track(kubo.pin(root, () => localDag(helia, root)));
			}
		}
	};

	let stopped = false;
	const sweep = async (): Promise<SweepResult> =>
		lock.withWrite(async () => {
			const expired = pins.expired(now());
			for (const record of expired) {
				await pins.remove(record.cid);
				metrics.expiredPins.inc();
				if (kubo !== undefined) track(kubo.unpin(record.cid));
			}
			let deleted = 0;
			await helia.gc({
				signal: closing.signal,
				onProgress: (evt) => {
					if (evt.type === 'helia:gc:deleted') deleted++;
				}
			});
			metrics.gcBlocks.inc(deleted);
			updateGauges();
			if (expired.length > 0 || deleted > 0) log.info('expiry sweep', { expired: expired.length, deleted });
			return { expired: expired.length, deleted };
		});
	const timer = setInterval(() => {
		sweep().catch((err: unknown) => {
			if (!stopped) log.error('expiry sweep failed', { err });
		});
	}, SWEEP_INTERVAL_MS);
	timer.unref();

	const handle = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
		const rawUrl = req.url ?? '/';
		// Route on the raw path (no dot-segment normalization: /ipfs/<cid>/../x is a path, not a
		// different route); the query string only feeds URLSearchParams.
		const queryAt = rawUrl.indexOf('?');
		const path = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
		const isIpfs = path === '/ipfs' || path.startsWith('/ipfs/');
		const route0 = isIpfs
			? 'gateway'
			: path === '/api/v1/car'
				? 'upload'
				: path.startsWith('/api/v1/pin/')
					? 'pin'
					: undefined;
		if (route0 === undefined) return false;
		const started = process.hrtime.bigint();
		let route: string = route0;
		let status = 200;
		try {
			if (rawUrl.length > MAX_URL_LENGTH)
				throw new MalformedError('The request URL', `it is longer than ${MAX_URL_LENGTH} characters`);
			const params = new URLSearchParams(queryAt < 0 ? '' : rawUrl.slice(queryAt + 1));
			if (req.method === 'OPTIONS') {
				res.writeHead(204, {
					...COMMON_HEADERS,
					'access-control-allow-methods': isIpfs ? 'GET, HEAD, OPTIONS' : 'POST, OPTIONS',
					'access-control-allow-headers': 'Content-Type, Accept, Cache-Control, If-None-Match',
					'access-control-max-age': '86400'
				});
				res.end();
				status = 204;
				return true;
			}
			if (stopped) throw new BusyError('requests (the relay is stopping)');
			if (isIpfs) {
				if (req.method !== 'GET' && req.method !== 'HEAD')
					throw new MethodNotAllowedError(req.method ?? '', 'GET, HEAD');
				route = await handleGateway(ctx, req, res, path.slice('/ipfs/'.length), params);
				status = res.statusCode;
				return true;
			}
			if (req.method !== 'POST') throw new MethodNotAllowedError(req.method ?? '', 'POST');
			const answer =
				route === 'upload'
					? await handleUpload(ctx, req, params)
					: await handlePin(ctx, decodeURIComponentSafe(path.slice('/api/v1/pin/'.length)), params);
			sendJson(res, 200, answer);
			if (route === 'upload') metrics.uploads.inc({ result: 'ok' });
			else metrics.pinRequests.inc({ result: 'ok' });
			return true;
		} catch (err) {
			status = sendError(req, res, err);
			const code = err instanceof MiaouError ? err.code : 'ERR_INTERNAL';
			if (route === 'upload') metrics.uploads.inc({ result: code });
			else if (route === 'pin') metrics.pinRequests.inc({ result: code });
			// A client that hangs up mid-answer is not the relay's failure.
			const clientGone = (err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE' || req.destroyed;
			const fields = { method: req.method, url: rawUrl.slice(0, 200), status, code };
			if (status >= 500 && status !== 503 && status !== 507 && !clientGone)
				log.error('IPFS request failed', { ...fields, err });
			else log.debug('IPFS request refused', fields);
			return true;
		} finally {
			const seconds = Number(process.hrtime.bigint() - started) / 1e9;
			metrics.latency.observe({ route, status: String(status) }, seconds);
		}
	};

	return {
		helia,
		handle,
		sweep,
		async health() {
			if (stopped) return { stopped: true };
			const libp2p = helia.libp2p;
			return {
				pinned: { roots: pins.count, bytes: pins.pinnedBytes },
				quota: { bytes: pins.quotaBytes, free: Math.max(0, pins.quotaBytes - pins.pinnedBytes) },
				retentionMs,
				peers: peerUrls,
				kubo: kuboUrl !== undefined,
				libp2p: {
					peerId: libp2p.peerId.toString(),
					addrs: libp2p.getMultiaddrs().map((ma) => ma.toString()),
					connections: libp2p.getConnections().length
				}
			};
		},
		async stop() {
			if (stopped) return;
			stopped = true;
			clearInterval(timer);
			closing.abort();
			peers.close();
			// Wait for uploads and pins holding the read side, and for a sweep holding the write side.
			await lock.withWrite(async () => {});
			await Promise.allSettled([...background]);
			try {
				await helia.stop();
			} finally {
				await blockstore.close();
				await datastore.close();
				metrics.unregister();
			}
		}
	};
}

/** decodeURIComponent that leaves malformed escapes as they are (the CID parser then refuses them). */
function decodeURIComponentSafe(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}

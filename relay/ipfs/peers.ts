/**
 * Peer relays over HTTP. A block missing here is asked from the other relays' Trustless Gateways
 * (`GET /ipfs/<cid>?format=raw`) and re-hashed before it is served or stored, so a peer can never
 * make this relay serve wrong bytes. Requests carry `Cache-Control: only-if-cached` (path gateway
 * spec, 412 Precondition Failed): the peer answers from its own store and never asks its own peers,
 * so two relays that list each other cannot bounce a request between them forever.
 *
 * The same fetcher is offered to Helia as a block broker, so a pin request walks its DAG through
 * local storage, peer relays and bitswap alike.
 */
import type { BlockBroker, BlockRetrievalOptions } from '@helia/interface';
import type { CID } from 'multiformats/cid';
import { ContentNotFoundError } from '../../src/lib/core/errors.ts';
import { verifyBlock } from './blocks.ts';
import { MAX_BLOCK_BYTES, PEER_FETCH_TIMEOUT_MS, REPLICATE_TIMEOUT_MS } from './limits.ts';
import type { Logger } from '../log.ts';

/** Outcome of one block fetch from one peer, for metrics. */
export type PeerFetchResult = 'ok' | 'missing' | 'bad_hash' | 'too_large' | 'error';

/** Fetches verified blocks from peer relays and asks them to replicate pins. */
export interface PeerRelays {
	/** The normalized base URLs. */
	readonly urls: readonly string[];
	/**
	 * Ask each peer in turn for a block; the first one whose bytes hash to `cid` wins.
	 * @returns the verified bytes, or undefined when no peer has it
	 */
	fetchBlock(cid: CID, signal?: AbortSignal): Promise<Uint8Array | undefined>;
	/** Ask every peer to pin `root` for `ttlSeconds` (best effort, logged, never throws). */
	replicate(root: CID, ttlSeconds: number): Promise<void>;
	/** A Helia block broker backed by {@link PeerRelays.fetchBlock}. */
	broker(): BlockBroker;
	/** Abort every request in flight (service shutdown). */
	close(): void;
}

/**
 * Check and normalize peer relay base URLs (`http(s)://host[:port][/prefix]`, no trailing slash).
 * @param peers - URLs from the operator
 * @returns normalized URLs
 * @throws {RangeError} for a URL that does not parse or is not http(s)
 */
export function normalizePeerUrls(peers: readonly string[]): string[] {
	return peers.map((peer) => {
		let url: URL;
		try {
			url = new URL(peer);
		} catch {
			throw new RangeError(`peer relay URL "${peer}" does not parse`);
		}
		if (url.protocol !== 'http:' && url.protocol !== 'https:')
			throw new RangeError(`peer relay URL "${peer}" must be http or https`);
		return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
	});
}

/**
 * Read a response body, refusing more than `max` bytes.
 * @returns the bytes, or undefined when over `max`
 */
async function readCapped(res: Response, max: number): Promise<Uint8Array | undefined> {
	const declared = Number(res.headers.get('content-length') ?? '0');
	if (declared > max) {
		await res.body?.cancel();
		return undefined;
	}
	if (res.body === null) return new Uint8Array(0);
	const reader = res.body.getReader();
	const chunks: Uint8Array[] = [];
	let total = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		total += value.length;
		if (total > max) {
			await reader.cancel();
			return undefined;
		}
		chunks.push(value);
	}
	const out = new Uint8Array(total);
	let offset = 0;
	for (const chunk of chunks) {
		out.set(chunk, offset);
		offset += chunk.length;
	}
	return out;
}

/**
 * Create the peer relay client.
 * @param urls - normalized base URLs (see {@link normalizePeerUrls})
 * @param log - logger
 * @param onFetch - called with each per-peer outcome (metrics)
 * @returns the client
 */
export function peerRelays(
	urls: readonly string[],
	log: Logger,
	onFetch: (result: PeerFetchResult) => void = () => {}
): PeerRelays {
	const closing = new AbortController();

	const fetchFrom = async (base: string, cid: CID, signal?: AbortSignal): Promise<Uint8Array | undefined> => {
		const timeout = AbortSignal.timeout(PEER_FETCH_TIMEOUT_MS);
		const signals = [closing.signal, timeout, ...(signal ? [signal] : [])];
		let result: PeerFetchResult = 'error';
		try {
			const res = await fetch(`${base}/ipfs/${cid.toString()}?format=raw`, {
				headers: { accept: 'application/vnd.ipld.raw', 'cache-control': 'only-if-cached' },
				signal: AbortSignal.any(signals),
				redirect: 'error'
			});
			if (res.status !== 200) {
				await res.body?.cancel();
				result = res.status === 404 || res.status === 412 ? 'missing' : 'error';
				return undefined;
			}
			const bytes = await readCapped(res, MAX_BLOCK_BYTES);
			if (bytes === undefined) {
				result = 'too_large';
				log.warn('peer relay sent a block over the size cap', { peer: base, cid: cid.toString() });
				return undefined;
			}
			if (!verifyBlock(cid, bytes)) {
				result = 'bad_hash';
				log.warn('peer relay sent bytes that do not hash to the CID', { peer: base, cid: cid.toString() });
				return undefined;
			}
			result = 'ok';
			return bytes;
		} catch (err) {
			if (signal?.aborted === true) throw err;
			log.debug('peer relay fetch failed', { peer: base, cid: cid.toString(), err });
			return undefined;
		} finally {
			onFetch(result);
		}
	};

	const fetchBlock = async (cid: CID, signal?: AbortSignal): Promise<Uint8Array | undefined> => {
		for (const base of urls) {
			signal?.throwIfAborted();
			const bytes = await fetchFrom(base, cid, signal);
			if (bytes !== undefined) return bytes;
		}
		return undefined;
	};

	const replicateTo = async (base: string, root: CID, ttlSeconds: number): Promise<void> => {
		try {
			const res = await fetch(`${base}/api/v1/pin/${root.toString()}?ttl=${ttlSeconds}`, {
				method: 'POST',
				signal: AbortSignal.any([closing.signal, AbortSignal.timeout(REPLICATE_TIMEOUT_MS)]),
				redirect: 'error'
			});
			const body = await res.text();
			if (res.ok) log.debug('peer relay replicated pin', { peer: base, cid: root.toString() });
			else
				log.warn('peer relay refused to replicate pin', {
					peer: base,
					cid: root.toString(),
					status: res.status,
					body: body.slice(0, 200)
				});
		} catch (err) {
			log.warn('peer relay replication failed', { peer: base, cid: root.toString(), err });
		}
	};

	return {
		urls,
		fetchBlock,
		async replicate(root, ttlSeconds) {
			await Promise.all(urls.map((base) => replicateTo(base, root, ttlSeconds)));
		},
		broker(): BlockBroker {
			return {
				name: 'miaou-peer-relays',
				async retrieve(cid: CID, options: BlockRetrievalOptions = {}): Promise<Uint8Array> {
					const bytes = await fetchBlock(cid, options.signal);
					if (bytes === undefined) throw new ContentNotFoundError(cid.toString(), 'no peer relay has it');
					return bytes;
				}
			};
		},
		close() {
			closing.abort();
		}
	};
}

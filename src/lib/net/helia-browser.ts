/**
 * A Helia node for the browser (docs/ipfs.md §The browser node): blocks rest in IndexedDB, and
 * blocks this browser does not hold come from the Trustless Gateways of the user's relays
 * (`GET <relay>/ipfs/<cid>?format=raw`, https://specs.ipfs.tech/http-gateways/trustless-gateway/).
 * No libp2p by default: a page talks HTTP to relays it already trusts to be up, which costs no
 * dial, no DHT and no extra bundle; a libp2p node can be handed in to add Bitswap beside them.
 *
 * Every block a broker returns is hashed and compared with its CID by Helia itself (the
 * `validateFn` of `raceBlockRetrievers` in helia/src/storage.ts) before it is stored or used; the
 * relay broker below calls that check per relay, so a relay that lies is skipped and the next
 * one asked, as {@link relayBlobStore} does.
 *
 * This module is loaded by dynamic import only (blob-store-helia-lazy.ts): Helia is not part of
 * the first page.
 */
import type { BlockBroker, BlockRetrievalOptions, Helia } from '@helia/interface';
import type { Libp2p } from '@libp2p/interface';
import { createHeliaLight } from 'helia';
import type { Blockstore } from 'interface-blockstore';
import type { CID } from 'multiformats/cid';
import { AbortError, ContentNotFoundError, HashMismatchError, NoRelayError } from '../core/errors.ts';
import { MAX_BLOCK_BYTES, verifyBlock } from './blocks.ts';
import { fetchRawBlock } from './gateway.ts';
import { normalizeRelayUrl, type Fetch } from './http.ts';
import { systemTimers, type Timers } from './timers.ts';

/** The broker's name in Helia's logs and `hasBlockBroker`. */
export const RELAY_BROKER_NAME = 'miaou-relays';
/** A block request slower than this fails over to the next relay (as blob-store-relay.ts). */
export const GATEWAY_BLOCK_TIMEOUT_MS = 15_000;
/** A relay that served a block not matching its CID is not asked again for this long. */
export const LIAR_PENALTY_MS = 10 * 60_000;
/** Failures kept for {@link RelayGatewayBroker.stats} (the oldest are dropped). */
export const MAX_KEPT_FAILURES = 100;
/** IANA media type of a raw block (Trustless Gateway §Response Types). */

/** A relay that could not serve a block, or served a wrong one. */
export interface GatewayFailure {
	relay: string;
	cid: string;
	/** `mismatch`: the bytes did not hash to the CID (the relay is skipped for {@link LIAR_PENALTY_MS}). */
	kind: 'mismatch' | 'missing' | 'error';
	message: string;
}

/** What the broker did so far. */
export interface GatewayStats {
	/** Verified blocks received from each relay. */
	served: Record<string, number>;
	/** The last {@link MAX_KEPT_FAILURES} failures. */
	failures: GatewayFailure[];
}

/** Helia's block broker over the relays' Trustless Gateways. */
export interface RelayGatewayBroker extends BlockBroker {
	/**
	 * Fetch one block from the first relay that serves bytes Helia's `validateFn` accepts.
	 * @param cid - the block's CID
	 * @param options - AbortSignal, `validateFn` (Helia's hash check), `maxSize`
	 * @returns the block's bytes, verified
	 * @throws {NoRelayError} when no relay is listed
	 * @throws {HashMismatchError} when every relay that answered sent altered bytes
	 * @throws {ContentNotFoundError} when no relay had it
	 * @throws {AbortError} when aborted
	 */
	retrieve(cid: CID, options?: BlockRetrievalOptions): Promise<Uint8Array>;
	/** Blocks served and failures so far. */
	stats(): GatewayStats;
}

/** Options of {@link relayGatewayBroker}. */
export interface RelayGatewayBrokerOptions {
	fetch?: Fetch;
	timers?: Timers;
	/** Wall clock in ms, for the liar penalty. */
	now?: () => number;
	blockTimeoutMs?: number;
}

function message(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/**
 * A block broker asking the relays in the order `relays()` gives at the time of each request, so
 * relays added, removed or reordered (the pool puts open ones first) apply at once.
 *
 * Helia's own `@helia/trustless-gateway-client` finds gateways through content routing and drops
 * a block that fails validation without saying so; this one takes the relay list directly and
 * tells a tampered block (HashMismatchError) from a missing one (ContentNotFoundError).
 * @param relays - relay base URLs, best first
 * @param opts - fetch, timers, clock, time limit
 * @returns the broker
 */
export function relayGatewayBroker(
	relays: () => readonly string[],
	opts: RelayGatewayBrokerOptions = {}
): RelayGatewayBroker {
	const fetchImpl: Fetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
	const timers = opts.timers ?? systemTimers;
	const now = opts.now ?? Date.now;
	const blockTimeoutMs = opts.blockTimeoutMs ?? GATEWAY_BLOCK_TIMEOUT_MS;
	const served: Record<string, number> = {};
	const failures: GatewayFailure[] = [];
	const liars = new Map<string, number>();
	const fail = (failure: GatewayFailure): void => {
		failures.push(failure);
		if (failures.length > MAX_KEPT_FAILURES) failures.splice(0, failures.length - MAX_KEPT_FAILURES);
	};

	return {
		name: RELAY_BROKER_NAME,
		stats: () => ({ served: { ...served }, failures: [...failures] }),
		async retrieve(cid, options = {}) {
			const { signal } = options;
			const text = cid.toString();
			const listed = [...new Set(relays().map(normalizeRelayUrl))];
			if (listed.length === 0) throw new NoRelayError(`no relay is listed to fetch block ${text} from`);
			const urls = listed.filter((u) => (liars.get(u) ?? 0) <= now());
			const mine: GatewayFailure[] = [];
			const note = (failure: GatewayFailure): void => {
				mine.push(failure);
				fail(failure);
			};
			// The block size cap of the Trustless Gateway spec (and Bitswap's), whatever Helia asks.
			const maxSize = Math.min(options.maxSize ?? MAX_BLOCK_BYTES, MAX_BLOCK_BYTES);
			for (const url of urls) {
				if (signal?.aborted) throw new AbortError('The download');
				const answer = await fetchRawBlock(url, text, {
					fetch: fetchImpl,
					timers,
					maxSize,
					timeoutMs: blockTimeoutMs,
					signal
				});
				if (!('bytes' in answer)) {
					note({ relay: url, cid: text, ...answer });
					continue;
				}
				const { bytes } = answer;
				try {
					// Helia's check (hash of the bytes against the CID's multihash); our own when called
					// outside Helia, so a block is never returned unverified.
					if (options.validateFn) await options.validateFn(bytes);
					else if (!(await verifyBlock(cid, bytes))) throw new HashMismatchError(text);
				} catch (error) {
					if (signal?.aborted) throw new AbortError('The download');
					liars.set(url, now() + LIAR_PENALTY_MS);
					note({
						relay: url,
						cid: text,
						kind: 'mismatch',
						message: `${new HashMismatchError(text).message} (${message(error)})`
					});
					continue;
				}
				served[url] = (served[url] ?? 0) + 1;
				return bytes;
			}
			if (mine.length > 0 && mine.every((f) => f.kind === 'mismatch')) throw new HashMismatchError(text);
			if (urls.length === 0) throw new HashMismatchError(text);
			throw new ContentNotFoundError(text, mine.map((f) => `${f.relay}: ${f.message}`).join('; '));
		}
	};
}

/** Options of {@link createBrowserHelia}. */
export interface BrowserHeliaOptions {
	/** Relay base URLs, best first, read at each block request. */
	relays: () => readonly string[];
	/** Where blocks rest: {@link openIdbBlockstore} in the browser; any Blockstore in tests. */
	blockstore: Blockstore;
	/**
	 * A libp2p node (src/lib/net/p2p.ts, when it exists) and `withBitswap` from `@helia/bitswap`:
	 * Bitswap is then added beside the relay gateways, and Helia races both for every block (both
	 * verified the same way). The caller imports Bitswap, which is larger than the rest of this
	 * node: importing it here would put it in the chunk every page that moves a blob loads.
	 */
	libp2p?: { node: Libp2p; withBitswap: (helia: Helia & { libp2p: Libp2p }) => unknown };
	/** Passed to {@link relayGatewayBroker}. */
	broker?: RelayGatewayBrokerOptions;
}

/** A started Helia node, its relay broker and the local blockstore under it. */
export interface BrowserHelia {
	helia: Helia;
	broker: RelayGatewayBroker;
	blockstore: Blockstore;
}

/**
 * Create and start a Helia node whose network is the relays' gateways (and Bitswap when a libp2p
 * node is given).
 * @param opts - relays, blockstore, optional libp2p node, broker options
 * @returns the started node and its broker
 * @throws whatever starting Helia throws
 * @example const { helia } = await createBrowserHelia({ relays: () => pool.ordered(), blockstore: await openIdbBlockstore() })
 */
export async function createBrowserHelia(opts: BrowserHeliaOptions): Promise<BrowserHelia> {
	const broker = relayGatewayBroker(opts.relays, opts.broker);
	const helia = createHeliaLight({ blockstore: opts.blockstore, blockBrokers: [broker] });
	if (opts.libp2p) opts.libp2p.withBitswap(Object.assign(helia, { libp2p: opts.libp2p.node }));
	await helia.start();
	return { helia, broker, blockstore: opts.blockstore };
}

export { BLOCKS_DATABASE, openIdbBlockstore } from './helia-browser-cache.ts';

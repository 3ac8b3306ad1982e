/**
 * One block from one relay's IPFS Trustless Gateway (`GET /ipfs/<cid>?format=raw`, IPFS Trustless
 * Gateway spec §Block responses), bounded in size and time. Shared by the relay blob store and the
 * browser Helia node's block broker; each checks the bytes against the CID in its own way.
 */
import { AbortError } from '../core/errors.ts';
import { readCapped, type Fetch } from './http.ts';
import { deadline, type Timers } from './timers.ts';

/** The media type of a raw block (Trustless Gateway spec). */
export const RAW_MEDIA_TYPE = 'application/vnd.ipld.raw';

/** A relay's answer: the (not yet verified) bytes, or why there are none. */
export type GatewayAnswer = { bytes: Uint8Array } | { kind: 'missing' | 'error'; message: string };

/** Options of {@link fetchRawBlock}. */
export interface RawBlockOptions {
	fetch: Fetch;
	timers: Timers;
	/** Largest block accepted, bytes. */
	maxSize: number;
	/** Time for the whole answer, ms. */
	timeoutMs: number;
	signal?: AbortSignal | undefined;
}

/**
 * Ask one relay for one block.
 * @param url - the relay's base URL
 * @param cid - the block's CID as text
 * @param opts - fetch, timers, size and time bounds, an AbortSignal
 * @returns the bytes, or `missing` (404) / `error` (another status, a network error, a timeout, too large)
 * @throws {AbortError} when `opts.signal` aborts
 */
export async function fetchRawBlock(url: string, cid: string, opts: RawBlockOptions): Promise<GatewayAnswer> {
	const limit = deadline(opts.timeoutMs, opts.signal, opts.timers);
	try {
		const response = await opts.fetch(`${url}/ipfs/${cid}?format=raw`, {
			headers: { accept: RAW_MEDIA_TYPE },
			signal: limit.signal
		});
		if (!response.ok) {
			await response.body?.cancel().catch(() => {});
			return { kind: response.status === 404 ? 'missing' : 'error', message: `HTTP ${response.status}` };
		}
		return { bytes: await readCapped(response, opts.maxSize, `Block ${cid}`) };
	} catch (error) {
		if (opts.signal?.aborted) throw new AbortError('The download');
		const message = limit.timedOut()
			? `no answer within ${opts.timeoutMs} ms`
			: error instanceof Error
				? error.message
				: String(error);
		return { kind: 'error', message };
	} finally {
		limit.dispose();
	}
}

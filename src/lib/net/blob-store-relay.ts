/**
 * The blob store over relays' HTTP APIs (docs/net.md §Blobs).
 *
 * Upload: the file's blocks go as one CARv1 (https://ipld.io/specs/transport/car/carv1/) to
 * `POST <relay>/api/v1/car` on every relay at once; the relay re-hashes each block, checks the
 * DAG is complete and pins it (relay/ipfs/upload.ts). The upload succeeds when one relay
 * accepted it; the report says what each relay answered.
 *
 * Download: block by block from `GET <relay>/ipfs/<cid>?format=raw` (IPFS Trustless Gateway,
 * https://specs.ipfs.tech/http-gateways/trustless-gateway/), trying the relays in order. Every
 * block is hashed and compared with its CID before it is used; a relay that sends a block
 * that does not match is not asked again during that download, and the next relay is tried.
 */
import * as CarBufferWriter from '@ipld/car/buffer-writer';
import type { CID } from 'multiformats/cid';
import {
	AbortError,
	ContentNotFoundError,
	HashMismatchError,
	MalformedError,
	MiaouError,
	NoRelayError,
	RelayRefusedError
} from '../core/errors.ts';
import type { BlobOptions, BlobStore } from './blob-store.ts';
import { MAX_BLOCK_BYTES, toCid, verifyBlock } from './blocks.ts';
import { fetchRawBlock } from './gateway.ts';
import { normalizeRelayUrl, readJson, type Fetch } from './http.ts';
import { deadline, systemTimers, type Timers } from './timers.ts';
import { exportFile, importFile, type Block } from './unixfs.ts';

/** Where a relay takes CAR uploads. */
export const UPLOAD_PATH = '/api/v1/car';
/** IANA media types of a CAR and (from gateway.ts) of a raw block. */
export const CAR_MEDIA_TYPE = 'application/vnd.ipld.car';
export { RAW_MEDIA_TYPE } from './gateway.ts';
/** A block request slower than this fails over to the next relay. */
export const BLOCK_TIMEOUT_MS = 15_000;
/** Time allowed for an upload: this much, plus the time to send it at {@link MIN_UPLOAD_RATE}. */
export const UPLOAD_TIMEOUT_BASE_MS = 30_000;
/** Slowest upload rate tolerated, in bytes a second (a poor mobile link). */
export const MIN_UPLOAD_RATE = 64 * 1024;
/** Largest JSON answer read from a relay. */
export const MAX_ANSWER_BYTES = 64 * 1024;

/** What one relay answered to an upload. */
export type RelayUploadResult =
	| { url: string; ok: true; expires: number; blocks: number; bytes: number }
	| { url: string; ok: false; error: MiaouError };

/** The outcome of {@link RelayBlobStore.upload}. */
export interface UploadReport {
	cid: CID;
	/** One entry per relay tried, in the order given. */
	relays: RelayUploadResult[];
}

/** A block a relay served that was refused, or a relay that could not serve one. */
export interface BlockFailure {
	relay: string;
	cid: string;
	/** `mismatch`: the bytes did not hash to the CID (the relay is skipped from then on). */
	kind: 'mismatch' | 'missing' | 'error';
	message: string;
}

/** The outcome of {@link RelayBlobStore.download}. */
export interface DownloadReport {
	bytes: Uint8Array;
	/** Verified blocks received from each relay. */
	served: Record<string, number>;
	failures: BlockFailure[];
}

/** A {@link BlobStore} over relays, with per-relay reports. */
export interface RelayBlobStore extends BlobStore {
	/**
	 * Like `put`, and say what each relay answered.
	 * @throws as `put`
	 */
	upload(bytes: Uint8Array, opts?: BlobOptions): Promise<UploadReport>;
	/**
	 * Upload a file already imported (its UnixFS blocks, e.g. by the Helia store, which keeps them
	 * locally): one CAR to every relay at once, as `upload` does after its own import, with the
	 * same `upload` progress and the same report. The blocks are not re-hashed here: each relay
	 * re-hashes every block and checks the DAG is complete before it pins (relay/ipfs/upload.ts).
	 * @param root - the root CID
	 * @param blocks - every block of the DAG, root first (unixfs.ts importFile's order)
	 * @param opts - signal and progress (`upload` phase only)
	 * @returns the root and what each relay answered
	 * @throws {NoRelayError} when no relay is listed or none could be reached
	 * @throws {RelayRefusedError} when every relay that answered refused; {@link AbortError} when aborted
	 */
	uploadBlocks(root: CID, blocks: readonly Block[], opts?: BlobOptions): Promise<UploadReport>;
	/**
	 * Like `get`, and say which relay served what and which failed or lied.
	 * @throws as `get`
	 */
	download(cid: CID | string, opts?: BlobOptions): Promise<DownloadReport>;
}

/** Options of {@link relayBlobStore}. */
export interface RelayBlobStoreOptions {
	fetch?: Fetch;
	timers?: Timers;
	/** Largest blob put or got. */
	maxBytes?: number;
	blockTimeoutMs?: number;
	/** Blocks fetched at once. */
	concurrency?: number;
	/** Asked pin lifetime in seconds (`?ttl=`); the relay caps it at its retention. */
	ttlSeconds?: number;
}

/**
 * Encode blocks as a CARv1 with one root.
 * @param root - the root CID (in the header)
 * @param blocks - the blocks, root first
 * @returns the CAR bytes
 */
export function encodeCar(root: CID, blocks: readonly Block[]): Uint8Array {
	const size =
		CarBufferWriter.headerLength({ roots: [root] }) + blocks.reduce((n, b) => n + CarBufferWriter.blockLength(b), 0);
	const writer = CarBufferWriter.createWriter(new ArrayBuffer(size), { roots: [root] });
	for (const block of blocks) writer.write(block);
	return writer.close();
}

function message(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/**
 * Create a blob store over a list of relays.
 * @param relays - relay base URLs, or a function giving them in the order to try (`pool.ordered`)
 * @param opts - fetch, timers, size cap, time limits, concurrency, pin lifetime
 * @returns the store
 * @example const blobs = relayBlobStore(() => pool.ordered())
 */
export function relayBlobStore(
	relays: readonly string[] | (() => readonly string[]),
	opts: RelayBlobStoreOptions = {}
): RelayBlobStore {
	const fetchImpl: Fetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
	const timers = opts.timers ?? systemTimers;
	const blockTimeoutMs = opts.blockTimeoutMs ?? BLOCK_TIMEOUT_MS;
	const list = (): string[] => {
		const urls = (typeof relays === 'function' ? relays() : relays).map(normalizeRelayUrl);
		return [...new Set(urls)];
	};
	const sizeCap = opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {};

	const uploadTo = async (
		url: string,
		root: CID,
		car: Uint8Array,
		signal: AbortSignal | undefined
	): Promise<RelayUploadResult> => {
		const limit = deadline(UPLOAD_TIMEOUT_BASE_MS + (car.length / MIN_UPLOAD_RATE) * 1000, signal, timers);
		try {
			const query = opts.ttlSeconds !== undefined ? `?ttl=${Math.max(1, Math.floor(opts.ttlSeconds))}` : '';
			const response = await fetchImpl(`${url}${UPLOAD_PATH}${query}`, {
				method: 'POST',
				headers: { 'content-type': CAR_MEDIA_TYPE, accept: 'application/json' },
				body: car as Uint8Array<ArrayBuffer>,
				signal: limit.signal
			});
			const answer = await readJson(response, MAX_ANSWER_BYTES, 'The relay answer');
			const fields = (typeof answer === 'object' && answer !== null ? answer : {}) as Record<string, unknown>;
			if (!response.ok) {
				const code = typeof fields.code === 'string' ? fields.code.slice(0, 64) : `HTTP_${response.status}`;
				const text = typeof fields.error === 'string' ? fields.error.slice(0, 512) : `HTTP ${response.status}`;
				return { url, ok: false, error: new RelayRefusedError(url, code, text) };
			}
			const roots = Array.isArray(fields.roots) ? fields.roots : [];
			if (!roots.includes(root.toV1().toString()))
				return { url, ok: false, error: new MalformedError('The relay answer', `it does not name the root ${root}`) };
			const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
			return { url, ok: true, expires: num(fields.expires), blocks: num(fields.blocks), bytes: num(fields.bytes) };
		} catch (error) {
			if (signal?.aborted) throw new AbortError('The upload');
			if (limit.timedOut())
				return { url, ok: false, error: new NoRelayError(`${url} did not answer the upload in time`) };
			if (error instanceof MiaouError) return { url, ok: false, error };
			return { url, ok: false, error: new NoRelayError(`${url}: ${message(error)}`, { cause: error }) };
		} finally {
			limit.dispose();
		}
	};

	const uploadBlocks = async (root: CID, blocks: readonly Block[], o: BlobOptions = {}): Promise<UploadReport> => {
		const urls = list();
		if (urls.length === 0) throw new NoRelayError('no relay is configured');
		if (o.signal?.aborted) throw new AbortError('The upload');
		const car = encodeCar(root, blocks);
		let sent = 0;
		o.onProgress?.({ phase: 'upload', bytes: 0, total: car.length });
		const results = await Promise.all(
			urls.map(async (url) => {
				const result = await uploadTo(url, root, car, o.signal);
				// Progress counts the first relay that took the whole CAR: the data is then safe.
				if (result.ok && sent === 0) {
					sent = car.length;
					o.onProgress?.({ phase: 'upload', bytes: sent, total: car.length, relay: url });
				}
				return result;
			})
		);
		if (!results.some((r) => r.ok)) {
			const failures = results.filter((r): r is Extract<RelayUploadResult, { ok: false }> => !r.ok);
			const refusal = failures.find((r) => r.error instanceof RelayRefusedError);
			if (refusal) throw refusal.error;
			throw new NoRelayError(failures.map((r) => r.error.message).join(' '), {
				cause: new AggregateError(failures.map((r) => r.error))
			});
		}
		return { cid: root, relays: results };
	};

	const upload = async (bytes: Uint8Array, o: BlobOptions = {}): Promise<UploadReport> => {
		if (list().length === 0) throw new NoRelayError('no relay is configured');
		const imported = await importFile(bytes, {
			...sizeCap,
			...(o.signal ? { signal: o.signal } : {}),
			onProgress: (done, total) => o.onProgress?.({ phase: 'encode', bytes: done, total })
		});
		return uploadBlocks(imported.root, imported.blocks, o);
	};

	const download = async (cidInput: CID | string, o: BlobOptions = {}): Promise<DownloadReport> => {
		const root = toCid(cidInput);
		const served: Record<string, number> = {};
		const failures: BlockFailure[] = [];
		const liars = new Set<string>();

		const fetchBlock = async (cid: CID, signal: AbortSignal | undefined): Promise<Uint8Array> => {
			const text = cid.toString();
			const urls = list().filter((u) => !liars.has(u));
			for (const url of urls) {
				if (signal?.aborted) throw new AbortError('The download');
				if (liars.has(url)) continue;
				const answer = await fetchRawBlock(url, text, {
					fetch: fetchImpl,
					timers,
					maxSize: MAX_BLOCK_BYTES,
					timeoutMs: blockTimeoutMs,
					signal
				});
				if (!('bytes' in answer)) {
					failures.push({ relay: url, cid: text, ...answer });
					continue;
				}
				let verified: boolean;
				try {
					verified = await verifyBlock(cid, answer.bytes);
				} catch (error) {
					failures.push({ relay: url, cid: text, kind: 'error', message: message(error) });
					continue;
				}
				if (!verified) {
					liars.add(url);
					failures.push({ relay: url, cid: text, kind: 'mismatch', message: new HashMismatchError(text).message });
					continue;
				}
				served[url] = (served[url] ?? 0) + 1;
				return answer.bytes;
			}
			const mine = failures.filter((f) => f.cid === text);
			if (mine.length > 0 && mine.every((f) => f.kind === 'mismatch')) throw new HashMismatchError(text);
			const detail = mine.length
				? mine.map((f) => `${f.relay}: ${f.message}`).join('; ')
				: urls.length === 0
					? 'no relay left to ask'
					: 'no relay had it';
			throw new ContentNotFoundError(text, detail);
		};

		const bytes = await exportFile(root, fetchBlock, {
			...sizeCap,
			...(o.signal ? { signal: o.signal } : {}),
			...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
			onProgress: (done, total) => o.onProgress?.({ phase: 'download', bytes: done, total })
		});
		return { bytes, served, failures };
	};

	return {
		upload,
		uploadBlocks,
		download,
		put: async (bytes, o) => (await upload(bytes, o)).cid,
		get: async (cid, o) => (await download(cid, o)).bytes
	};
}

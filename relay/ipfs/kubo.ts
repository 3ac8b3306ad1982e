/**
 * Optional mirror of the relay's pins to a Kubo node (or an IPFS Cluster proxy, which speaks the
 * same RPC), for an operator who outgrows one machine. Best effort: failures are logged and
 * counted, the local pin is never affected.
 *
 * It speaks the Kubo RPC over plain `fetch` rather than through kubo-rpc-client: two calls are
 * needed, and the client would add a large dependency tree for them.
 * - `POST /api/v0/dag/import?pin-roots=true` with the DAG as a CARv1 in a multipart body (field
 *   `file`): Kubo stores the blocks and pins the roots, with no need to reach this relay over
 *   libp2p (https://docs.ipfs.tech/reference/kubo/rpc/#api-v0-dag-import).
 * - `POST /api/v0/pin/rm?arg=<cid>` when the pin expires here.
 */
import { randomBytes } from 'node:crypto';
import type { CID } from 'multiformats/cid';
import type { Logger } from '../log.ts';
import { carStream, type Block } from './car.ts';
import { KUBO_TIMEOUT_MS } from './limits.ts';

/** The mirror's operations; each resolves to whether Kubo accepted it (never throws). */
export interface KuboMirror {
	/**
	 * Import a DAG into Kubo and pin its root.
	 * @param root - the root to pin there
	 * @param blocks - the DAG's blocks (read lazily and streamed)
	 */
	pin(root: CID, blocks: () => AsyncIterable<Block>): Promise<boolean>;
	/** Remove the pin from Kubo (its GC then frees the blocks). */
	unpin(root: CID): Promise<boolean>;
}

/**
 * Check and normalize the Kubo RPC URL.
 * @param url - e.g. `http://127.0.0.1:5001`
 * @returns the origin and path without a trailing slash
 * @throws {RangeError} for a URL that does not parse or is not http(s)
 */
export function normalizeKuboUrl(url: string): string {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new RangeError(`Kubo RPC URL "${url}" does not parse`);
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
		throw new RangeError(`Kubo RPC URL "${url}" must be http or https`);
	return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}

/**
 * Create the mirror client.
 * @param apiUrl - the Kubo RPC base URL (normalized by {@link normalizeKuboUrl})
 * @param log - logger
 * @param signal - aborts every call (service stop)
 * @param onResult - counts outcomes (metrics)
 * @returns the client
 */
export function kuboMirror(
	apiUrl: string,
	log: Logger,
	signal: AbortSignal,
	onResult: (op: 'pin' | 'unpin', ok: boolean) => void = () => {}
): KuboMirror {
	const call = async (op: 'pin' | 'unpin', root: CID, path: string, init: RequestInit): Promise<boolean> => {
		try {
			const res = await fetch(`${apiUrl}${path}`, {
				method: 'POST',
				...init,
				signal: AbortSignal.any([signal, AbortSignal.timeout(KUBO_TIMEOUT_MS)]),
				redirect: 'error'
			});
			const text = await res.text();
			// dag/import answers 200 with a per-root PinErrorMsg when the pin itself failed.
			const pinError = /"PinErrorMsg"\s*:\s*"([^"]+)"/.exec(text)?.[1];
			const ok = res.ok && pinError === undefined;
			if (ok) log.debug('Kubo mirror accepted', { op, cid: root.toString() });
			else log.warn('Kubo mirror refused', { op, cid: root.toString(), status: res.status, body: text.slice(0, 200) });
			onResult(op, ok);
			return ok;
		} catch (err) {
			log.warn('Kubo mirror unreachable', { op, cid: root.toString(), err });
			onResult(op, false);
			return false;
		}
	};

	return {
		async pin(root, blocks) {
			const boundary = `miaou-${randomBytes(12).toString('hex')}`;
			const encoder = new TextEncoder();
			const car = carStream([root], blocks());
			const body = new ReadableStream<Uint8Array>({
				async start(controller) {
					controller.enqueue(
						encoder.encode(
							`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${root}.car"\r\nContent-Type: application/vnd.ipld.car\r\n\r\n`
						)
					);
				},
				async pull(controller) {
					const next = await car.next();
					if (next.done === true) {
						controller.enqueue(encoder.encode(`\r\n--${boundary}--\r\n`));
						controller.close();
					} else controller.enqueue(next.value);
				},
				async cancel() {
					await car.return(undefined);
				}
			});
			return call('pin', root, '/api/v0/dag/import?pin-roots=true', {
				body,
				headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
				duplex: 'half'
			} as RequestInit);
		},
		async unpin(root) {
			return call('unpin', root, `/api/v0/pin/rm?arg=${root.toString()}`, {});
		}
	};
}

/**
 * Test support for the blob stores' HTTP paths (Node only): a relay that lies about every block,
 * and the URL of a port where nothing listens. Both on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';

/** A lying proxy and how many altered blocks it served. */
export interface LyingProxy {
	server: Server;
	url: string;
	served: number;
	/** Stop it, dropping open connections. */
	close(): Promise<void>;
}

/**
 * An HTTP server that forwards to `target` and flips the first byte of every `/ipfs/` answer.
 * @param target - the honest relay's base URL
 * @returns the proxy; close `server` when done
 */
export async function lyingProxy(target: string): Promise<LyingProxy> {
	const state = { served: 0 };
	const server = createServer((req, res) => {
		void (async () => {
			const upstream = await fetch(`${target}${req.url}`, { headers: { accept: req.headers.accept ?? '*/*' } });
			const body = new Uint8Array(await upstream.arrayBuffer());
			if (upstream.ok && req.url?.startsWith('/ipfs/') && body.length > 0) {
				body[0] = body[0]! ^ 0x01;
				state.served++;
			}
			res.writeHead(upstream.status, {
				'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream'
			});
			res.end(body);
		})().catch(() => res.destroy());
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const close = (): Promise<void> => {
		server.closeAllConnections();
		return new Promise((r) => server.close(() => r()));
	};
	return Object.assign(state, {
		server,
		close,
		url: `http://127.0.0.1:${(server.address() as { port: number }).port}`
	});
}

/**
 * The URL of a loopback port that was free a moment ago (a relay that is down: connection refused).
 * @returns `http://127.0.0.1:<port>`
 */
export async function closedPortUrl(): Promise<string> {
	const probe = createServer();
	await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
	const url = `http://127.0.0.1:${(probe.address() as { port: number }).port}`;
	await new Promise((r) => probe.close(r));
	return url;
}

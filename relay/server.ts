/**
 * The relay's HTTP server (node:http): one port for everything a browser needs.
 *   /gun         WebSocket upgrade to the Gun relay (size-capped frames, per-IP connection limit)
 *   /health      JSON: ok, uptime, connections, peers, storage (CORS-open: it is public)
 *   /metrics     Prometheus text format (relay + IPFS half + Node process metrics)
 *   /ipfs/…      and the upload/pin routes: answered by the IPFS half when it runs
 *   anything else: the built web app, with index.html for the app's own routes
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { GunRelay } from './gun/relay.ts';
import { addressKey, connectionLimiter } from './limits.ts';
import type { Logger } from './log.ts';
import type { RelayMetrics } from './metrics.ts';
import { serveStatic, type StaticHandler } from './static.ts';

/** The part of the IPFS half's service the HTTP server uses (relay/ipfs/service.ts). */
export interface HttpIpfsService {
	handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

/** Options of {@link createRelayServer}. */
export interface RelayServerOptions {
	gun: GunRelay;
	metrics: RelayMetrics;
	log: Logger;
	/** The IPFS half, once started (set later through `setIpfs`), if any. */
	ipfs?: HttpIpfsService;
	webDir: string | null;
	maxMessageBytes: number;
	maxConnectionsPerIp: number;
	maxConnections: number;
	/** Body of /health; `ok: false` in it makes the answer a 503. */
	health: () => Promise<Record<string, unknown> & { ok?: boolean }>;
}

/** The server and how to stop it. */
export interface RelayServer {
	server: Server;
	/** Plug the IPFS half in once it is ready (the relay serves Gun before IPFS is up). */
	setIpfs(ipfs: HttpIpfsService | undefined): void;
	/** Stop accepting connections; open HTTP requests are cut after `graceMs`. */
	close(graceMs?: number): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json; charset=utf-8',
		'content-length': String(Buffer.byteLength(text)),
		'cache-control': 'no-store',
		...extra
	});
	res.end(text);
}

function reject(socket: Duplex, status: number, text: string): void {
	socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
	socket.destroy();
}

/**
 * Create the HTTP server (not yet listening).
 * @param opts - Gun relay, metrics, logger, web directory, limits, health source
 * @returns the {@link RelayServer}
 */
export function createRelayServer(opts: RelayServerOptions): RelayServer {
	const { gun, metrics, log } = opts;
	let ipfs = opts.ipfs;
	const web: StaticHandler | undefined = opts.webDir ? serveStatic(opts.webDir) : undefined;
	const limiter = connectionLimiter(opts.maxConnectionsPerIp, opts.maxConnections);
	const wss = new WebSocketServer({
		noServer: true,
		maxPayload: opts.maxMessageBytes,
		perMessageDeflate: false,
		clientTracking: false
	});

	async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const path = (req.url ?? '/').split('?')[0]!;
		if (path === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
			// 503 when the relay cannot do its job (e.g. its database writer failed), for load
			// balancers and Docker's health check; the body says why.
			const body = { ok: true, ...(await opts.health()) };
			json(res, body.ok === false ? 503 : 200, body, { 'access-control-allow-origin': '*' });
			return;
		}
		if (path === '/metrics' && req.method === 'GET') {
			const text = await metrics.registry.metrics();
			res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
			res.end(text);
			return;
		}
		if (path === '/gun') {
			json(res, 426, { error: 'Upgrade to a WebSocket to talk to the Gun relay here.' }, { upgrade: 'websocket' });
			return;
		}
		if (ipfs && (await ipfs.handle(req, res))) return;
		if (web && web(req, res)) return;
		json(res, 404, { error: 'Not found.' });
	}

	const server = createServer((req, res) => {
		route(req, res).catch((err: unknown) => {
			log.error('request failed', { err, method: req.method, path: (req.url ?? '').slice(0, 200) });
			if (!res.headersSent) json(res, 500, { error: 'Internal error.' });
			else res.destroy();
		});
	});
	server.headersTimeout = 20_000;
	server.maxHeadersCount = 100;

	server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
		socket.on('error', () => socket.destroy());
		const path = (req.url ?? '/').split('?')[0];
		if (path !== '/gun') {
			reject(socket, 404, 'Not Found');
			return;
		}
		const address = req.socket.remoteAddress ?? 'unknown';
		const key = addressKey(address);
		if (!limiter.open(key)) {
			metrics.messagesDropped.inc({ reason: 'connections' });
			log.debug('connection refused: limit reached', { address });
			reject(socket, 429, 'Too Many Requests');
			return;
		}
		// The socket closes whether the handshake succeeds or not: release the slot then.
		socket.once('close', () => limiter.close(key));
		wss.handleUpgrade(req, socket, head, (ws) => gun.accept(ws, key));
	});
	server.on('clientError', (_err, socket) => {
		if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
		socket.destroy();
	});

	return {
		server,
		setIpfs(next) {
			ipfs = next;
		},
		close(graceMs = 5000) {
			return new Promise<void>((resolve) => {
				const timer = setTimeout(() => server.closeAllConnections(), graceMs);
				timer.unref();
				server.close(() => {
					clearTimeout(timer);
					resolve();
				});
				server.closeIdleConnections();
			});
		}
	};
}

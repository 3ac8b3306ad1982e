/**
 * Start and stop a whole relay: record store, Gun relay, IPFS half, HTTP server (issue 3).
 *
 * Start order: the data directory and the record store first (a relay that cannot store must not
 * accept writes), then the Gun relay and the HTTP server, then the IPFS half — which is optional
 * at run time: if it is disabled or fails to start, the relay serves Gun alone and says so in its
 * logs and /health. Stop order is the reverse: stop accepting, close WebSockets (commits what is
 * pending), stop IPFS, close the database.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SHUTDOWN_GRACE_MS, type RelayConfig } from './config.ts';
import type { IpfsService, IpfsServiceOptions } from './ipfs/service.ts';
import { createGunRelay, type GunRelay } from './gun/relay.ts';
import { recordCheck } from './gun/record-check.ts';
import { sqliteGraphStore, type GraphStore } from './gun/sqlite-store.ts';
import type { CheckField } from './gun/validate.ts';
import { createLogger, type Logger } from './log.ts';
import { createRelayMetrics, type RelayMetrics } from './metrics.ts';
import { createRelayServer, type RelayServer } from './server.ts';

/** File name of the record database inside the data directory. */
export const RECORDS_DB = join('gun', 'records.sqlite');
/** Directory of the IPFS half inside the data directory. */
export const IPFS_DIR = 'ipfs';

/** A running relay. */
export interface RelayHandle {
	/** `http://host:port`, with the port actually bound. */
	url: string;
	port: number;
	config: RelayConfig;
	log: Logger;
	metrics: RelayMetrics;
	/** Graceful stop; resolves when everything is closed. Idempotent. */
	close(): Promise<void>;
}

/** Injection points for tests and benchmarks. */
export interface StartOptions {
	log?: Logger;
	/** Replaces the core record check (e.g. a clock for tests). */
	checkField?: CheckField;
	/** Loads the IPFS half; default: import relay/ipfs/service.ts on demand. */
	loadIpfs?: () => Promise<((o: IpfsServiceOptions) => Promise<IpfsService>) | undefined>;
}

/**
 * The base HTTP URL of a peer relay from its Gun WebSocket URL (`wss://h/gun` → `https://h`),
 * which is what the IPFS half needs to fetch from it.
 * @param url - a normalized peer URL
 * @returns its HTTP origin
 */
export function peerHttpBase(url: string): string {
	const u = new URL(url);
	u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
	return u.origin;
}

async function defaultLoadIpfs(): Promise<(o: IpfsServiceOptions) => Promise<IpfsService>> {
	// Imported on demand: Helia and libp2p are heavy, and `--ipfs false` never loads them.
	return (await import('./ipfs/service.ts')).createIpfsService;
}

function httpUrl(host: string, port: number): string {
	const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
	return `http://${h}:${port}`;
}

/**
 * Start a relay.
 * @param config - a checked configuration (config.ts `resolveRelayConfig`)
 * @param options - logger and test injections
 * @returns the running relay, once it listens
 * @throws {Error} when the data directory or database cannot be opened or the port is taken
 */
export async function startRelay(config: RelayConfig, options: StartOptions = {}): Promise<RelayHandle> {
	const log = options.log ?? createLogger({ level: config.logLevel, fields: { component: 'relay' } });
	mkdirSync(config.dataDir, { recursive: true });
	// The gauge reads the store at scrape time, after both exist.
	const metrics = createRelayMetrics({ storedBytes: () => store.stats().bytes });
	const store: GraphStore = sqliteGraphStore(join(config.dataDir, RECORDS_DB), {
		onCommit(fields, seconds) {
			metrics.commitLatency.observe(seconds);
			metrics.commitBatch.observe(fields);
		}
	});
	const startedAt = Date.now();
	let gun: GunRelay | undefined;
	let server: RelayServer | undefined;
	let ipfs: IpfsService | undefined;
	let ipfsError: string | undefined;

	try {
		gun = createGunRelay({
			store,
			checkField: options.checkField ?? recordCheck(),
			metrics,
			log: log.child({ part: 'gun' }),
			maxMessageBytes: config.maxMessageBytes,
			rateLimit: config.rateLimit,
			rateBurst: config.rateBurst,
			messageRateLimit: config.messageRateLimit,
			peers: config.peers
		});
		const g = gun;
		const s = store;
		server = createRelayServer({
			gun: g,
			metrics,
			log,
			webDir: config.webDir,
			maxMessageBytes: config.maxMessageBytes,
			maxConnectionsPerIp: config.maxConnectionsPerIp,
			maxConnections: config.maxConnections,
			async health() {
				const h = g.health();
				let ipfsHealth: Record<string, unknown> | { enabled: false; error?: string };
				try {
					ipfsHealth = ipfs ? await ipfs.health() : { enabled: false, ...(ipfsError ? { error: ipfsError } : {}) };
				} catch (err) {
					ipfsHealth = { ok: false, error: err instanceof Error ? err.message : String(err) };
				}
				const storage = s.stats();
				return {
					ok: storage.writable,
					uptime: Math.round((Date.now() - startedAt) / 1000),
					connections: h.connections,
					peers: h.peers,
					subscriptions: h.subscriptions,
					storage: { ...storage, pendingSouls: h.soulsInFlight },
					ipfs: ipfsHealth
				};
			}
		});
		const srv = server.server;
		await new Promise<void>((resolve, reject) => {
			srv.once('error', reject);
			srv.listen(config.port, config.host, () => {
				srv.off('error', reject);
				resolve();
			});
		});
	} catch (err) {
		await gun?.close();
		await store.close();
		throw err;
	}

	const port = (server.server.address() as AddressInfo).port;
	const url = httpUrl(config.host, port);

	if (config.ipfs) {
		try {
			const create = await (options.loadIpfs ?? defaultLoadIpfs)();
			if (!create) {
				ipfsError = 'the IPFS half is not installed';
				log.warn('IPFS half not available; serving Gun only');
			} else {
				const ipfsOptions: IpfsServiceOptions = {
					dataDir: join(config.dataDir, IPFS_DIR),
					quotaBytes: config.storageQuotaBytes,
					retentionMs: config.retentionMs,
					maxUploadBytes: config.maxUploadBytes,
					listen: config.ipfsListen,
					announce: config.libp2pAnnounce,
					mdns: config.mdns,
					peers: config.peers.map(peerHttpBase),
					registry: metrics.registry,
					log: log.child({ part: 'ipfs' })
				};
				if (config.ipfsApi !== undefined) ipfsOptions.ipfsApi = config.ipfsApi;
				ipfs = await create(ipfsOptions);
				server.setIpfs(ipfs);
			}
		} catch (err) {
			ipfsError = err instanceof Error ? err.message : String(err);
			log.error('IPFS half failed to start; serving Gun only', { err });
		}
	}

	let closing: Promise<void> | undefined;
	const g = gun;
	const srv = server;
	const s = store;
	return {
		url,
		port,
		config,
		log,
		metrics,
		close() {
			closing ??= (async () => {
				log.info('relay stopping');
				const stopped = srv.close(SHUTDOWN_GRACE_MS / 2);
				await g.close();
				srv.setIpfs(undefined);
				try {
					await ipfs?.stop();
				} catch (err) {
					log.error('IPFS half did not stop cleanly', { err });
				}
				await stopped;
				await s.close();
				log.info('relay stopped');
			})();
			return closing;
		}
	};
}

/**
 * Run a relay as the process's main job: start it, print its URL on stdout (one line, for
 * scripts and tests), stop gracefully on SIGTERM or SIGINT (exit 0), and exit 1 when a second
 * signal comes or the stop takes longer than SHUTDOWN_GRACE_MS.
 * @param config - a checked configuration
 * @returns the running relay
 * @throws {Error} when it cannot start (see {@link startRelay})
 */
export async function runRelay(config: RelayConfig): Promise<RelayHandle> {
	const relay = await startRelay(config);
	relay.log.info('relay ready', {
		url: relay.url,
		dataDir: config.dataDir,
		peers: config.peers,
		web: config.webDir,
		ipfs: config.ipfs
	});
	process.stdout.write(`Miaou relay listening on ${relay.url}\n`);
	let signalled = false;
	const stop = (signal: string): void => {
		if (signalled) {
			relay.log.warn('second signal: exiting now', { signal });
			process.exit(1);
		}
		signalled = true;
		relay.log.info('signal received', { signal });
		const timer = setTimeout(() => {
			relay.log.error('graceful stop took too long; exiting', { graceMs: SHUTDOWN_GRACE_MS });
			process.exit(1);
		}, SHUTDOWN_GRACE_MS);
		timer.unref();
		relay.close().then(
			() => process.exit(0),
			(err: unknown) => {
				relay.log.error('stop failed', { err });
				process.exit(1);
			}
		);
	};
	process.on('SIGTERM', () => stop('SIGTERM'));
	process.on('SIGINT', () => stop('SIGINT'));
	return relay;
}

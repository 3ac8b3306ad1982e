/**
 * Relay configuration: every limit is a named constant here with a safe default for a relay on the
 * open internet (docs/relay.md lists them), and every option can come from a flag or from the
 * environment variable `MIAOU_RELAY_<FLAG>` (flag wins). `resolveRelayConfig` turns the raw strings
 * into a checked {@link RelayConfig}; nothing else in the relay parses operator input.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { multiaddr } from '@multiformats/multiaddr';
import { isLogLevel, type LogLevel } from './log.ts';

/** Loopback by default: exposing the relay is a decision (`--host 0.0.0.0`), not an accident. */
export const DEFAULT_HOST = '127.0.0.1';
/** Gun's customary port, so existing Gun tooling finds the relay. */
export const DEFAULT_PORT = 8765;
/** Data directory when none is given (relative to the working directory). */
export const DEFAULT_DATA_DIR = 'miaou-relay-data';
/** Data directory of `--dev` (`npm start`). */
export const DEV_DATA_DIR = '.data';
/**
 * Largest WebSocket frame accepted, in bytes (ws `maxPayload`). A Gun frame batches a few
 * messages of at most a few records (MAX_RECORD_BYTES each), so 256 KiB leaves room while keeping
 * one frame's parse cheap.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024;
/** Hard ceiling an operator cannot raise the frame size above (JSON parse cost and memory). */
export const MAX_MESSAGE_BYTES_CEILING = 16 * 1024 * 1024;
/** Writes (Gun `put` messages) per second per IP address, refilled continuously; 0 disables. */
export const DEFAULT_RATE_LIMIT = 20;
/** Burst of writes an IP may send at once before the per-second rate applies. */
export const DEFAULT_RATE_BURST = 100;
/** Messages of any kind (reads included) per second per IP; 0 disables. Drops beyond it. */
export const DEFAULT_MESSAGE_RATE_LIMIT = 500;
/** Concurrent WebSocket connections from one IP address. */
export const DEFAULT_MAX_CONNECTIONS_PER_IP = 32;
/** Concurrent WebSocket connections in total. */
export const DEFAULT_MAX_CONNECTIONS = 10_000;
/** IPFS storage quota in bytes (passed to the IPFS half). */
export const DEFAULT_STORAGE_QUOTA_BYTES = 10 * 1024 ** 3;
/** How long a pinned payload is kept, in milliseconds (issue 3: "default 7 days"). */
export const DEFAULT_RETENTION_MS = 7 * 24 * 3600 * 1000;
/** Largest single IPFS upload (CAR) in bytes: a 64 MiB payload plus room for the CAR framing and UnixFS nodes. */
export const DEFAULT_MAX_UPLOAD_BYTES = 65 * 1024 ** 2;
/** Announced libp2p addresses at most (`--libp2p-announce`); /health lists them all. */
export const MAX_ANNOUNCE_ADDRS = 8;
/** Longest announced address, in characters. */
export const MAX_ANNOUNCE_ADDR_CHARS = 256;
/** Grace period for a graceful shutdown before the process exits anyway. */
export const SHUTDOWN_GRACE_MS = 10_000;

/** Everything the relay needs to start, already checked. */
export interface RelayConfig {
	host: string;
	/** TCP port; 0 picks a free one (tests). */
	port: number;
	/** Absolute path of the data directory (Gun database + IPFS repo). */
	dataDir: string;
	/** Other relays' Gun endpoints (`ws(s)://host/gun`), dialled and kept connected. */
	peers: string[];
	maxMessageBytes: number;
	/** Writes per second per IP; 0 = unlimited. */
	rateLimit: number;
	rateBurst: number;
	/** Messages per second per IP; 0 = unlimited. */
	messageRateLimit: number;
	maxConnectionsPerIp: number;
	maxConnections: number;
	storageQuotaBytes: number;
	retentionMs: number;
	maxUploadBytes: number;
	/** Directory of the built web app served at `/`, or null for none. */
	webDir: string | null;
	/** Whether to start the IPFS half at all. */
	ipfs: boolean;
	/** libp2p listen multiaddrs for the IPFS half. */
	ipfsListen: string[];
	/**
	 * libp2p addresses announced besides the listen ones (and listed by /health), e.g.
	 * `/dns4/relay.example/tcp/443/tls/ws` when a reverse proxy terminates TLS in front of the
	 * WebSocket listener: a browser on an https page may only dial secure WebSockets.
	 */
	libp2pAnnounce: string[];
	mdns: boolean;
	/** Kubo RPC / IPFS Cluster URL the IPFS half mirrors pins to, if any. */
	ipfsApi: string | undefined;
	logLevel: LogLevel;
	dev: boolean;
}

/** Raw option values as strings (from commander, env or tests). Unknown keys are ignored. */
export type RawRelayOptions = Partial<Record<keyof RelayConfig | 'web' | 'data', string | boolean | undefined>>;

/** Where the project's own files are: the web build defaults to `<package>/build`. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A configuration value that cannot be used; the message names the option. */
export class RelayConfigError extends Error {
	readonly code = 'ERR_RELAY_CONFIG';
	constructor(option: string, detail: string) {
		super(`Invalid relay option --${option}: ${detail}.`);
		this.name = 'RelayConfigError';
	}
}

const BYTE_UNITS: Record<string, number> = {
	'': 1,
	b: 1,
	k: 1e3,
	kb: 1e3,
	kib: 1024,
	m: 1e6,
	mb: 1e6,
	mib: 1024 ** 2,
	g: 1e9,
	gb: 1e9,
	gib: 1024 ** 3,
	t: 1e12,
	tb: 1e12,
	tib: 1024 ** 4
};

const TIME_UNITS: Record<string, number> = { '': 1, ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 };

/**
 * Parse a size such as `65536`, `256KiB`, `10GB` (decimal and binary units).
 * @param option - flag name, for the error
 * @param text - the operator's value
 * @returns the number of bytes, a non-negative safe integer
 * @throws {RelayConfigError} when it does not parse
 */
export function parseBytes(option: string, text: string): number {
	const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
	const unit = m ? BYTE_UNITS[m[2]!.toLowerCase()] : undefined;
	if (!m || unit === undefined)
		throw new RelayConfigError(option, `"${text}" is not a size like 65536, 256KiB or 10GB`);
	const n = Math.floor(Number(m[1]) * unit);
	if (!Number.isSafeInteger(n)) throw new RelayConfigError(option, `"${text}" is too large`);
	return n;
}

/**
 * Parse a duration such as `604800000`, `90s`, `12h`, `7d` (a bare number is milliseconds).
 * @param option - flag name, for the error
 * @param text - the operator's value
 * @returns milliseconds
 * @throws {RelayConfigError} when it does not parse
 */
export function parseDuration(option: string, text: string): number {
	const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
	const unit = m ? TIME_UNITS[m[2]!.toLowerCase()] : undefined;
	if (!m || unit === undefined) throw new RelayConfigError(option, `"${text}" is not a duration like 90s, 12h or 7d`);
	const n = Math.floor(Number(m[1]) * unit);
	if (!Number.isSafeInteger(n)) throw new RelayConfigError(option, `"${text}" is too large`);
	return n;
}

/**
 * Parse a whole number within bounds.
 * @throws {RelayConfigError} when it is not an integer in [min, max]
 */
export function parseIntOption(option: string, text: string, min: number, max: number): number {
	if (!/^\s*\d+\s*$/.test(text)) throw new RelayConfigError(option, `"${text}" is not a whole number`);
	const n = Number(text);
	if (n < min || n > max) throw new RelayConfigError(option, `${n} is not between ${min} and ${max}`);
	return n;
}

/**
 * Check a peer relay URL: http(s) is rewritten to ws(s), the path defaults to `/gun`.
 * @param text - e.g. `wss://relay.example/gun` or `https://relay.example`
 * @returns the WebSocket URL
 * @throws {RelayConfigError} for anything but http, https, ws, wss URLs
 */
export function normalizePeerUrl(text: string): string {
	let url: URL;
	try {
		url = new URL(text.trim());
	} catch {
		throw new RelayConfigError('peers', `"${text}" is not a URL`);
	}
	const protocols: Record<string, string> = { 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' };
	const protocol = protocols[url.protocol];
	if (!protocol) throw new RelayConfigError('peers', `"${text}" must use ws, wss, http or https`);
	url.protocol = protocol;
	if (url.pathname === '/' || url.pathname === '') url.pathname = '/gun';
	return url.toString();
}

function str(v: string | boolean | undefined): string | undefined {
	if (v === undefined || v === false) return undefined;
	if (v === true) return 'true';
	return v;
}

function bool(option: string, v: string | boolean | undefined, fallback: boolean): boolean {
	if (v === undefined) return fallback;
	if (typeof v === 'boolean') return v;
	const t = v.trim().toLowerCase();
	if (['1', 'true', 'yes', 'on'].includes(t)) return true;
	if (['0', 'false', 'no', 'off', ''].includes(t)) return false;
	throw new RelayConfigError(option, `"${v}" is not true or false`);
}

const ANNOUNCE_HOSTS = ['ip4', 'ip6', 'dns', 'dns4', 'dns6'];

/**
 * Check an address to announce: a host (IP or DNS name), a TCP port, then nothing (raw TCP for
 * IPFS peers), `ws`, `wss`, `tls/ws` or `tls/sni/<name>/ws`. No `/p2p/…`: libp2p appends the
 * relay's own peer id.
 * @param text - the operator's multiaddr
 * @returns the address as libp2p prints it
 * @throws {RelayConfigError} for anything else
 */
export function checkAnnounceAddr(text: string): string {
	const bad = (detail: string): RelayConfigError => new RelayConfigError('libp2p-announce', `"${text}" ${detail}`);
	if (text.length > MAX_ANNOUNCE_ADDR_CHARS) throw bad(`is longer than ${MAX_ANNOUNCE_ADDR_CHARS} characters`);
	let names: string[];
	let printed: string;
	try {
		const ma = multiaddr(text);
		names = ma.getComponents().map((c) => c.name);
		printed = ma.toString();
	} catch {
		throw bad('is not a multiaddr');
	}
	const [host, tcp, ...rest] = names;
	const tail = rest.join('/');
	if (
		!ANNOUNCE_HOSTS.includes(host ?? '') ||
		tcp !== 'tcp' ||
		!['', 'ws', 'wss', 'tls/ws', 'tls/sni/ws'].includes(tail)
	)
		throw bad('must be /ip4|ip6|dns|dns4|dns6/<host>/tcp/<port> followed by nothing, /ws, /wss or /tls/ws');
	return printed;
}

function list(v: string | undefined): string[] {
	return (v ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter((s) => s.length > 0);
}

/**
 * Build a checked configuration from raw option values (flags and environment merged by the
 * caller, flag first). `--dev` changes the defaults of port, data directory and web directory only.
 * @param raw - option values as strings or booleans; missing ones take their defaults
 * @param cwd - base for relative paths, default `process.cwd()`
 * @returns the configuration
 * @throws {RelayConfigError} naming the first bad option
 * @example resolveRelayConfig({ port: '0', data: '/tmp/r', peers: 'ws://127.0.0.1:9000/gun' })
 */
export function resolveRelayConfig(raw: RawRelayOptions, cwd = process.cwd()): RelayConfig {
	const dev = bool('dev', raw.dev, false);
	const host = str(raw.host) ?? DEFAULT_HOST;
	if (!/^[0-9a-zA-Z.:[\]-]+$/.test(host)) throw new RelayConfigError('host', `"${host}" is not a host name or address`);
	const port = raw.port === undefined ? DEFAULT_PORT : parseIntOption('port', str(raw.port)!, 0, 65535);
	const dataDir = resolve(cwd, str(raw.data ?? raw.dataDir) ?? (dev ? DEV_DATA_DIR : DEFAULT_DATA_DIR));
	const maxMessageBytes =
		raw.maxMessageBytes === undefined
			? DEFAULT_MAX_MESSAGE_BYTES
			: parseBytes('max-message-bytes', str(raw.maxMessageBytes)!);
	if (maxMessageBytes < 1024 || maxMessageBytes > MAX_MESSAGE_BYTES_CEILING)
		throw new RelayConfigError('max-message-bytes', `must be between 1024 and ${MAX_MESSAGE_BYTES_CEILING}`);
	const num = (key: keyof RawRelayOptions, option: string, fallback: number, max: number): number =>
		raw[key] === undefined ? fallback : parseIntOption(option, str(raw[key])!, 0, max);

	let webDir: string | null;
	const web = str(raw.web ?? raw.webDir);
	if (web === undefined || web === 'true') {
		const candidate = join(PACKAGE_ROOT, 'build');
		webDir = existsSync(join(candidate, 'index.html')) ? candidate : null;
	} else if (web === '' || web === 'false' || web === 'none') {
		webDir = null;
	} else {
		webDir = resolve(cwd, web);
		if (!existsSync(webDir)) throw new RelayConfigError('web', `directory "${webDir}" does not exist`);
	}

	const logLevel = str(raw.logLevel) ?? (dev ? 'debug' : 'info');
	if (!isLogLevel(logLevel)) throw new RelayConfigError('log-level', `"${logLevel}" is not debug, info, warn or error`);

	const ipfsListen = raw.ipfsListen
		? list(str(raw.ipfsListen))
		: dev
			? [`/ip4/${host === 'localhost' ? '127.0.0.1' : host}/tcp/0/ws`]
			: [`/ip4/${host}/tcp/4001`, `/ip4/${host}/tcp/4002/ws`];

	const libp2pAnnounce = [...new Set(list(str(raw.libp2pAnnounce)).map(checkAnnounceAddr))];
	if (libp2pAnnounce.length > MAX_ANNOUNCE_ADDRS)
		throw new RelayConfigError('libp2p-announce', `at most ${MAX_ANNOUNCE_ADDRS} addresses can be announced`);

	const ipfsApi = str(raw.ipfsApi);
	if (ipfsApi !== undefined) {
		try {
			new URL(ipfsApi);
		} catch {
			throw new RelayConfigError('ipfs-api', `"${ipfsApi}" is not a URL`);
		}
	}

	return {
		host,
		port,
		dataDir,
		peers: list(str(raw.peers)).map(normalizePeerUrl),
		maxMessageBytes,
		rateLimit: num('rateLimit', 'rate-limit', DEFAULT_RATE_LIMIT, 1_000_000),
		rateBurst: num('rateBurst', 'rate-burst', DEFAULT_RATE_BURST, 10_000_000),
		messageRateLimit: num('messageRateLimit', 'message-rate-limit', DEFAULT_MESSAGE_RATE_LIMIT, 10_000_000),
		maxConnectionsPerIp: num(
			'maxConnectionsPerIp',
			'max-connections-per-ip',
			DEFAULT_MAX_CONNECTIONS_PER_IP,
			1_000_000
		),
		maxConnections: num('maxConnections', 'max-connections', DEFAULT_MAX_CONNECTIONS, 1_000_000),
		storageQuotaBytes:
			raw.storageQuotaBytes === undefined
				? DEFAULT_STORAGE_QUOTA_BYTES
				: parseBytes('storage-quota', str(raw.storageQuotaBytes)!),
		retentionMs:
			raw.retentionMs === undefined ? DEFAULT_RETENTION_MS : parseDuration('retention', str(raw.retentionMs)!),
		maxUploadBytes:
			raw.maxUploadBytes === undefined
				? DEFAULT_MAX_UPLOAD_BYTES
				: parseBytes('max-upload-bytes', str(raw.maxUploadBytes)!),
		webDir,
		ipfs: bool('ipfs', raw.ipfs, true),
		ipfsListen,
		libp2pAnnounce,
		mdns: bool('mdns', raw.mdns, false),
		ipfsApi,
		logLevel,
		dev
	};
}

/**
 * The relay pool: the list of relays a client uses, one WebSocket per relay carrying Gun's
 * protocol, reconnection with exponential backoff and jitter, latency from `/health` round
 * trips, and a snapshot the UI can render (docs/net.md §Relay pool).
 *
 * The pool opens the sockets itself and hands each one to Gun's mesh as a peer
 * (`mesh.hi` / `mesh.hear` / `mesh.bye`, gun/src/mesh.js). Gun's own WebSocket glue
 * (gun/src/websocket.js) retries a lost peer once, two seconds later, and gives up for good if
 * that attempt fails: its `onclose` drops the peer from `opt.peers` and the retry's `onerror`
 * finds it gone. Owning the socket lets the pool retry for as long as the relay is listed, and
 * see every state change. On each reconnect Gun emits `hi`, which makes it (and the record
 * store) ask the relay again for every subscribed soul.
 *
 * Without a Gun instance the pool opens no sockets and judges relays by `/health` alone, for
 * commands that only move blobs.
 */
import { AbortError, MalformedError } from '../core/errors.ts';
import { systemClock, type Clock } from '../core/random.ts';
import { backoffDelay, type BackoffOptions, type RandomUnit } from './backoff.ts';
import type { GunLike, GunPeer } from './gun.ts';
import { gunSocketUrl, normalizeRelayUrl, readCapped, type Fetch } from './http.ts';
import { deadline, systemMonotonic, systemTimers, type Monotonic, type TimerHandle, type Timers } from './timers.ts';

/** Reconnect schedule: 1 s, 2 s, 4 s … up to 1 min, each between half and all of that. */
export const RECONNECT_BACKOFF: BackoffOptions = { baseMs: 1_000, capMs: 60_000, jitter: 0.5 };
/** A socket still connecting after this long is given up and retried. */
export const CONNECT_TIMEOUT_MS = 10_000;
/**
 * A connection that lasted at least this long resets the backoff when it drops; a relay that
 * accepts and then closes at once keeps backing off instead of being redialled every second.
 */
export const STABLE_CONNECTION_MS = 30_000;
/** How often each relay's `/health` is fetched to measure latency. */
export const PING_INTERVAL_MS = 30_000;
/** A `/health` request slower than this counts as failed. */
export const PING_TIMEOUT_MS = 5_000;
/** Weight of a new latency sample in the moving average (exponentially weighted). */
export const LATENCY_SMOOTHING = 0.3;
/** Most relays one pool holds. */
export const MAX_POOL_RELAYS = 16;
/** Largest Gun frame accepted from a relay, in UTF-16 code units; bigger frames are dropped. */
export const MAX_FRAME_CHARS = 4 * 1024 * 1024;
/** Largest `/health` body read. */
export const MAX_HEALTH_BYTES = 64 * 1024;

/** WebSocket `readyState` OPEN (WHATWG HTML §9.3.2). */
const OPEN = 1;

/** Connection state of one relay, as shown to users. */
export type RelayState = 'connecting' | 'open' | 'closed';

/** One relay in a {@link RelayPool.snapshot}. */
export interface RelayStatus {
	/** Normalized base URL. */
	url: string;
	state: RelayState;
	/** Moving average of `/health` round trips, once one succeeded. */
	latencyMs: number | undefined;
	/** The last failure (connection, health check, oversized frame), cleared when it opens. */
	lastError: string | undefined;
	/** Failed connection attempts since the last stable connection. */
	attempts: number;
	/** When the next connection attempt is due (ms since the epoch), while closed. */
	nextRetryAt: number | undefined;
}

/** What the pool needs from a WebSocket: the WHATWG shape, which `ws` and Node 22 also have. */
export interface SocketLike {
	readonly readyState: number;
	send(data: string): void;
	close(code?: number, reason?: string): void;
	onopen: ((event: unknown) => void) | null;
	onclose: ((event: { code?: number; reason?: string }) => void) | null;
	onerror: ((event: unknown) => void) | null;
	onmessage: ((event: { data: unknown }) => void) | null;
}

/** A WebSocket constructor. */
export type SocketConstructor = new (url: string) => SocketLike;

/** The relays a client uses, their connections and their health. */
export interface RelayPool {
	/** The relay URLs, in the order they were added. */
	urls(): string[];
	/** The state of every relay; a new array after each change, the same one in between. */
	snapshot(): readonly RelayStatus[];
	/**
	 * Call `listener` with the new snapshot after every change.
	 * @returns a function that removes the listener
	 */
	onChange(listener: (snapshot: readonly RelayStatus[]) => void): () => void;
	/**
	 * Relay URLs in the order to try them: open ones by latency, then connecting, then closed.
	 * Blob uploads and downloads fail over along this order.
	 */
	ordered(): string[];
	/**
	 * Add a relay and start connecting to it; adding a listed relay does nothing.
	 * @throws {MalformedError} on a URL that is not http(s)/ws(s)
	 * @throws {RangeError} when the pool already holds {@link MAX_POOL_RELAYS}
	 */
	add(url: string): void;
	/** Remove a relay and close its connection. */
	remove(url: string): void;
	/** Retry every closed relay now, with the backoff reset (e.g. when the browser goes online). */
	reconnectNow(): void;
	/**
	 * Measure every relay's latency now.
	 * @param opts - an optional AbortSignal
	 */
	ping(opts?: { signal?: AbortSignal }): Promise<void>;
	/** Close every connection and stop all timers. */
	close(): void;
}

/** Options of {@link relayPool}. */
export interface RelayPoolOptions {
	/** Relay base URLs (default: {@link defaultRelayUrls}). */
	urls?: readonly string[];
	/** The Gun instance whose mesh gets one peer per open relay; none: health checks only. */
	gun?: GunLike;
	/** WebSocket constructor (default: the global one). */
	WebSocket?: SocketConstructor;
	fetch?: Fetch;
	timers?: Timers;
	now?: Clock;
	monotonic?: Monotonic;
	random?: RandomUnit;
	backoff?: BackoffOptions;
	pingIntervalMs?: number;
	pingTimeoutMs?: number;
	connectTimeoutMs?: number;
}

interface Relay {
	url: string;
	socketUrl: string;
	state: RelayState;
	latencyMs: number | undefined;
	lastError: string | undefined;
	attempts: number;
	nextRetryAt: number | undefined;
	socket: SocketLike | undefined;
	peer: GunPeer | undefined;
	openedAt: number | undefined;
	retryTimer: TimerHandle | undefined;
	connectTimer: TimerHandle | undefined;
	healthy: boolean | undefined;
	/** Aborts the health checks in flight when the relay is removed. */
	removed: AbortController;
}

/**
 * The relays to use when the user configured none: the origin that served the web app, since a
 * Miaou relay serves the app too (ARCHITECTURE.md §Relays). None outside a browser.
 * @param location - the page location (default: the global one)
 * @returns zero or one URL
 */
export function defaultRelayUrls(
	location: { protocol: string; origin: string } | undefined = globalThis.location
): string[] {
	if (!location || (location.protocol !== 'http:' && location.protocol !== 'https:')) return [];
	return [normalizeRelayUrl(location.origin)];
}

/**
 * Create a relay pool and start connecting.
 * @param opts - relays, Gun instance, and the injectable WebSocket, fetch, clock and timers
 * @returns the pool
 * @throws {MalformedError} on a malformed relay URL
 * @throws {RangeError} on more than {@link MAX_POOL_RELAYS} relays
 * @example const pool = relayPool({ gun, urls: ['https://relay.example.org'] })
 */
export function relayPool(opts: RelayPoolOptions = {}): RelayPool {
	const gun = opts.gun;
	const mesh = gun?._.root.opt.mesh;
	if (gun && !mesh) throw new TypeError('the Gun instance has no mesh; create it with createGun()');
	const WebSocketImpl = opts.WebSocket ?? (globalThis.WebSocket as unknown as SocketConstructor | undefined);
	if (gun && !WebSocketImpl) throw new TypeError('no WebSocket implementation: pass one as opts.WebSocket');
	const fetchImpl: Fetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
	const timers = opts.timers ?? systemTimers;
	const now = opts.now ?? systemClock;
	const monotonic = opts.monotonic ?? systemMonotonic;
	const random = opts.random ?? Math.random;
	const backoff = opts.backoff ?? RECONNECT_BACKOFF;
	const pingIntervalMs = opts.pingIntervalMs ?? PING_INTERVAL_MS;
	const pingTimeoutMs = opts.pingTimeoutMs ?? PING_TIMEOUT_MS;
	const connectTimeoutMs = opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;

	const relays = new Map<string, Relay>();
	const listeners = new Set<(snapshot: readonly RelayStatus[]) => void>();
	let current: readonly RelayStatus[] = [];
	let closed = false;
	let pingTimer: TimerHandle | undefined;

	const emit = (): void => {
		current = Object.freeze(
			[...relays.values()].map((r) =>
				Object.freeze({
					url: r.url,
					state: r.state,
					latencyMs: r.latencyMs === undefined ? undefined : Math.round(r.latencyMs * 10) / 10,
					lastError: r.lastError,
					attempts: r.attempts,
					nextRetryAt: r.nextRetryAt
				})
			)
		);
		for (const listener of [...listeners]) {
			try {
				listener(current);
			} catch {
				// A listener's failure must not stop the pool or the other listeners.
			}
		}
	};

	const clearTimers = (r: Relay): void => {
		if (r.retryTimer !== undefined) timers.clearTimeout(r.retryTimer);
		if (r.connectTimer !== undefined) timers.clearTimeout(r.connectTimer);
		r.retryTimer = r.connectTimer = undefined;
	};

	const scheduleRetry = (r: Relay): void => {
		if (closed || relays.get(r.url) !== r) return;
		const delay = backoffDelay(r.attempts, backoff, random);
		r.attempts++;
		r.nextRetryAt = now() + delay;
		r.retryTimer = timers.setTimeout(() => {
			r.retryTimer = undefined;
			connect(r);
		}, delay);
	};

	/** Detach a socket (open, failed or timed out) and, unless the relay was removed, retry later. */
	const drop = (r: Relay, socket: SocketLike, reason: string | undefined, retry: boolean): void => {
		if (r.socket !== socket) return;
		socket.onopen = socket.onclose = socket.onerror = socket.onmessage = null;
		if (socket.readyState <= OPEN) {
			try {
				socket.close(1000);
			} catch {
				// Already closing: nothing to do.
			}
		}
		r.socket = undefined;
		clearTimers(r);
		const peer = r.peer;
		r.peer = undefined;
		if (peer && mesh) mesh.bye(peer);
		// The backoff starts over only after a connection that held (see STABLE_CONNECTION_MS).
		if (r.openedAt !== undefined && monotonic() - r.openedAt >= STABLE_CONNECTION_MS) r.attempts = 0;
		r.openedAt = undefined;
		r.state = 'closed';
		if (reason !== undefined) r.lastError = reason;
		if (retry) scheduleRetry(r);
		emit();
	};

	const connect = (r: Relay): void => {
		if (closed || relays.get(r.url) !== r) return;
		if (!gun || !mesh || !WebSocketImpl) return;
		clearTimers(r);
		r.nextRetryAt = undefined;
		r.state = 'connecting';
		let socket: SocketLike;
		try {
			socket = new WebSocketImpl(r.socketUrl);
		} catch (error) {
			r.state = 'closed';
			r.lastError = error instanceof Error ? error.message : String(error);
			scheduleRetry(r);
			emit();
			return;
		}
		r.socket = socket;
		r.connectTimer = timers.setTimeout(() => {
			r.connectTimer = undefined;
			drop(r, socket, `no connection after ${Math.round(connectTimeoutMs / 1000)} s`, true);
		}, connectTimeoutMs);
		socket.onopen = () => {
			if (r.socket !== socket) return;
			if (r.connectTimer !== undefined) timers.clearTimeout(r.connectTimer);
			r.connectTimer = undefined;
			r.state = 'open';
			r.openedAt = monotonic();
			r.lastError = undefined;
			r.nextRetryAt = undefined;
			// A fresh peer per connection: Gun keeps per-peer batching and dedup state that must
			// not leak from a dead socket into a new one.
			const peer: GunPeer = {
				id: r.socketUrl,
				wire: socket,
				say(raw: string) {
					// Throwing makes Gun queue the frame on the peer (gun/src/mesh.js `send`).
					if (socket.readyState !== OPEN) throw new Error('socket not open');
					socket.send(raw);
				},
				bye() {}
			};
			r.peer = peer;
			mesh.hi(peer);
			emit();
		};
		socket.onmessage = (event) => {
			const peer = r.peer;
			if (r.socket !== socket || !peer) return;
			const data = event.data;
			// Gun speaks JSON text; binary frames are not part of its protocol.
			if (typeof data !== 'string') return;
			if (data.length > MAX_FRAME_CHARS) {
				r.lastError = `dropped a ${data.length}-character frame (limit ${MAX_FRAME_CHARS})`;
				emit();
				return;
			}
			mesh.hear(data, peer);
		};
		// Browsers fire `error` then `close`; Node's built-in WebSocket (undici) fires only `error`
		// when a connection fails, and stays CONNECTING. Either way the error ends this socket.
		socket.onerror = () => {
			drop(r, socket, 'connection error', true);
		};
		socket.onclose = (event) => {
			const code = event?.code;
			const why = event?.reason ? `: ${event.reason}` : '';
			const wasOpen = r.state === 'open';
			const reason = wasOpen
				? `connection closed${code ? ` (${code}${why})` : ''}`
				: `connection refused${code ? ` (${code}${why})` : ''}`;
			drop(r, socket, reason, true);
		};
		emit();
	};

	const ping = async (r: Relay, signal: AbortSignal | undefined): Promise<void> => {
		const parent = signal ? AbortSignal.any([signal, r.removed.signal]) : r.removed.signal;
		const limit = deadline(pingTimeoutMs, parent, timers);
		const started = monotonic();
		try {
			const response = await fetchImpl(`${r.url}/health`, { signal: limit.signal, cache: 'no-store' });
			await readCapped(response, MAX_HEALTH_BYTES, 'Relay health answer');
			if (!response.ok) throw new Error(`health check answered HTTP ${response.status}`);
			const sample = monotonic() - started;
			r.latencyMs = r.latencyMs === undefined ? sample : r.latencyMs + LATENCY_SMOOTHING * (sample - r.latencyMs);
			r.healthy = true;
			if (!gun) {
				r.state = 'open';
				r.lastError = undefined;
			}
		} catch (error) {
			if (signal?.aborted) throw new AbortError('The relay health check');
			if (r.removed.signal.aborted) return;
			r.healthy = false;
			r.lastError = limit.timedOut()
				? `health check timed out after ${pingTimeoutMs} ms`
				: error instanceof Error
					? error.message
					: String(error);
			if (!gun) r.state = 'closed';
		} finally {
			limit.dispose();
		}
		if (relays.get(r.url) === r) emit();
	};

	const pingAll = (signal?: AbortSignal): Promise<void> =>
		Promise.all([...relays.values()].map((r) => ping(r, signal))).then(() => undefined);

	const schedulePings = (): void => {
		if (closed) return;
		pingTimer = timers.setTimeout(() => {
			pingTimer = undefined;
			void pingAll().finally(schedulePings);
		}, pingIntervalMs);
	};

	const pool: RelayPool = {
		urls: () => [...relays.keys()],
		snapshot: () => current,
		onChange(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		ordered() {
			const rank = (r: Relay): number => {
				if (r.state === 'open') return r.healthy === false ? 1 : 0;
				return r.state === 'connecting' ? 2 : 3;
			};
			return [...relays.values()]
				.map((r, i) => ({ r, i }))
				.sort(
					(a, b) =>
						rank(a.r) - rank(b.r) ||
						(a.r.latencyMs ?? Infinity) - (b.r.latencyMs ?? Infinity) ||
						a.r.attempts - b.r.attempts ||
						a.i - b.i
				)
				.map(({ r }) => r.url);
		},
		add(input) {
			if (closed) throw new Error('the relay pool is closed');
			const url = normalizeRelayUrl(input);
			if (relays.has(url)) return;
			if (relays.size >= MAX_POOL_RELAYS) throw new RangeError(`a pool holds at most ${MAX_POOL_RELAYS} relays`);
			const r: Relay = {
				url,
				socketUrl: gunSocketUrl(url),
				state: 'connecting',
				latencyMs: undefined,
				lastError: undefined,
				attempts: 0,
				nextRetryAt: undefined,
				socket: undefined,
				peer: undefined,
				openedAt: undefined,
				retryTimer: undefined,
				connectTimer: undefined,
				healthy: undefined,
				removed: new AbortController()
			};
			relays.set(url, r);
			emit();
			connect(r);
			void ping(r, undefined);
		},
		remove(input) {
			let url: string;
			try {
				url = normalizeRelayUrl(input);
			} catch (error) {
				if (error instanceof MalformedError) return;
				throw error;
			}
			const r = relays.get(url);
			if (!r) return;
			relays.delete(url);
			r.removed.abort();
			if (r.socket) drop(r, r.socket, undefined, false);
			clearTimers(r);
			emit();
		},
		reconnectNow() {
			for (const r of relays.values()) {
				if (r.state !== 'closed') continue;
				r.attempts = 0;
				if (gun) connect(r);
				else void ping(r, undefined);
			}
		},
		ping: (o = {}) => pingAll(o.signal),
		close() {
			if (closed) return;
			for (const url of [...relays.keys()]) pool.remove(url);
			closed = true;
			if (pingTimer !== undefined) timers.clearTimeout(pingTimer);
			pingTimer = undefined;
			listeners.clear();
		}
	};

	for (const url of opts.urls ?? defaultRelayUrls()) pool.add(url);
	schedulePings();
	return pool;
}

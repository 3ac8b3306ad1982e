/**
 * Outgoing connections to peer relays (`--peers`): dial each URL, redial with capped exponential
 * backoff when the connection drops or fails, stop on close. The relay dials only the URLs its
 * operator listed; nothing a peer sends can add one (see load-gun.ts on AXE and `mob`).
 *
 * Gun's own dialler (gun.js websocket module) stops redialling after the second failed attempt
 * (it deletes the peer on `bye` and then refuses to reconnect a peer it no longer knows), so a
 * relay restarted after its peer would never reconnect; hence this small loop.
 */
import { WebSocket } from 'ws';
import type { Logger } from '../log.ts';

/** First redial delay; doubles per failure up to MAX_REDIAL_MS, with ±25 % jitter. */
export const FIRST_REDIAL_MS = 500;
export const MAX_REDIAL_MS = 30_000;

/** Callbacks of {@link dialPeers}. */
export interface DialHandlers {
	/** A connection opened; `address` is the peer's IP as connected. */
	open(ws: WebSocket, url: string, address: string | undefined): void;
	/** That connection closed (after `open`). */
	close(ws: WebSocket, url: string): void;
}

/** Outgoing connections being kept. */
export interface PeerDialer {
	/** Per URL: whether it is connected now. */
	status(): { url: string; connected: boolean }[];
	/** Close every connection and stop redialling. */
	close(): void;
}

/**
 * Keep one connection open to each URL.
 * @param urls - ws:// or wss:// URLs (config.ts normalizes them)
 * @param handlers - open/close callbacks
 * @param opts - frame size cap (ws maxPayload) and logger
 * @returns a {@link PeerDialer}
 */
export function dialPeers(
	urls: string[],
	handlers: DialHandlers,
	opts: { maxPayload: number; log: Logger }
): PeerDialer {
	let stopped = false;
	const state = new Map<string, { ws?: WebSocket; connected: boolean; failures: number; timer?: NodeJS.Timeout }>();

	function dial(url: string): void {
		if (stopped) return;
		const s = state.get(url)!;
		const ws = new WebSocket(url, { maxPayload: opts.maxPayload, handshakeTimeout: 10_000, perMessageDeflate: false });
		s.ws = ws;
		ws.on('open', () => {
			s.connected = true;
			s.failures = 0;
			const address = (ws as unknown as { _socket?: { remoteAddress?: string } })._socket?.remoteAddress;
			opts.log.info('peer relay connected', { peer: url });
			handlers.open(ws, url, address);
		});
		ws.on('error', (err) => {
			opts.log.debug('peer relay connection error', { peer: url, err });
		});
		ws.on('close', () => {
			if (s.connected) {
				s.connected = false;
				opts.log.warn('peer relay disconnected', { peer: url });
				handlers.close(ws, url);
			}
			s.ws = undefined;
			if (stopped) return;
			const delay = Math.min(MAX_REDIAL_MS, FIRST_REDIAL_MS * 2 ** s.failures) * (0.75 + Math.random() * 0.5);
			s.failures = Math.min(s.failures + 1, 16);
			s.timer = setTimeout(() => dial(url), delay);
			s.timer.unref();
		});
	}

	for (const url of urls) {
		state.set(url, { connected: false, failures: 0 });
		dial(url);
	}

	return {
		status() {
			return [...state].map(([url, s]) => ({ url, connected: s.connected }));
		},
		close() {
			stopped = true;
			for (const s of state.values()) {
				clearTimeout(s.timer);
				s.ws?.close(1001, 'relay shutting down');
			}
		}
	};
}

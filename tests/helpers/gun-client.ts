/**
 * The stock `gun` client from npm (`require('gun')`, as an application would use it) for the relay's
 * integration tests and benchmark, configured to touch nothing but its relay: no localStorage,
 * no radisk and its `radata` folder (rfs), no stats file, no AXE, no UDP multicast.
 */
import { createRequire } from 'node:module';
import { WebSocket } from 'ws';
import type { SignedRecord } from '../../src/lib/core/records.ts';

const require = createRequire(import.meta.url);

/** The parts of a stock Gun instance the tests use. */
export interface GunClient {
	get(soul: string): GunRef;
	_: { opt: { peers: Record<string, { wire?: { close(): void }; defer?: NodeJS.Timeout }> } };
}
/** A Gun chain reference. */
export interface GunRef {
	get(key: string): GunRef;
	put(data: Record<string, unknown>, cb?: (ack: GunAck) => void, opt?: { state?: number }): GunRef;
	on(cb: (data: Record<string, unknown> | undefined, key: string) => void): GunRef;
	once(cb: (data: unknown, key: string) => void): GunRef;
	off(): void;
}
/** An acknowledgement as Gun hands it to a put callback. */
export interface GunAck {
	err?: string;
	ok?: unknown;
}

type GunFactory = (opt: Record<string, unknown>) => GunClient;
let gunFactory: GunFactory | undefined;

/**
 * Load `require('gun')` once (its greeting muted, its log off).
 * @returns the Gun constructor
 */
export function stockGun(): GunFactory {
	if (gunFactory) return gunFactory;
	const log = console.log;
	console.log = () => {};
	try {
		gunFactory = require('gun') as GunFactory;
	} finally {
		console.log = log;
	}
	(gunFactory as unknown as { log: { off: boolean } }).log.off = true;
	return gunFactory;
}

/**
 * A stock Gun client connected to one relay.
 * @param gunUrl - `ws://127.0.0.1:PORT/gun` (http URLs work too)
 * @returns the client
 */
export function createGunClient(gunUrl: string): GunClient {
	return stockGun()({
		peers: [gunUrl],
		localStorage: false,
		radisk: false,
		rfs: false,
		file: false,
		stats: false,
		axe: false,
		multicast: false
	});
}

/**
 * Close a client's connections for good (Gun would redial a peer still listed).
 * @param gun - a client from {@link createGunClient}
 */
export function closeGunClient(gun: GunClient): void {
	const peers = gun._.opt.peers;
	for (const url of Object.keys(peers)) {
		const peer = peers[url]!;
		delete peers[url];
		clearTimeout(peer.defer);
		try {
			peer.wire?.close();
		} catch {
			// already closed
		}
	}
}

/**
 * Put a signed record with its signed state, as a Miaou client does, and wait for the relay's ack.
 * @param gun - the writing client
 * @param record - from records.ts `signRecord` (or forged from one)
 * @param timeoutMs - give up after this long
 * @returns the ack (`err` set when refused)
 * @throws {Error} when no ack comes in time
 */
export function putRecord(gun: GunClient, record: SignedRecord, timeoutMs = 10_000): Promise<GunAck> {
	return putRaw(gun, record.soul, { [record.key]: record.value }, record.state, timeoutMs);
}

/**
 * Put arbitrary data at a soul with a given state and wait for the ack.
 * @throws {Error} when no ack comes in time
 */
export function putRaw(
	gun: GunClient,
	soul: string,
	data: Record<string, unknown>,
	state: number | undefined,
	timeoutMs = 10_000
): Promise<GunAck> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`no ack within ${timeoutMs} ms for ${soul}`)), timeoutMs);
		let done = false;
		gun.get(soul).put(
			data,
			(ack) => {
				if (done) return;
				done = true;
				clearTimeout(timer);
				resolve({ err: ack.err, ok: ack.ok });
			},
			state === undefined ? undefined : { state }
		);
	});
}

/**
 * Subscribe to a soul and collect every value seen per key.
 * @returns the map key → values seen (in order) and a function to stop
 */
export function watchSoul(gun: GunClient, soul: string): { seen: Map<string, unknown[]>; stop(): void } {
	const seen = new Map<string, unknown[]>();
	const ref = gun.get(soul).on((node) => {
		if (!node) return;
		for (const [k, v] of Object.entries(node)) {
			if (k === '_') continue;
			const list = seen.get(k) ?? [];
			if (list[list.length - 1] !== v) list.push(v);
			seen.set(k, list);
		}
	});
	return { seen, stop: () => ref.off() };
}

/**
 * Read one field through the relay, waiting until it has the expected value or the time is up.
 * @returns the last value seen (undefined when none came)
 */
export async function readField(
	gun: GunClient,
	soul: string,
	key: string,
	expected?: unknown,
	timeoutMs = 5000
): Promise<unknown> {
	const { seen, stop } = watchSoul(gun, soul);
	const until = Date.now() + timeoutMs;
	try {
		while (Date.now() < until) {
			const values = seen.get(key);
			const last = values?.[values.length - 1];
			if (last !== undefined && (expected === undefined || last === expected)) return last;
			await new Promise((r) => setTimeout(r, 25));
		}
		const values = seen.get(key);
		return values?.[values.length - 1];
	} finally {
		stop();
	}
}

/**
 * Wait until `predicate` holds, polling, or fail after `timeoutMs`.
 * @throws {Error} naming `what` on timeout
 */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
	const until = Date.now() + timeoutMs;
	while (!predicate()) {
		if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 20));
	}
}

/** A bare WebSocket speaking Gun's wire format, for sending what no Gun client would. */
export interface RawGunSocket {
	ws: WebSocket;
	/** Every JSON message received (batches flattened). */
	received: Record<string, unknown>[];
	/** Send an object (JSON-encoded) or a raw text frame. */
	send(frame: unknown): void;
	/** Resolve once a received message matches, or reject after `timeoutMs`. */
	waitFor(match: (msg: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
	/** Resolves with the close code once the socket closed. */
	closed: Promise<number>;
	close(): void;
}

/**
 * Open a raw WebSocket to a relay's /gun endpoint.
 * @param gunUrl - `ws://127.0.0.1:PORT/gun`
 * @returns the open socket
 * @throws {Error} when it cannot connect (e.g. 429 from a connection limit)
 */
export async function rawGunSocket(gunUrl: string): Promise<RawGunSocket> {
	const ws = new WebSocket(gunUrl, { perMessageDeflate: false });
	const received: Record<string, unknown>[] = [];
	ws.on('message', (data: Buffer) => {
		try {
			const value = JSON.parse(data.toString('utf8')) as unknown;
			for (const m of Array.isArray(value) ? value : [value])
				if (m && typeof m === 'object') received.push(m as Record<string, unknown>);
		} catch {
			// not JSON: ignored
		}
	});
	const closed = new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)));
	await new Promise<void>((resolve, reject) => {
		ws.once('open', () => resolve());
		ws.once('error', reject);
		ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
	});
	return {
		ws,
		received,
		send(frame) {
			ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
		},
		async waitFor(match, timeoutMs = 5000) {
			const until = Date.now() + timeoutMs;
			for (;;) {
				const hit = received.find(match);
				if (hit) return hit;
				if (Date.now() > until) throw new Error('timed out waiting for a message from the relay');
				await new Promise((r) => setTimeout(r, 10));
			}
		},
		closed,
		close() {
			ws.close();
		}
	};
}

/**
 * Load Gun's core for the relay, and nothing else of the package.
 *
 * `require('gun')` on Node is `gun/lib/server.js`, which adds: SEA (it claims every `~` soul and
 * runs its own checks on them), AXE (its `{dam:'opt'}` handler makes the relay dial any URL a peer
 * names: an SSRF and amplification primitive), UDP multicast (lib/multicast.js, announces and
 * accepts peers on the LAN), radisk storage (no fsync; see sqlite-store.ts), the stats file
 * (lib/stats.js writes `stats.radata` every few seconds) and lib/wire.js (a ws server without
 * size or connection limits). We take only `gun/gun.js` — the graph engine (HAM, dup, mesh,
 * get/put chains) — and supply the transport, validation, routing and storage ourselves.
 *
 * gun.js still contains the DAM `mob` handler, which also makes a relay dial a URL from a peer;
 * the relay never hands `dam` messages other than `?` to Gun (see gate in relay.ts), and the
 * WebSocket constructor we give Gun refuses to dial, so Gun itself can never open a connection.
 *
 * Gun is CommonJS and prints a greeting and a localStorage warning with console.log when loaded;
 * those would corrupt the relay's JSON-lines output, so console.log is muted during the require.
 */
import { createRequire } from 'node:module';

/** A Gun event chain link (`this` inside an `on` listener). */
export interface GunChainLink {
	to: { next: (arg: unknown) => void };
	off: () => void;
}

/** The Gun DAM peer object; the relay adds its own fields. */
export interface GunPeer {
	id?: string;
	url?: string;
	pid?: string;
	wire?: unknown;
	say?: (raw: string) => void;
	[key: string]: unknown;
}

/** Gun's message deduplication table (src/dup.js). */
export interface GunDup {
	s: Record<string, unknown>;
	check: (id: string) => unknown;
	track: (id: string) => unknown;
}

/** The DAM mesh (src/mesh.js): what the relay calls into. */
export interface GunMesh {
	hear: ((raw: unknown, peer: GunPeer) => void) & {
		one: (msg: Record<string, unknown>, peer: GunPeer) => void;
		[dam: string]: unknown;
	};
	say: (msg: Record<string, unknown>, peer?: GunPeer | Record<string, GunPeer>) => unknown;
	hi: (peer: GunPeer) => void;
	bye: (peer: GunPeer) => void;
	way?: (msg: Record<string, unknown>) => unknown;
	near: number;
}

/** Gun's root context (`gun._`). */
export interface GunRoot {
	graph: Record<string, Record<string, unknown> & { _?: { '#'?: string; '>'?: Record<string, number> } }>;
	dup: GunDup;
	opt: Record<string, unknown> & { peers: Record<string, GunPeer>; mesh: GunMesh; pid?: string };
	on(tag: string, listener: (this: GunChainLink, msg: Record<string, unknown>) => void): unknown;
	on(tag: string, msg: Record<string, unknown>): unknown;
	$: unknown;
}

/** The Gun constructor and the statics the relay uses. */
export interface GunStatic {
	(opt: Record<string, unknown>): { _: GunRoot };
	state: (() => number) & { drift: number };
	log: ((...args: unknown[]) => unknown) & { off?: boolean };
}

const require = createRequire(import.meta.url);
let loaded: GunStatic | undefined;

/**
 * Load `gun/gun.js` once, with its console greeting muted.
 * @returns the Gun constructor
 */
export function loadGunCore(): GunStatic {
	if (loaded) return loaded;
	const log = console.log;
	console.log = () => {};
	try {
		loaded = require('gun/gun.js') as GunStatic;
	} finally {
		console.log = log;
	}
	// Gun.log writes to console.log; the relay logs through its own structured logger instead.
	loaded.log.off = true;
	return loaded;
}

/**
 * A WebSocket "constructor" for Gun's opt.WebSocket that never connects. Gun's websocket module
 * needs one to build its mesh; every relay peer already has a wire, so Gun would only call this
 * to dial a URL it learned from the network, which the relay never allows.
 * @throws {Error} always
 */
export function RefuseToDial(this: unknown, url: string): never {
	throw new Error(`The relay does not let Gun dial ${String(url).slice(0, 100)}.`);
}

/**
 * Test support: an in-process WebSocket between the relay pool and a second, real Gun instance
 * standing for a relay. Frames are delivered asynchronously (one macrotask), like a socket, and
 * the "relay" side can accept, refuse or drop connections. This replaces only the network
 * socket; both ends run Gun's real mesh. Integration tests use a real relay process instead.
 */
import { createGun, type GunLike, type GunMessage, type GunPeer } from '../gun.ts';
import type { SocketConstructor, SocketLike } from '../relay-pool.ts';

/** The server end of the link. */
export interface GunLink {
	/** The Gun instance playing the relay. */
	server: GunLike;
	/** A WebSocket constructor for `relayPool({ WebSocket })`. */
	WebSocket: SocketConstructor;
	/** URLs passed to the constructor so far. */
	dialed: string[];
	/** Refuse new connections (they fail with an error then a close) until set back to true. */
	accepting: boolean;
	/** Connections opened now. */
	readonly open: number;
	/** Close every open connection from the server side (code 1006, as a crash would). */
	dropAll(): void;
	/** Frames the server received, parsed. */
	received: GunMessage[];
	/**
	 * How the server answers a put (as a relay does: `{'@': id, ok}` or `{'@': id, err}`);
	 * undefined, or a plan returning undefined: no answer at all.
	 */
	ackPlan: AckPlan | undefined;
}

/** The test relay's answer to one put. */
export type AckPlan = (message: GunMessage) => { ok: true } | { err: string } | undefined;

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

function later(fn: () => void): void {
	globalThis.setTimeout(fn, 0);
}

/**
 * Create a Gun "relay" and the socket class that connects to it.
 * @returns the link
 */
export async function gunLink(): Promise<GunLink> {
	const server = await createGun();
	const mesh = server._.root.opt.mesh!;
	const sockets = new Set<LinkedSocket>();
	let counter = 0;

	class LinkedSocket implements SocketLike {
		readyState = CONNECTING;
		onopen: SocketLike['onopen'] = null;
		onclose: SocketLike['onclose'] = null;
		onerror: SocketLike['onerror'] = null;
		onmessage: SocketLike['onmessage'] = null;
		private peer: GunPeer | undefined;

		constructor(url: string) {
			link.dialed.push(url);
			later(() => {
				if (this.readyState !== CONNECTING) return;
				if (!link.accepting) {
					this.readyState = CLOSED;
					this.onerror?.({});
					this.onclose?.({ code: 1006 });
					return;
				}
				this.readyState = OPEN;
				sockets.add(this);
				this.peer = {
					id: `client-${++counter}`,
					wire: {},
					say: (raw: string) => {
						if (this.readyState !== OPEN) throw new Error('closed');
						later(() => {
							if (this.readyState === OPEN) this.onmessage?.({ data: raw });
						});
					},
					bye() {}
				};
				mesh.hi(this.peer);
				this.onopen?.({});
			});
		}

		send(data: string): void {
			if (this.readyState !== OPEN) throw new Error('socket not open');
			const peer = this.peer!;
			later(() => {
				if (this.readyState !== OPEN) return;
				let messages: GunMessage[] = [];
				try {
					const parsed = JSON.parse(data) as GunMessage | GunMessage[];
					messages = Array.isArray(parsed) ? parsed : [parsed];
				} catch {
					// Not JSON: Gun will complain itself.
				}
				link.received.push(...messages);
				mesh.hear(data, peer);
				for (const m of messages) {
					if (!m.put || m['@'] !== undefined || typeof m['#'] !== 'string') continue;
					const answer = link.ackPlan?.(m);
					if (answer)
						peer.say!(JSON.stringify({ '@': m['#'], ...('ok' in answer ? { ok: { '': 1 } } : { err: answer.err }) }));
				}
			});
		}

		close(code = 1000): void {
			this.shut(code);
		}

		shut(code: number): void {
			if (this.readyState === CLOSED) return;
			const wasOpen = this.readyState === OPEN;
			this.readyState = CLOSED;
			sockets.delete(this);
			if (wasOpen && this.peer) mesh.bye(this.peer);
			later(() => this.onclose?.({ code }));
		}
	}

	const link: GunLink = {
		server,
		WebSocket: LinkedSocket,
		dialed: [],
		accepting: true,
		get open() {
			return sockets.size;
		},
		dropAll() {
			for (const s of [...sockets]) s.shut(1006);
		},
		received: [],
		ackPlan: undefined
	};
	return link;
}

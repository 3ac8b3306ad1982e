/**
 * A share crypto worker in this thread, for tests in Node (which has no Web Worker): it runs the
 * worker's own code (serveShareCryptoMessage) and moves every message with
 * `structuredClone(…, { transfer })`, as postMessage does, so transferred buffers really are
 * detached on the sending side. Not used by the app.
 */
import { serveShareCryptoMessage, type ShareCryptoRequest } from './share-crypto-protocol.ts';
import type { ShareCryptoWorker } from './share-crypto-runner.ts';

/** How the worker starts: says ready, fails to load, or never answers. */
export type Start = 'ready' | 'error' | 'silent';

/** A worker in this thread: says ready (or fails to load, or never answers), then serves requests. */
export class InProcessWorker implements ShareCryptoWorker {
	onmessage: ((event: MessageEvent) => unknown) | null = null;
	onerror: ((event: ErrorEvent) => unknown) | null = null;
	terminated = false;
	requests = 0;
	#hold: boolean;

	constructor(start: Start, hold = false) {
		this.#hold = hold;
		setTimeout(() => {
			if (start === 'ready') this.#deliver({ kind: 'ready' }, []);
			else if (start === 'error') this.onerror?.({ message: 'failed to load the worker chunk' } as ErrorEvent);
		}, 0);
	}

	#deliver(reply: unknown, transfer: ArrayBuffer[]): void {
		if (this.terminated) return;
		this.onmessage?.({ data: structuredClone(reply, { transfer }) } as MessageEvent);
	}

	postMessage(message: ShareCryptoRequest, transfer: Transferable[]): void {
		this.requests++;
		const received: unknown = structuredClone(message, { transfer: transfer as ArrayBuffer[] });
		// `hold` keeps the request unanswered (a long run), so a test can cancel it.
		if (this.#hold) return;
		setTimeout(() => {
			if (!this.terminated) serveShareCryptoMessage(received, (reply, t) => this.#deliver(reply, t));
		}, 0);
	}

	terminate(): void {
		this.terminated = true;
	}
}

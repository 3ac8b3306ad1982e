/**
 * The `/miaou/envelope/1.0.0` protocol (docs/net.md §Direct peers): one encrypted envelope per
 * libp2p stream, pushed from one browser to a contact's over a direct (WebRTC) connection. The
 * envelope is the very bytes the sender also stores on relays for the mailbox path, already
 * end-to-end encrypted and authenticated (docs/protocol.md): this protocol adds no trust, only a
 * shorter way, and the receiver handles it exactly like an envelope read from its mailbox.
 *
 * Wire format: the sender writes a 4-byte big-endian length, then the envelope, and closes its
 * side; the receiver answers one byte, {@link ACCEPTED} or {@link REFUSED}, and closes. The
 * length is checked against {@link MAX_DIRECT_ENVELOPE_BYTES} and the download budget before a
 * byte of the body is read.
 */
import type { Stream } from '@libp2p/interface';
import { MAX_ENVELOPE_BYTES } from '../core/envelope.ts';
import { TooLargeError } from '../core/errors.ts';
import { systemClock, type Clock } from '../core/random.ts';

/** The protocol id. */
export const ENVELOPE_PROTOCOL = '/miaou/envelope/1.0.0';
/** Largest envelope taken over a direct connection: the largest one the messenger makes. */
export const MAX_DIRECT_ENVELOPE_BYTES = MAX_ENVELOPE_BYTES;
/** Bytes of the length prefix. */
export const LENGTH_PREFIX_BYTES = 4;
/** The receiver's answer: handed to the messenger. */
export const ACCEPTED = 1;
/** The receiver's answer: not taken (over a limit); the mailbox copy will do. */
export const REFUSED = 0;
/** A direct push slower than this is abandoned (the relay path carries the envelope anyway). */
export const DIRECT_SEND_TIMEOUT_MS = 10_000;
/** Streams of this protocol open at once per connection, each way. */
export const MAX_ENVELOPE_STREAMS = 8;

/**
 * A token bucket of bytes per second, for the bandwidth caps of Settings: it refills at `rate`
 * and holds at most one second's worth, but never less than one largest envelope, so a cap
 * below the envelope size slows traffic down instead of stopping it.
 */
export class ByteBudget {
	#rate: number;
	#capacity: number;
	#tokens: number;
	#last: number;
	#now: Clock;

	/**
	 * @param bytesPerSecond - the cap; 0 means no cap
	 * @param now - clock in ms (tests pass a manual one)
	 * @throws {RangeError} when the cap is negative or not finite
	 */
	constructor(bytesPerSecond: number, now: Clock = systemClock) {
		if (!Number.isFinite(bytesPerSecond) || bytesPerSecond < 0)
			throw new RangeError(`a bandwidth cap must be a non-negative number, got ${bytesPerSecond}`);
		this.#rate = bytesPerSecond;
		this.#capacity = Math.max(bytesPerSecond, MAX_DIRECT_ENVELOPE_BYTES + LENGTH_PREFIX_BYTES);
		this.#tokens = this.#capacity;
		this.#now = now;
		this.#last = now();
	}

	/**
	 * Spend `bytes` if the budget has them.
	 * @param bytes - the size of what is about to move
	 * @returns true when it may move now, false when it would pass the cap
	 */
	take(bytes: number): boolean {
		if (this.#rate === 0) return true;
		const t = this.#now();
		this.#tokens = Math.min(this.#capacity, this.#tokens + ((t - this.#last) / 1000) * this.#rate);
		this.#last = t;
		if (bytes > this.#tokens) return false;
		this.#tokens -= bytes;
		return true;
	}
}

function lengthPrefix(n: number): Uint8Array {
	const out = new Uint8Array(LENGTH_PREFIX_BYTES);
	new DataView(out.buffer).setUint32(0, n);
	return out;
}

async function write(stream: Stream, bytes: Uint8Array, signal: AbortSignal): Promise<void> {
	if (!stream.send(bytes)) await stream.onDrain({ signal });
}

/**
 * Push one envelope on a fresh stream and wait for the receiver's answer.
 * @param stream - a stream of {@link ENVELOPE_PROTOCOL}
 * @param envelope - the encrypted envelope
 * @param signal - aborts the push
 * @returns true when the receiver took it, false when it refused it
 * @throws {TooLargeError} over {@link MAX_DIRECT_ENVELOPE_BYTES}
 * @throws {Error} when the stream fails or closes without an answer
 */
export async function pushEnvelope(stream: Stream, envelope: Uint8Array, signal: AbortSignal): Promise<boolean> {
	if (envelope.length > MAX_DIRECT_ENVELOPE_BYTES)
		throw new TooLargeError('Envelope', envelope.length, MAX_DIRECT_ENVELOPE_BYTES);
	await write(stream, lengthPrefix(envelope.length), signal);
	await write(stream, envelope, signal);
	await stream.close({ signal });
	for await (const chunk of stream) {
		if (chunk.byteLength === 0) continue;
		const answer = chunk.subarray(0, 1)[0];
		return answer === ACCEPTED;
	}
	throw new Error('the peer closed the stream without an answer');
}

/** What {@link receiveEnvelope} did. */
export type ReceiveOutcome = 'accepted' | 'too-large' | 'over-budget' | 'truncated' | 'overlong';

/**
 * Read one envelope from an incoming stream, hand it to `handle`, and answer.
 * @param stream - the incoming stream
 * @param budget - the download budget (checked with the announced length, before reading the body)
 * @param handle - gets the envelope (the messenger's mailbox handler)
 * @param signal - aborts the read
 * @returns what happened; anything but `accepted` left `handle` uncalled
 * @throws {Error} when the stream fails
 */
export async function receiveEnvelope(
	stream: Stream,
	budget: ByteBudget,
	handle: (envelope: Uint8Array) => Promise<void>,
	signal: AbortSignal
): Promise<ReceiveOutcome> {
	let expected = -1;
	let body: Uint8Array | undefined;
	let filled = 0;
	let head = new Uint8Array(0);
	const refuse = async (outcome: ReceiveOutcome): Promise<ReceiveOutcome> => {
		try {
			await write(stream, Uint8Array.of(REFUSED), signal);
			await stream.close({ signal });
		} catch {
			stream.abort(new Error(`envelope refused: ${outcome}`));
		}
		return outcome;
	};
	for await (const list of stream) {
		let chunk = list.subarray();
		if (expected < 0) {
			const joined = new Uint8Array(head.length + chunk.length);
			joined.set(head);
			joined.set(chunk, head.length);
			if (joined.length < LENGTH_PREFIX_BYTES) {
				head = joined;
				continue;
			}
			expected = new DataView(joined.buffer, joined.byteOffset).getUint32(0);
			// Both limits before a byte of the body is held in memory.
			if (expected > MAX_DIRECT_ENVELOPE_BYTES) return refuse('too-large');
			if (!budget.take(expected + LENGTH_PREFIX_BYTES)) return refuse('over-budget');
			body = new Uint8Array(expected);
			chunk = joined.subarray(LENGTH_PREFIX_BYTES);
		}
		if (filled + chunk.length > expected) return refuse('overlong');
		body!.set(chunk, filled);
		filled += chunk.length;
	}
	if (body === undefined || filled !== expected) return refuse('truncated');
	await handle(body);
	await write(stream, Uint8Array.of(ACCEPTED), signal);
	await stream.close({ signal });
	return 'accepted';
}

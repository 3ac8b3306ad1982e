import { identify } from '@libp2p/identify';
import type { Libp2p, Stream } from '@libp2p/interface';
import { noise } from '@libp2p/noise';
import { webSockets } from '@libp2p/websockets';
import { yamux } from '@libp2p/yamux';
import { createLibp2p } from 'libp2p';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TooLargeError } from '../core/errors.ts';
import {
	ByteBudget,
	ENVELOPE_PROTOCOL,
	LENGTH_PREFIX_BYTES,
	MAX_DIRECT_ENVELOPE_BYTES,
	pushEnvelope,
	receiveEnvelope,
	REFUSED,
	type ReceiveOutcome
} from './p2p-envelope.ts';

describe('ByteBudget', () => {
	it('refills at its rate, holds at least one largest envelope, and 0 means no cap', () => {
		let t = 0;
		const budget = new ByteBudget(1000, () => t);
		const burst = MAX_DIRECT_ENVELOPE_BYTES + LENGTH_PREFIX_BYTES;
		expect(budget.take(burst)).toBe(true);
		expect(budget.take(1)).toBe(false);
		t += 500;
		expect(budget.take(500)).toBe(true);
		expect(budget.take(1)).toBe(false);
		t += 10_000_000;
		expect(budget.take(burst)).toBe(true);
		expect(budget.take(burst + 1)).toBe(false);
		const free = new ByteBudget(0, () => t);
		for (let i = 0; i < 100; i++) expect(free.take(burst)).toBe(true);
		expect(() => new ByteBudget(-1)).toThrow(RangeError);
		expect(() => new ByteBudget(Number.NaN)).toThrow(RangeError);
	});
});

describe('the envelope protocol over a real libp2p connection', () => {
	// Two libp2p nodes on loopback WebSockets: the protocol is the same over WebRTC.
	let a: Libp2p;
	let b: Libp2p;
	let budget = new ByteBudget(0);
	const got: Uint8Array[] = [];
	const outcomes: ReceiveOutcome[] = [];
	const node = () =>
		createLibp2p({
			addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
			transports: [webSockets()],
			connectionEncrypters: [noise()],
			streamMuxers: [yamux()],
			services: { identify: identify() }
		});

	beforeAll(async () => {
		[a, b] = await Promise.all([node(), node()]);
		await b.handle(ENVELOPE_PROTOCOL, async (stream) => {
			outcomes.push(await receiveEnvelope(stream, budget, async (e) => void got.push(e), AbortSignal.timeout(5000)));
		});
	});
	afterAll(async () => {
		await Promise.allSettled([a.stop(), b.stop()]);
	});

	const open = (): Promise<Stream> =>
		a.dialProtocol(b.getMultiaddrs(), ENVELOPE_PROTOCOL, { signal: AbortSignal.timeout(5000) });

	/** Send raw bytes and collect the answer. */
	const raw = async (bytes: Uint8Array): Promise<number[]> => {
		const stream = await open();
		stream.send(bytes);
		await stream.close();
		const answer: number[] = [];
		for await (const chunk of stream) answer.push(...chunk.subarray());
		return answer;
	};

	it('delivers an envelope whole and reports it taken', async () => {
		const envelope = crypto.getRandomValues(new Uint8Array(20_000));
		expect(await pushEnvelope(await open(), envelope, AbortSignal.timeout(5000))).toBe(true);
		expect(got.at(-1)).toEqual(envelope);
		expect(outcomes.at(-1)).toBe('accepted');
	});

	it('refuses an announced length over the cap before reading the body', async () => {
		const head = new Uint8Array(LENGTH_PREFIX_BYTES);
		new DataView(head.buffer).setUint32(0, MAX_DIRECT_ENVELOPE_BYTES + 1);
		const count = got.length;
		expect(await raw(head)).toEqual([REFUSED]);
		expect(outcomes.at(-1)).toBe('too-large');
		expect(got.length).toBe(count);
		await expect(
			pushEnvelope(await open(), new Uint8Array(MAX_DIRECT_ENVELOPE_BYTES + 1), AbortSignal.timeout(5000))
		).rejects.toBeInstanceOf(TooLargeError);
	});

	it('refuses more bytes than announced, and fewer', async () => {
		const count = got.length;
		expect(await raw(Uint8Array.of(0, 0, 0, 2, 1, 2, 3))).toEqual([REFUSED]);
		expect(outcomes.at(-1)).toBe('overlong');
		expect(await raw(Uint8Array.of(0, 0, 0, 9, 1, 2))).toEqual([REFUSED]);
		expect(outcomes.at(-1)).toBe('truncated');
		expect(got.length).toBe(count);
	});

	it('refuses what passes the download cap: the sender learns it was not taken', async () => {
		let t = 0;
		budget = new ByteBudget(1000, () => t);
		const big = new Uint8Array(MAX_DIRECT_ENVELOPE_BYTES);
		expect(await pushEnvelope(await open(), big, AbortSignal.timeout(5000))).toBe(true);
		expect(await pushEnvelope(await open(), big, AbortSignal.timeout(5000))).toBe(false);
		expect(outcomes.at(-1)).toBe('over-budget');
		t += 10_000_000;
		expect(await pushEnvelope(await open(), big, AbortSignal.timeout(5000))).toBe(true);
		budget = new ByteBudget(0);
	});
});

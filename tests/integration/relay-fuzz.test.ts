/**
 * Hostile input over raw WebSockets against a real relay process: specific attacks (remote dial,
 * SEA souls, forged acks, bad frames) and more than 10,000 generated messages — random JSON, huge
 * strings, deep nesting, wrong types, prototype keys, forged and mutated records. None may be
 * accepted or reach another client, the relay must stay up and serve valid writes afterwards, and
 * its memory stays bounded (the peak is printed for the report).
 */
import { createServer, type Server } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedRecord } from '../../src/lib/core/records.ts';
import {
	closeGunClient,
	createGunClient,
	putRecord,
	rawGunSocket,
	watchSoul,
	type GunClient,
	type RawGunSocket
} from '../helpers/gun-client.ts';
import { boxRecord, identity, trustRecord } from '../helpers/relay-fixtures.ts';
import { removeDataDir, startRelayProcess, tempDataDir, type RelayProcess } from '../helpers/relay-process.ts';

const MAX_FRAME = 256 * 1024;
/** Generated messages sent by the fuzz test (issue 3 asks for at least 10,000). */
const FUZZ_MESSAGES = 10_000;
/** Upper bound on the relay's peak RSS during the fuzz test. */
const MAX_PEAK_RSS_MIB = 400;

let relay: RelayProcess;
let dataDir: string;
let trap: Server;
let trapUrl: string;
let trapConnections = 0;
const sockets: RawGunSocket[] = [];
const clients: GunClient[] = [];
let template: SignedRecord;
let box: SignedRecord;

async function socket(): Promise<RawGunSocket> {
	const s = await rawGunSocket(relay.gunUrl);
	sockets.push(s);
	return s;
}

async function metric(name: string): Promise<number> {
	const text = await (await fetch(`${relay.url}/metrics`)).text();
	let sum = 0;
	for (const line of text.split('\n')) {
		if (line.startsWith(name + ' ') || line.startsWith(name + '{'))
			sum += Number(line.slice(line.lastIndexOf(' ') + 1));
	}
	return sum;
}

/** Send a get with a known id and wait for its answer: everything sent before it was handled. */
async function drained(s: RawGunSocket, soul: string): Promise<void> {
	const id = `drain${Math.random().toString(36).slice(2, 10)}`;
	s.send({ '#': id, get: { '#': soul } });
	await s.waitFor((m) => m['@'] === id, 60_000);
}

beforeAll(async () => {
	trap = createServer((c) => {
		trapConnections++;
		c.destroy();
	});
	await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r));
	trapUrl = `ws://127.0.0.1:${(trap.address() as { port: number }).port}/gun`;
	dataDir = tempDataDir('fuzz');
	relay = await startRelayProcess({
		dataDir,
		args: [
			'--ipfs',
			'false',
			'--rate-limit',
			'0',
			'--message-rate-limit',
			'0',
			'--max-message-bytes',
			String(MAX_FRAME)
		]
	});
	const me = identity();
	template = await trustRecord(me, identity().id, Date.now() - 1000);
	box = await boxRecord(16, Date.now() - 1000);
});

afterAll(async () => {
	for (const s of sockets) s.close();
	for (const c of clients) closeGunClient(c);
	await relay?.stop();
	await new Promise((r) => trap?.close(r));
	removeDataDir(dataDir);
});

describe('relay under hostile input (raw WebSockets)', () => {
	it('never dials a URL a peer names (dam opt, dam mob)', async () => {
		const s = await socket();
		s.send({ '#': 'opt1', dam: 'opt', opt: { peers: trapUrl } });
		s.send([{ '#': 'mob1', dam: 'mob', mob: 99, peers: { [trapUrl]: {} } }]);
		s.send({ '#': 'hi1', dam: 'hi' });
		await drained(s, template.soul);
		await new Promise((r) => setTimeout(r, 1500));
		expect(trapConnections).toBe(0);
		expect(await metric('miaou_relay_messages_dropped_total{reason="dam"}')).toBeGreaterThanOrEqual(2);
	});

	it('refuses SEA souls and answers reads outside the namespace with not-found', async () => {
		const s = await socket();
		const state = Date.now();
		s.send({ '#': 'sea1', put: { '~abc.def': { _: { '#': '~abc.def', '>': { name: state } }, name: 'x' } } });
		s.send({ '#': 'sea2', put: { '~@alice': { _: { '#': '~@alice', '>': { x: state } }, x: { '#': '~abc' } } } });
		const a1 = await s.waitFor((m) => m['@'] === 'sea1');
		const a2 = await s.waitFor((m) => m['@'] === 'sea2');
		expect(a1.err).toMatch(/^ERR_NAMESPACE: /);
		expect(a2.err).toMatch(/^ERR_(NAMESPACE|MALFORMED): /);
		s.send({ '#': 'read1', get: { '#': '~@alice' } });
		const read = await s.waitFor((m) => m['@'] === 'read1');
		expect(read.put).toBeUndefined();
	});

	it('answers bad JSON with an error, drops binary frames and closes on an oversized frame', async () => {
		const s = await socket();
		s.send('{"#":"x", put: nope');
		await s.waitFor((m) => m.dam === '!');
		s.ws.send(Buffer.from([0xff, 0xfe, 0x00, 0x7b]), { binary: true });
		s.send({ '#': 'after', get: { '#': template.soul } });
		await s.waitFor((m) => m['@'] === 'after');
		const big = await socket();
		big.send(JSON.stringify({ '#': 'big', put: { [template.soul]: { x: 'a'.repeat(MAX_FRAME) } } }));
		expect(await big.closed).toBe(1009);
	});

	it('does not forward acks from clients to the writer', async () => {
		const writer = await socket();
		const other = await socket();
		other.send({ '#': 'sub', get: { '#': box.soul } });
		await other.waitFor((m) => m['@'] === 'sub');
		const id = 'w' + Math.random().toString(36).slice(2, 10);
		// A subscriber tries to answer for the relay before the relay answers.
		other.send([
			{ '#': 'fake1', '@': id, err: 'fake error' },
			{ '#': 'fake2', '@': id, ok: 1 }
		]);
		writer.send({
			'#': id,
			put: { [box.soul]: { _: { '#': box.soul, '>': { [box.key]: box.state } }, [box.key]: box.value } }
		});
		other.send({ '#': 'fake3', '@': id, err: 'fake error' });
		const ack = await writer.waitFor((m) => m['@'] === id);
		expect(ack.err).toBeUndefined();
		await other.waitFor((m) => (m.put as Record<string, unknown> | undefined)?.[box.soul] !== undefined);
		await new Promise((r) => setTimeout(r, 300));
		expect(writer.received.filter((m) => m['@'] === id && m.err !== undefined)).toEqual([]);
	});

	it(`accepts none of ${FUZZ_MESSAGES} generated hostile messages, stays up with bounded memory`, async () => {
		const acceptedBefore = await metric('miaou_relay_writes_accepted_total');
		const watcher = createGunClient(relay.gunUrl);
		clients.push(watcher);
		const watch = watchSoul(watcher, template.soul);

		const state = template.state;
		const soul = fc.oneof(
			fc.constant(template.soul),
			fc.constant(box.soul),
			fc.constantFrom(
				'__proto__',
				'constructor',
				'prototype',
				'~pub.key',
				'~@alias',
				'miaou/v1/',
				'miaou/v1/box/x',
				''
			),
			fc.string({ maxLength: 40 })
		);
		const key = fc.oneof(
			fc.constant(template.key),
			fc.constantFrom('__proto__', '_', 'card', 'entry', '>'),
			fc.string({ maxLength: 20 })
		);
		const stateArb = fc.oneof(
			fc.constant(state),
			fc.double(),
			fc.integer(),
			fc.string({ maxLength: 8 }),
			fc.constant(null)
		);
		const value = fc.oneof(
			fc.jsonValue({ maxDepth: 3 }),
			fc.string({ maxLength: 200 }),
			fc.constant({ '#': template.soul }),
			fc.nat(100).map((n) => 'x'.repeat(n * 100))
		);
		const node = fc
			.tuple(
				soul,
				fc.dictionary(key, value, { maxKeys: 4 }),
				fc.dictionary(key, stateArb, { maxKeys: 4 }),
				fc.boolean()
			)
			.map(
				([s, fields, states, matching]) => [s, { _: { '#': matching ? s : `${s}x`, '>': states }, ...fields }] as const
			);
		const put = fc.record({
			'#': fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.constant(undefined)),
			put: fc.oneof(
				fc.array(node, { maxLength: 3 }).map((nodes) => Object.fromEntries(nodes)),
				fc.jsonValue({ maxDepth: 2 })
			)
		});
		// Mutations of a valid record: every one changes the signed bytes or the signed context.
		const mutated = fc
			.tuple(fc.nat(), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 1000 }))
			.map(([pos, kind, delta]) => {
				const base = pos % 2 === 0 ? template : box;
				let { soul: s, key: k, value: v, state: st } = base;
				const i = pos % v.length;
				switch (kind) {
					case 0: {
						const c = v.charCodeAt(i);
						v = v.slice(0, i) + String.fromCharCode(c === 0x41 ? 0x42 : 0x41) + v.slice(i + 1);
						break;
					}
					case 1:
						st = st + delta;
						break;
					case 2:
						st = st - delta;
						break;
					case 3:
						k = base === template ? box.key : template.key;
						break;
					case 4:
						s =
							base === template
								? `${template.soul.slice(0, -1)}A`
								: box.soul.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A'));
						break;
					case 5:
						v = v.replace(/"s":"[^"]*"/, '"s":""');
						break;
					default:
						v = ` ${v}`;
				}
				return { '#': `m${pos}`, put: { [s]: { _: { '#': s, '>': { [k]: st } }, [k]: v } } };
			});
		const get = fc.record({
			'#': fc.string({ maxLength: 12 }),
			get: fc.oneof(
				fc.jsonValue({ maxDepth: 2 }),
				fc.record({
					'#': fc.oneof(soul, fc.jsonValue({ maxDepth: 2 })),
					'.': fc.oneof(key, fc.jsonValue({ maxDepth: 2 }))
				})
			)
		});
		const dam = fc.record({
			dam: fc.oneof(
				fc.constantFrom('opt', 'mob', '?', '!', 'hi', 'rtc'),
				fc.string({ maxLength: 20 }),
				fc.jsonValue({ maxDepth: 1 })
			),
			opt: fc.constant({ peers: trapUrl }),
			peers: fc.constant({ [trapUrl]: {} }),
			pid: fc.string({ maxLength: 80 })
		});
		const ack = fc.record({
			'@': fc.oneof(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 1 })),
			ok: fc.jsonValue({ maxDepth: 1 }),
			err: fc.jsonValue({ maxDepth: 1 })
		});
		const message = fc.oneof(
			{ weight: 3, arbitrary: mutated },
			{ weight: 3, arbitrary: put },
			{ weight: 1, arbitrary: get },
			{ weight: 1, arbitrary: dam },
			{ weight: 1, arbitrary: ack },
			{ weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) }
		);
		const messages = fc.sample(message, { numRuns: FUZZ_MESSAGES, seed: 0x6d69616f });
		expect(messages.length).toBe(FUZZ_MESSAGES);

		const conns = await Promise.all([socket(), socket(), socket(), socket()]);
		const started = Date.now();
		// Frames of 1 to 25 messages, each under the frame cap (oversized frames are tested above).
		let i = 0;
		let frames = 0;
		while (i < messages.length) {
			const s = conns[frames % conns.length]!;
			const want = 1 + (frames % 25);
			const batch: unknown[] = [];
			let size = 2;
			while (batch.length < want && i < messages.length) {
				const length = JSON.stringify(messages[i] ?? null).length + 1;
				if (batch.length > 0 && size + length > MAX_FRAME - 1024) break;
				batch.push(messages[i++]);
				size += length;
			}
			frames++;
			s.send(batch.length === 1 ? (batch[0] ?? null) : batch);
			if (frames % 200 === 0) await new Promise((r) => setImmediate(r));
		}
		for (const s of conns) expect(s.ws.readyState, 'a fuzz connection was closed').toBe(s.ws.OPEN);
		// Raw frames no parser should choke on: deep nesting, truncated JSON, huge strings, junk.
		const rawFrames = [
			'['.repeat(30_000) + ']'.repeat(30_000),
			'{"a":'.repeat(10_000),
			`{"#":"h","put":{"${template.soul}":{"_":{"#":"${template.soul}",">":{"k":1}},"k":"${'y'.repeat(MAX_FRAME - 1000)}"}}}`,
			'null',
			'123',
			'"string"',
			'[]',
			'[null,1,"x",[]]',
			'\u0000\u0001',
			'{"__proto__":{"polluted":1},"#":"p","get":{"#":"__proto__"}}'
		];
		for (const raw of rawFrames) conns[0]!.send(raw);
		await Promise.all(conns.map((s) => drained(s, template.soul)));
		const elapsed = Date.now() - started;

		expect(trapConnections).toBe(0);
		expect(await metric('miaou_relay_writes_accepted_total')).toBe(acceptedBefore);
		const refused = await metric('miaou_relay_writes_refused_total');
		const dropped = await metric('miaou_relay_messages_dropped_total');
		expect(refused + dropped).toBeGreaterThan(FUZZ_MESSAGES / 3);
		const health = (await (await fetch(`${relay.url}/health`)).json()) as { ok: boolean };
		expect(health.ok).toBe(true);

		// Still fully working: a valid write is accepted, and it is the only thing the watcher saw.
		const writer = createGunClient(relay.gunUrl);
		clients.push(writer);
		expect((await putRecord(writer, template)).err).toBeUndefined();
		await new Promise((r) => setTimeout(r, 300));
		expect(watch.seen.get(template.key)).toEqual([template.value]);
		for (const [k, values] of watch.seen) if (k !== template.key) expect(values, k).toEqual([]);

		const peak = relay.peakRssKiB();
		console.log(
			`relay fuzz: ${FUZZ_MESSAGES} messages + ${rawFrames.length} raw frames in ${elapsed} ms; ` +
				`refused ${refused}, dropped ${dropped}; relay peak RSS ${peak === undefined ? 'n/a' : `${(peak / 1024).toFixed(1)} MiB`}`
		);
		if (peak !== undefined) expect(peak / 1024).toBeLessThan(MAX_PEAK_RSS_MIB);
	}, 120_000);
});

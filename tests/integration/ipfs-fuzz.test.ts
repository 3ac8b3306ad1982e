/**
 * Bad uploads, bounded fuzz: 2,400 refused CAR uploads over real HTTP (truncated CARs, wrong bytes,
 * CID/bytes swaps, garbage, huge headers, unsupported codecs and hashes, incomplete DAGs, stray
 * blocks, random bit flips, bodies over the cap). Each must get the right status and code, nothing
 * may reach the blockstore or the pin set, and the service must still accept a good upload after.
 * Deterministic: a seeded generator picks every case.
 */
import * as dagCbor from '@ipld/dag-cbor';
import { varint } from 'multiformats';
import { CID } from 'multiformats/cid';
import * as json from 'multiformats/codecs/json';
import * as raw from 'multiformats/codecs/raw';
import { create as createDigest } from 'multiformats/hashes/digest';
import { sha256 } from 'multiformats/hashes/sha2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Block } from '../../relay/ipfs/car.ts';
import {
	encodeCar,
	listBlocks,
	rawBlock,
	removeDir,
	request,
	startTestRelay,
	uploadCar,
	type HttpAnswer,
	type TestRelay
} from '../../relay/ipfs/testing.ts';

const CASES_PER_KIND = 240;
const MAX_UPLOAD = 64 * 1024;

/** mulberry32: a small seeded PRNG, so a failing case can be replayed. */
function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

let relay: TestRelay;
let random: () => number;
const int = (max: number): number => Math.floor(random() * max);
const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => int(256));

/** A valid DAG: a dag-cbor root linking 1–4 raw leaves. */
async function validDag(): Promise<{ root: Block; leaves: Block[] }> {
	const leaves = await Promise.all(Array.from({ length: 1 + int(4) }, async () => rawBlock(bytes(1 + int(2000)))));
	const rootBytes = dagCbor.encode({ leaves: leaves.map((l) => l.cid) });
	const root = { cid: CID.createV1(dagCbor.code, await sha256.digest(rootBytes)), bytes: rootBytes };
	return { root, leaves };
}

async function validCar(): Promise<Uint8Array> {
	const { root, leaves } = await validDag();
	return encodeCar([root.cid], [root, ...leaves]);
}

type Kind = {
	name: string;
	codes: string[];
	status: number[];
	make: () => Promise<{ body: Uint8Array; chunked?: boolean }>;
};

const kinds: Kind[] = [
	{
		name: 'truncated CAR',
		codes: ['ERR_MALFORMED', 'ERR_INCOMPLETE_DAG'],
		status: [400],
		make: async () => {
			const car = await validCar();
			return { body: car.subarray(0, 1 + int(car.length - 1)) };
		}
	},
	{
		name: 'block bytes changed',
		codes: ['ERR_HASH_MISMATCH'],
		status: [400],
		make: async () => {
			const { root, leaves } = await validDag();
			const victim = leaves[int(leaves.length)]!;
			const tampered = Uint8Array.from(victim.bytes);
			tampered[int(tampered.length)]! ^= 1 << int(8);
			return {
				body: await encodeCar(
					[root.cid],
					[root, ...leaves.map((l) => (l === victim ? { cid: l.cid, bytes: tampered } : l))]
				)
			};
		}
	},
	{
		name: 'CID/bytes swapped',
		codes: ['ERR_HASH_MISMATCH'],
		status: [400],
		make: async () => {
			const a = await rawBlock(bytes(10 + int(500)));
			const b = await rawBlock(bytes(10 + int(500)));
			return { body: await encodeCar([a.cid], [{ cid: a.cid, bytes: b.bytes }, b]) };
		}
	},
	{
		name: 'garbage',
		codes: ['ERR_MALFORMED', 'ERR_TOO_LARGE'],
		status: [400, 413],
		make: async () => ({ body: bytes(int(3000)) })
	},
	{
		name: 'huge header length',
		codes: ['ERR_TOO_LARGE'],
		status: [413],
		make: async () => {
			const length = 65 * 1024 + int(2 ** 40);
			const prefix = varint.encodeTo(length, new Uint8Array(varint.encodingLength(length)));
			return { body: Buffer.concat([prefix, bytes(int(1000))]) };
		}
	},
	{
		name: 'unsupported codec or hash',
		codes: ['ERR_UNSUPPORTED_CODEC', 'ERR_UNSUPPORTED_HASH', 'ERR_CID'],
		status: [400],
		make: async () => {
			const data = bytes(1 + int(100));
			const choice = int(3);
			const cid =
				choice === 0
					? CID.createV1(json.code, await sha256.digest(data))
					: choice === 1
						? CID.createV1(raw.code, createDigest([0x1e, 0x16, 0xb220][int(3)]!, bytes(32)))
						: CID.createV1(raw.code, createDigest(0x12, bytes(1 + int(31))));
			return { body: await encodeCar([cid], [{ cid, bytes: data }]) };
		}
	},
	{
		name: 'incomplete DAG or stray block',
		codes: ['ERR_INCOMPLETE_DAG', 'ERR_MALFORMED'],
		status: [400],
		make: async () => {
			const { root, leaves } = await validDag();
			if (int(2) === 0) return { body: await encodeCar([root.cid], [root, ...leaves.slice(1)]) };
			const stray = await rawBlock(bytes(1 + int(100)));
			return { body: await encodeCar([root.cid], [root, ...leaves, stray]) };
		}
	},
	{
		name: 'random bit flip',
		codes: [
			'ERR_MALFORMED',
			'ERR_HASH_MISMATCH',
			'ERR_INCOMPLETE_DAG',
			'ERR_UNSUPPORTED_CODEC',
			'ERR_UNSUPPORTED_HASH',
			'ERR_UNSUPPORTED_VERSION',
			'ERR_CID',
			'ERR_TOO_LARGE',
			'ERR_TOO_MANY'
		],
		status: [400, 413],
		make: async () => {
			const car = Uint8Array.from(await validCar());
			car[int(car.length)]! ^= 1 << int(8);
			return { body: car };
		}
	},
	{
		name: 'over the size cap',
		codes: ['ERR_TOO_LARGE'],
		status: [413],
		make: async () => {
			// A well-formed CAR, just too big: the cap must stop it (while streaming when chunked).
			const leaves = await Promise.all(Array.from({ length: 9 + int(4) }, async () => rawBlock(bytes(8192))));
			const rootBytes = dagCbor.encode({ leaves: leaves.map((l) => l.cid) });
			const root = { cid: CID.createV1(dagCbor.code, await sha256.digest(rootBytes)), bytes: rootBytes };
			return { body: await encodeCar([root.cid], [root, ...leaves]), chunked: int(2) === 0 };
		}
	},
	{
		name: 'roots missing or wrong header',
		codes: ['ERR_MALFORMED', 'ERR_INCOMPLETE_DAG', 'ERR_UNSUPPORTED_VERSION'],
		status: [400],
		make: async () => {
			const a = await rawBlock(bytes(20));
			const headers = [
				{ version: 1, roots: [] },
				{ version: 1 },
				{ version: 7, roots: [a.cid] },
				{ roots: [a.cid] },
				[1, 2]
			];
			const head = dagCbor.encode(headers[int(headers.length)]);
			const section = Buffer.concat([a.cid.bytes, a.bytes]);
			return {
				body: Buffer.concat([
					varint.encodeTo(head.length, new Uint8Array(varint.encodingLength(head.length))),
					head,
					varint.encodeTo(section.length, new Uint8Array(varint.encodingLength(section.length))),
					section
				])
			};
		}
	}
];

beforeAll(async () => {
	relay = await startTestRelay({ maxUploadBytes: MAX_UPLOAD });
	random = prng(0x6d69616f);
});
afterAll(async () => {
	await relay.close();
	await removeDir(relay.dataDir);
});

describe('bad uploads (bounded fuzz)', () => {
	it(
		`refuses ${kinds.length * CASES_PER_KIND} bad CARs with the right status and code, storing nothing`,
		{ timeout: 300_000 },
		async () => {
			const before = await listBlocks(relay.service);
			const pinsBefore = (await relay.service.health()).pinned;
			const seen = new Map<string, number>();
			let total = 0;
			let chunkedRefusals = 0;
			for (const kind of kinds) {
				for (let i = 0; i < CASES_PER_KIND; i++) {
					const { body, chunked } = await kind.make();
					const answer: HttpAnswer = chunked
						? await request(`${relay.url}/api/v1/car`, {
								method: 'POST',
								headers: { 'content-type': 'application/vnd.ipld.car', 'transfer-encoding': 'chunked' },
								body
							})
						: await uploadCar(relay.url, body);
					total++;
					// A chunked body over the cap may see the connection closed while still sending.
					if (answer.status === 0 && chunked === true) continue;
					if (chunked === true) chunkedRefusals++;
					const code = String(answer.json?.code);
					if (!kind.status.includes(answer.status) || !kind.codes.includes(code))
						throw new Error(
							`${kind.name} #${i}: got ${answer.status} ${code} (${answer.body.toString().slice(0, 200)})`
						);
					expect(typeof answer.json?.error).toBe('string');
					seen.set(`${kind.name}:${code}`, (seen.get(`${kind.name}:${code}`) ?? 0) + 1);
				}
			}
			expect(total).toBeGreaterThanOrEqual(2000);
			// The cap also stops bodies without Content-Length, while they stream in.
			expect(chunkedRefusals).toBeGreaterThan(0);
			expect(await listBlocks(relay.service)).toEqual(before);
			expect((await relay.service.health()).pinned).toEqual(pinsBefore);
			// Every kind produced its main refusal at least once.
			for (const kind of kinds) expect([...seen.keys()].some((k) => k.startsWith(`${kind.name}:`))).toBe(true);

			// Still alive and still accepting good uploads.
			const good = await uploadCar(relay.url, await validCar());
			expect(good.status).toBe(200);
			const metrics = await relay.registry.metrics();
			expect(metrics).toMatch(/miaou_ipfs_uploads_total\{result="ERR_HASH_MISMATCH"\} [1-9]/);
		}
	);
});

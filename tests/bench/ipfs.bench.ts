/**
 * IPFS upload and fetch through the relay's IPFS service over HTTP on loopback, beside plain HTTP
 * upload/download of the same bytes (a trivial node:http server storing to a file, with fsync like
 * the relay) and plain SHA-256 of them (node:crypto). Content addressing cannot beat hashing, so
 * the goal is at least 0.5 × the hashing speed end to end.
 *
 * Run: node tests/bench/ipfs.bench.ts [--quick]   (prints a table; --quick: 1 MiB only)
 *
 * Rows (MB/s = 10^6 bytes of payload per second):
 * - sha256: node:crypto SHA-256 of the payload.
 * - plain upload / plain download: POST the bytes, server writes + fsyncs a file; GET streams it.
 * - ipfs upload (raw 256 KiB): client cuts 256 KiB raw blocks under a dag-cbor root, hashes them
 *   into CIDs, encodes a CARv1 and POSTs it; the relay parses it, re-hashes every block, writes,
 *   fsyncs, pins.
 * - ipfs fetch (car): GET /ipfs/<root>?format=car and the client re-hashes every block.
 * - ipfs upload/fetch (unixfs): the same payload imported with @helia/unixfs (CIDv1, raw leaves),
 *   CAR built beforehand (import time shown separately), one root.
 * - end to end: payload / (upload time + fetch time), client hashing included.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { create as createDigest } from 'multiformats/hashes/digest';
import type { Block } from '../../relay/ipfs/car.ts';
import {
	encodeCar,
	readVerifiedCar,
	removeDir,
	request,
	startTestRelay,
	unixfsFile,
	uploadCar
} from '../../relay/ipfs/testing.ts';

const MiB = 1024 * 1024;
const quick = process.argv.includes('--quick');
const sizes = quick ? [1 * MiB] : [1 * MiB, 64 * MiB];
const CHUNK = 256 * 1024;

/** Run `fn` `times` times (after one warm-up) and return the median seconds. */
async function time(times: number, fn: () => Promise<void> | void): Promise<number> {
	await fn();
	const samples: number[] = [];
	for (let i = 0; i < times; i++) {
		const start = process.hrtime.bigint();
		await fn();
		samples.push(Number(process.hrtime.bigint() - start) / 1e9);
	}
	samples.sort((a, b) => a - b);
	return samples[Math.floor(samples.length / 2)]!;
}

/** MB/s of `bytes` in `seconds`. */
function rate(bytes: number, seconds: number): number {
	return bytes / 1e6 / seconds;
}

/** A trivial upload/download server: the plain HTTP baseline. */
async function plainServer(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
	const file = join(dir, 'payload.bin');
	const server = http.createServer((req, res) => {
		void (async () => {
			if (req.method === 'POST') {
				await pipeline(req, createWriteStream(file));
				const handle = await open(file, 'r');
				await handle.sync();
				await handle.close();
				res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
			} else {
				res.writeHead(200, { 'content-type': 'application/octet-stream' });
				await pipeline(createReadStream(file), res);
			}
		})().catch(() => res.destroy());
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		close: () => new Promise<void>((resolve) => server.close(() => resolve()))
	};
}

/** A CIDv1 (sha2-256) of `bytes` with node:crypto. */
function cidOf(code: number, bytes: Uint8Array): CID {
	return CID.createV1(code, createDigest(0x12, createHash('sha256').update(bytes).digest()));
}

/**
 * Cut a payload into 256 KiB raw blocks under one dag-cbor root `{ blocks: [CID…] }` (how a client
 * sends an encrypted payload without UnixFS).
 * @returns the root first, then the leaves
 */
function rawDag(payload: Uint8Array): { root: CID; blocks: Block[] } {
	const leaves: Block[] = [];
	for (let offset = 0; offset < payload.length; offset += CHUNK) {
		const bytes = payload.subarray(offset, offset + CHUNK);
		leaves.push({ cid: cidOf(raw.code, bytes), bytes });
	}
	const rootBytes = dagCbor.encode({ blocks: leaves.map((b) => b.cid) });
	const root = cidOf(dagCbor.code, rootBytes);
	return { root, blocks: [{ cid: root, bytes: rootBytes }, ...leaves] };
}

interface Row {
	what: string;
	size: string;
	seconds: number;
	mbps: number;
	vsHash: number;
}

async function main(): Promise<void> {
	const rows: Row[] = [];
	const dir = await mkdtemp(join(tmpdir(), 'miaou-ipfs-bench-'));
	const plain = await plainServer(dir);
	const relay = await startTestRelay({
		maxUploadBytes: 80 * MiB,
		quotaBytes: 4 * 1024 * MiB,
		dataDir: join(dir, 'relay')
	});
	try {
		for (const size of sizes) {
			const label = `${size / MiB} MiB`;
			const repeats = size <= MiB ? 15 : 3;
			const payload = randomBytes(size);
			const add = (what: string, seconds: number, hashRate: number): void => {
				const mbps = rate(size, seconds);
				rows.push({ what, size: label, seconds, mbps, vsHash: mbps / hashRate });
			};

			const hashSeconds = await time(repeats * 3, () => {
				createHash('sha256').update(payload).digest();
			});
			const hashRate = rate(size, hashSeconds);
			add('sha256 (node:crypto)', hashSeconds, hashRate);

			add(
				'plain HTTP upload (write+fsync)',
				await time(repeats, async () => {
					const r = await request(`${plain.url}/upload`, { method: 'POST', body: payload });
					if (r.status !== 200) throw new Error(`plain upload ${r.status}`);
				}),
				hashRate
			);
			add(
				'plain HTTP download',
				await time(repeats, async () => {
					const r = await request(`${plain.url}/download`);
					if (r.body.length !== size) throw new Error('plain download short');
				}),
				hashRate
			);

			// Each upload uses fresh bytes (a re-upload of pinned roots would only extend expiry).
			const payloads = Array.from({ length: repeats + 1 }, () => randomBytes(size));
			let next = 0;
			let root: CID | undefined;
			const uploadSeconds = await time(repeats, async () => {
				const dag = rawDag(payloads[next++]!);
				const r = await uploadCar(relay.url, await encodeCar([dag.root], dag.blocks));
				if (r.status !== 200) throw new Error(`ipfs upload ${r.status} ${r.body.toString()}`);
				root = dag.root;
			});
			add('ipfs upload: raw 256 KiB blocks, CAR', uploadSeconds, hashRate);
			const fetchSeconds = await time(repeats, async () => {
				const r = await request(`${relay.url}/ipfs/${root}?format=car`);
				const { blocks, allVerified } = await readVerifiedCar(r.body);
				if (!allVerified) throw new Error('block did not verify');
				const total = blocks.slice(1).reduce((n, b) => n + b.bytes.length, 0);
				if (total !== size) throw new Error(`fetched ${total} of ${size}`);
			});
			add('ipfs fetch: CAR + verify every block', fetchSeconds, hashRate);
			add('ipfs end to end (upload + fetch)', uploadSeconds + fetchSeconds, hashRate);

			const importStart = process.hrtime.bigint();
			const file = await unixfsFile(payload);
			const importSeconds = Number(process.hrtime.bigint() - importStart) / 1e9;
			add('unixfs import (@helia/unixfs, client)', importSeconds, hashRate);
			const fileCar = await encodeCar([file.root], file.blocks);
			const fileUpload = await time(1, async () => {
				const r = await uploadCar(relay.url, fileCar);
				if (r.status !== 200) throw new Error(`unixfs upload ${r.status} ${r.body.toString()}`);
			});
			add('ipfs upload: unixfs CAR', fileUpload, hashRate);
			const fileFetch = await time(repeats, async () => {
				const r = await request(`${relay.url}/ipfs/${file.root}?format=car`);
				const { blocks, allVerified } = await readVerifiedCar(r.body);
				if (!allVerified || blocks.length !== file.blocks.length) throw new Error('unixfs CAR did not verify');
			});
			add('ipfs fetch: unixfs CAR + verify', fileFetch, hashRate);
			add('ipfs end to end unixfs (import+up+fetch)', importSeconds + fileUpload + fileFetch, hashRate);
		}
	} finally {
		await relay.close();
		await plain.close();
		await removeDir(dir);
		await rm(dir, { recursive: true, force: true });
	}

	const pad = (s: string, n: number): string => s.padEnd(n);
	console.log(`IPFS relay benchmark — Node ${process.version}, ${new Date().toISOString()}`);
	console.log(`${pad('what', 42)} ${pad('size', 7)} ${pad('ms', 9)} ${pad('MB/s', 9)} × sha256`);
	for (const r of rows)
		console.log(
			`${pad(r.what, 42)} ${pad(r.size, 7)} ${pad((r.seconds * 1000).toFixed(1), 9)} ${pad(r.mbps.toFixed(0), 9)} ${r.vsHash.toFixed(2)}`
		);
}

await main();

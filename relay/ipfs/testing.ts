/**
 * Test and benchmark helpers for the IPFS half: start a real service behind a real node:http server
 * on 127.0.0.1, build CARs of raw blocks or UnixFS files, send raw HTTP requests, and check CAR
 * answers block by block. Not imported by the relay itself.
 */
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CarBlockIterator, CarWriter } from '@ipld/car';
import { unixfs } from '@helia/unixfs';
import { createHeliaLight } from 'helia';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { Registry } from 'prom-client';
import { silentLogger, type Logger } from '../log.ts';
import { blockLinks, verifyBlock } from './blocks.ts';
import type { Block } from './car.ts';
import { createIpfsService, type IpfsService, type IpfsServiceOptions } from './service.ts';

/** A service behind an HTTP server on loopback. */
export interface TestRelay {
	service: IpfsService;
	/** Base URL, e.g. `http://127.0.0.1:41234`. */
	url: string;
	dataDir: string;
	registry: Registry;
	server: http.Server;
	/** Stop the HTTP server and the service (the data directory stays). */
	close(): Promise<void>;
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (for relays that must know each other's URL
 * before they start).
 * @returns the port
 */
export async function freePort(): Promise<number> {
	const server = http.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

/**
 * Start an IPFS service with test defaults and an HTTP server that hands it every request.
 * @param overrides - options to change (dataDir defaults to a fresh temporary directory)
 * @param port - HTTP port on 127.0.0.1 (default: any free one)
 * @returns the running relay
 */
export async function startTestRelay(overrides: Partial<IpfsServiceOptions> = {}, port = 0): Promise<TestRelay> {
	const dataDir = overrides.dataDir ?? (await mkdtemp(join(tmpdir(), 'miaou-ipfs-')));
	const registry = overrides.registry ?? new Registry();
	const service = await createIpfsService({
		dataDir,
		quotaBytes: 64 * 1024 * 1024,
		retentionMs: 7 * 24 * 3600 * 1000,
		maxUploadBytes: 16 * 1024 * 1024,
		listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'],
		mdns: false,
		peers: [],
		registry,
		log: silentLogger,
		...overrides
	});
	const server = http.createServer((req, res) => {
		service.handle(req, res).then(
			(handled) => {
				if (!handled) res.writeHead(404, { 'content-type': 'text/plain' }).end('not an IPFS route');
			},
			(err: unknown) => {
				res.destroy(err instanceof Error ? err : undefined);
			}
		);
	});
	await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
	const { port: bound } = server.address() as AddressInfo;
	return {
		service,
		url: `http://127.0.0.1:${bound}`,
		dataDir,
		registry,
		server,
		async close() {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
			await service.stop();
		}
	};
}

/** Remove a temporary data directory. */
export async function removeDir(dir: string): Promise<void> {
	await rm(dir, { recursive: true, force: true });
}

/**
 * A raw block (CIDv1, raw codec, sha2-256) of `bytes`.
 * @param bytes - the block's content
 * @returns the block
 */
export async function rawBlock(bytes: Uint8Array): Promise<Block> {
	return { cid: CID.createV1(raw.code, await sha256.digest(bytes)), bytes };
}

/**
 * Encode blocks as a CARv1.
 * @param roots - header roots
 * @param blocks - blocks in order
 * @returns the CAR bytes
 */
export async function encodeCar(roots: CID[], blocks: Iterable<Block>): Promise<Uint8Array> {
	const { writer, out } = CarWriter.create(roots);
	const chunks: Uint8Array[] = [];
	const collecting = (async () => {
		for await (const chunk of out) chunks.push(chunk);
	})();
	for (const block of blocks) await writer.put(block);
	await writer.close();
	await collecting;
	return Buffer.concat(chunks);
}

/**
 * Import bytes as a UnixFS file (CIDv1, raw leaves) with @helia/unixfs in an in-memory Helia, and
 * return the file's root and every block of its DAG.
 * The importer's default chunker cuts 256 KiB leaves.
 * @param bytes - the file content
 * @returns the root and the blocks (root first, depth-first)
 */
export async function unixfsFile(bytes: Uint8Array): Promise<{ root: CID; blocks: Block[] }> {
	const helia = createHeliaLight();
	await helia.start();
	try {
		const fs = unixfs(helia);
		const root = await fs.addBytes(bytes, { rawLeaves: true, cidVersion: 1 });
		const blocks: Block[] = [];
		const seen = new Set<string>();
		const stack = [root];
		while (stack.length > 0) {
			const cid = stack.pop()!;
			if (seen.has(cid.toString())) continue;
			seen.add(cid.toString());
			const chunks: Uint8Array[] = [];
			for await (const chunk of helia.blockstore.get(cid)) chunks.push(chunk);
			const data = Buffer.concat(chunks);
			blocks.push({ cid, bytes: new Uint8Array(data) });
			stack.push(...blockLinks(cid, data).reverse());
		}
		return { root, blocks };
	} finally {
		await helia.stop();
	}
}

/** An HTTP answer read in full. */
export interface HttpAnswer {
	status: number;
	headers: IncomingHttpHeaders;
	body: Buffer;
	/** The body parsed as JSON when it is JSON, else undefined. */
	json: Record<string, unknown> | undefined;
}

/**
 * Send one request with node:http (not fetch: a server may answer and close before the whole
 * body is sent, which node:http reports as an answer and fetch as an error).
 * @param url - full URL
 * @param init - method, headers and body
 * @returns the answer, or `{ status: 0 }` when the connection broke before any answer
 */
export async function request(
	url: string,
	init: { method?: string; headers?: Record<string, string>; body?: Uint8Array } = {}
): Promise<HttpAnswer> {
	return new Promise((resolve) => {
		let settled = false;
		const done = (answer: HttpAnswer): void => {
			if (!settled) {
				settled = true;
				resolve(answer);
			}
		};
		const req = http.request(url, { method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			const finish = (): void => {
				const body = Buffer.concat(chunks);
				let json: Record<string, unknown> | undefined;
				if (String(res.headers['content-type'] ?? '').startsWith('application/json')) {
					try {
						json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
					} catch {
						json = undefined;
					}
				}
				done({ status: res.statusCode ?? 0, headers: res.headers, body, json });
			};
			res.on('end', finish);
			res.on('error', finish);
			res.on('aborted', finish);
		});
		req.on('error', () => done({ status: 0, headers: {}, body: Buffer.alloc(0), json: undefined }));
		if (init.body !== undefined) req.end(init.body);
		else req.end();
	});
}

/**
 * Upload a CAR to a relay.
 * @param base - relay base URL
 * @param car - CAR bytes
 * @param query - query string (e.g. `?ttl=60`)
 */
export async function uploadCar(base: string, car: Uint8Array, query = ''): Promise<HttpAnswer> {
	return request(`${base}/api/v1/car${query}`, {
		method: 'POST',
		headers: { 'content-type': 'application/vnd.ipld.car', 'content-length': String(car.length) },
		body: car
	});
}

/**
 * Parse a CAR answer and verify every block against its CID.
 * @param bytes - the CAR
 * @returns roots, blocks, and whether every block verified
 */
export async function readVerifiedCar(
	bytes: Uint8Array
): Promise<{ roots: CID[]; blocks: Block[]; allVerified: boolean }> {
	const iterator = await CarBlockIterator.fromBytes(bytes);
	const blocks: Block[] = [];
	let allVerified = true;
	for await (const block of iterator) {
		blocks.push(block);
		if (!verifyBlock(block.cid, block.bytes)) allVerified = false;
	}
	return { roots: await iterator.getRoots(), blocks, allVerified };
}

/**
 * The key a blockstore files a block under: its multihash (blockstore-fs forgets the codec and
 * version), in hex.
 * @param cid - any CID
 * @returns the multihash in hex
 */
export function blockKey(cid: CID): string {
	return Buffer.from(cid.multihash.bytes).toString('hex');
}

/**
 * List every block in a service's blockstore (to compare before and after a refused upload).
 * @param service - the service whose blockstore to list
 * @returns sorted {@link blockKey}s
 */
export async function listBlocks(service: IpfsService): Promise<string[]> {
	const out: string[] = [];
	for await (const { cid } of service.helia.blockstore.getAll()) out.push(blockKey(cid));
	return out.sort();
}

/**
 * A Kubo RPC stand-in speaking the two calls the mirror uses: it parses the multipart body of
 * /api/v0/dag/import, reads the CAR with @ipld/car, verifies every block and records the roots
 * (then the blocks); /api/v0/pin/rm records the CID. Kubo itself is not installed for tests.
 * @param fail - answer 500 to everything
 * @returns its URL, what it recorded, and close()
 */
export async function kuboStandIn(
	fail = false
): Promise<{ url: string; imported: string[][]; unpinned: string[]; close(): void }> {
	const imported: string[][] = [];
	const unpinned: string[] = [];
	const server = http.createServer((req, res) => {
		void (async () => {
			const chunks: Buffer[] = [];
			for await (const c of req) chunks.push(c as Buffer);
			const body = Buffer.concat(chunks);
			const url = new URL(req.url ?? '/', 'http://kubo');
			if (req.method !== 'POST') return res.writeHead(405).end();
			if (fail) return res.writeHead(500).end('{"Message":"boom"}');
			if (url.pathname === '/api/v0/dag/import') {
				const boundary = /boundary=(\S+)/.exec(req.headers['content-type'] ?? '')?.[1];
				const start = body.indexOf('\r\n\r\n') + 4;
				const end = body.lastIndexOf(`\r\n--${boundary}--`);
				const iterator = await CarBlockIterator.fromBytes(body.subarray(start, end));
				const cids: string[] = [];
				for await (const block of iterator) {
					if (!verifyBlock(block.cid, block.bytes)) return res.writeHead(400).end('bad block');
					cids.push(block.cid.toString());
				}
				const roots = (await iterator.getRoots()).map(String);
				imported.push([...roots, ...cids]);
				return res.writeHead(200).end(JSON.stringify({ Root: { Cid: { '/': roots[0] }, PinErrorMsg: '' } }));
			}
			if (url.pathname === '/api/v0/pin/rm') {
				unpinned.push(url.searchParams.get('arg') ?? '');
				return res.writeHead(200).end('{"Pins":[]}');
			}
			res.writeHead(404).end();
		})();
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		imported,
		unpinned,
		close: () => server.close()
	};
}

/** A logger that keeps its lines, for tests that check what was logged. */
export function memoryLogger(): Logger & {
	lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }>;
} {
	const lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = [];
	const make = (base: Record<string, unknown>): Logger => ({
		debug: (msg, fields) => lines.push({ level: 'debug', msg, fields: { ...base, ...fields } }),
		info: (msg, fields) => lines.push({ level: 'info', msg, fields: { ...base, ...fields } }),
		warn: (msg, fields) => lines.push({ level: 'warn', msg, fields: { ...base, ...fields } }),
		error: (msg, fields) => lines.push({ level: 'error', msg, fields: { ...base, ...fields } }),
		child: (fields) => make({ ...base, ...fields })
	});
	return Object.assign(make({}), { lines });
}

import { CarReader } from '@ipld/car';
import type { CID } from 'multiformats/cid';
import { describe, expect, it } from 'vitest';
import { equalBytes } from '../core/bytes.ts';
import {
	AbortError,
	ContentNotFoundError,
	HashMismatchError,
	NoRelayError,
	RelayRefusedError,
	TooLargeError
} from '../core/errors.ts';
import { memoryBlobStore, relayBlobStore, type BlobProgress } from './blob-store.ts';
import { CAR_MEDIA_TYPE, UPLOAD_PATH } from './blob-store-relay.ts';
import { CHUNK_SIZE } from './unixfs.ts';

function pattern(n: number, seed = 3): Uint8Array {
	const out = new Uint8Array(n);
	let x = seed;
	for (let i = 0; i < n; i++) out[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
	return out;
}

type Mode = 'honest' | 'lying' | 'down' | 'refusing' | 'empty' | 'wrong-root';

/** Relays as `fetch` sees them: CAR upload and Trustless Gateway raw blocks, each with a behaviour. */
function relays(modes: Record<string, Mode>) {
	const stores = new Map<string, Map<string, Uint8Array>>();
	const requests: string[] = [];
	const fetch = async (input: string, init?: RequestInit): Promise<Response> => {
		const url = new URL(input);
		const base = url.origin;
		const mode = modes[base];
		requests.push(`${init?.method ?? 'GET'} ${base}${url.pathname}`);
		if (!mode || mode === 'down') throw new TypeError('fetch failed');
		const store = stores.get(base) ?? new Map<string, Uint8Array>();
		stores.set(base, store);
		if (init?.method === 'POST' && url.pathname === UPLOAD_PATH) {
			expect(new Headers(init.headers).get('content-type')).toBe(CAR_MEDIA_TYPE);
			if (mode === 'refusing') return Response.json({ code: 'ERR_QUOTA', error: 'Storage is full.' }, { status: 507 });
			const car = await CarReader.fromBytes(init.body as Uint8Array);
			const roots = await car.getRoots();
			for await (const block of car.blocks()) store.set(block.cid.toString(), block.bytes);
			const named =
				mode === 'wrong-root' ? ['bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am'] : roots.map(String);
			return Response.json({ roots: named, blocks: store.size, bytes: 1, expires: 42 });
		}
		const match = /^\/ipfs\/([^/]+)$/.exec(url.pathname);
		if (match && url.searchParams.get('format') === 'raw') {
			const bytes = mode === 'empty' ? undefined : (stores.get('seed')?.get(match[1]!) ?? store.get(match[1]!));
			if (!bytes) return new Response('not found', { status: 404 });
			const body = bytes.slice();
			if (mode === 'lying') body[0] = body[0]! ^ 0xff;
			return new Response(body, { headers: { 'content-type': 'application/vnd.ipld.raw' } });
		}
		return new Response('no route', { status: 404 });
	};
	/** Give every relay the blocks of a CID (as if it had been uploaded to all). */
	const seed = async (bytes: Uint8Array): Promise<CID> => {
		const honest = relayBlobStore(['http://seed.test'], {
			fetch: async (input, init) => {
				const car = await CarReader.fromBytes(init!.body as Uint8Array);
				const seeded = stores.get('seed') ?? new Map<string, Uint8Array>();
				stores.set('seed', seeded);
				for await (const block of car.blocks()) seeded.set(block.cid.toString(), block.bytes);
				return Response.json({ roots: (await car.getRoots()).map(String), blocks: 0, bytes: 0, expires: 0 });
			}
		});
		return honest.put(bytes);
	};
	return { fetch, requests, seed };
}

describe('memoryBlobStore', () => {
	it('round-trips bytes and refuses a tampered block', async () => {
		const store = memoryBlobStore();
		const bytes = pattern(CHUNK_SIZE * 2 + 5);
		const cid = await store.put(bytes);
		expect(store.size).toBe(4);
		expect(equalBytes(await store.get(cid), bytes)).toBe(true);
		expect(equalBytes(await store.get(cid.toString()), bytes)).toBe(true);
		store.tamper(cid, pattern(10));
		await expect(store.get(cid)).rejects.toBeInstanceOf(HashMismatchError);
		await expect(memoryBlobStore().get(cid)).rejects.toBeInstanceOf(ContentNotFoundError);
		await expect(memoryBlobStore({ maxBytes: 10 }).put(pattern(11))).rejects.toBeInstanceOf(TooLargeError);
	});
});

describe('relayBlobStore', () => {
	it('uploads one CAR to every relay and succeeds when one accepts, with a report per relay', async () => {
		const net = relays({ 'http://a.test': 'refusing', 'http://b.test': 'honest', 'http://c.test': 'down' });
		const store = relayBlobStore(['http://a.test', 'http://b.test', 'http://c.test'], { fetch: net.fetch });
		const progress: BlobProgress[] = [];
		const report = await store.upload(pattern(CHUNK_SIZE + 1), { onProgress: (p) => progress.push(p) });
		expect(report.relays.map((r) => r.ok)).toEqual([false, true, false]);
		const [a, b, c] = report.relays;
		expect(a!.ok === false && a!.error).toBeInstanceOf(RelayRefusedError);
		expect(a!.ok === false && (a!.error as RelayRefusedError).reason).toBe('ERR_QUOTA');
		expect(b).toMatchObject({ ok: true, expires: 42 });
		expect(c!.ok === false && c!.error).toBeInstanceOf(NoRelayError);
		expect(progress[0]).toMatchObject({ phase: 'encode' });
		expect(progress.at(-1)).toMatchObject({ phase: 'upload', relay: 'http://b.test' });
		expect(progress.at(-1)!.bytes).toBe(progress.at(-1)!.total);
	});

	it('reports the refusal when every relay refuses, and "no relay" when none answers', async () => {
		const refusing = relays({ 'http://a.test': 'refusing', 'http://b.test': 'down' });
		await expect(
			relayBlobStore(['http://a.test', 'http://b.test'], { fetch: refusing.fetch }).put(pattern(10))
		).rejects.toMatchObject({
			reason: 'ERR_QUOTA'
		});
		const down = relays({ 'http://a.test': 'down' });
		await expect(relayBlobStore(['http://a.test'], { fetch: down.fetch }).put(pattern(10))).rejects.toBeInstanceOf(
			NoRelayError
		);
		await expect(relayBlobStore([], { fetch: down.fetch }).put(pattern(10))).rejects.toBeInstanceOf(NoRelayError);
		const wrong = relays({ 'http://a.test': 'wrong-root' });
		await expect(relayBlobStore(['http://a.test'], { fetch: wrong.fetch }).put(pattern(10))).rejects.toBeInstanceOf(
			NoRelayError
		);
	});

	it('downloads block by block, verifying each: a lying relay is skipped for the rest of the download', async () => {
		const net = relays({ 'http://liar.test': 'lying', 'http://empty.test': 'empty', 'http://good.test': 'honest' });
		const bytes = pattern(CHUNK_SIZE * 3);
		const cid = await net.seed(bytes);
		const store = relayBlobStore(['http://liar.test', 'http://empty.test', 'http://good.test'], {
			fetch: net.fetch,
			concurrency: 1
		});
		const progress: number[] = [];
		const report = await store.download(cid, { onProgress: (p) => progress.push(p.bytes) });
		expect(equalBytes(report.bytes, bytes)).toBe(true);
		expect(report.served).toEqual({ 'http://good.test': 4 });
		const liarRequests = net.requests.filter((r) => r.startsWith('GET http://liar.test'));
		expect(liarRequests).toHaveLength(1);
		expect(report.failures.filter((f) => f.kind === 'mismatch')).toEqual([
			expect.objectContaining({ relay: 'http://liar.test', cid: cid.toString() })
		]);
		expect(report.failures.filter((f) => f.kind === 'missing')).toHaveLength(4);
		expect(progress.at(-1)).toBe(bytes.length);
		expect(progress).toEqual([...progress].sort((x, y) => x - y));
	});

	it('fails with the reason when no relay has a verified copy', async () => {
		const net = relays({ 'http://liar.test': 'lying', 'http://empty.test': 'empty' });
		const cid = await net.seed(pattern(100));
		await expect(relayBlobStore(['http://liar.test'], { fetch: net.fetch }).get(cid)).rejects.toBeInstanceOf(
			HashMismatchError
		);
		const error = await relayBlobStore(['http://empty.test', 'http://liar.test'], { fetch: net.fetch })
			.get(cid)
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(ContentNotFoundError);
		expect((error as Error).message).toContain('http://empty.test: HTTP 404');
		expect((error as Error).message).toContain('http://liar.test');
	});

	it('tries the relays in the order the pool gives at each call, and honours abort', async () => {
		const net = relays({ 'http://a.test': 'honest', 'http://b.test': 'honest' });
		const cid = await net.seed(pattern(100));
		let order = ['http://b.test', 'http://a.test'];
		const store = relayBlobStore(() => order, { fetch: net.fetch });
		expect(Object.keys((await store.download(cid)).served)).toEqual(['http://b.test']);
		order = ['http://a.test', 'http://b.test'];
		expect(Object.keys((await store.download(cid)).served)).toEqual(['http://a.test']);
		await expect(store.get(cid, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
	});
});

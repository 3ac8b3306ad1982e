/**
 * The Share screen's upload and the share page's download, over the in-memory blob store (the
 * same UnixFS encoding and per-block verification as the relay adapter) and the real share
 * crypto: public CIDs equal to a plain UnixFS import, private round trips, and a sentence kind
 * for each way a link can fail (wrong key, unknown CID, tampered blocks, damaged link). Last, the
 * same states over the app's Helia transfers and a real relay IPFS service: a link opened once
 * opens again with the relay gone.
 */
import { MemoryBlockstore } from 'blockstore-core';
import { CID } from 'multiformats/cid';
import { describe, expect, it } from 'vitest';
import { startTestRelay } from '../../../relay/ipfs/testing.ts';
import { equalBytes } from '../core/bytes.ts';
import { workerShareCrypto } from '../browser/share-crypto-runner.ts';
import { InProcessWorker } from '../browser/share-crypto-testing.ts';
import { AbortError } from '../core/errors.ts';
import { parseShareLink } from '../core/share-crypto.ts';
import { memoryBlobStore, type MemoryBlobStore } from '../net/blob-store.ts';
import { heliaTransfers } from '../net/blob-store-helia-lazy.ts';
import { relayUploader } from '../net/blob-store-helia.ts';
import { relayBlobStore } from '../net/blob-store-relay.ts';
import { importFile } from '../net/unixfs.ts';
import type { TransferOptions, UploadResult } from './net.svelte.ts';
import { ShareDownload, classifyDownloadError } from './share-download.svelte.ts';
import { MAX_SHARE_FILE_BYTES, ShareUpload, type ShareFile } from './share-upload.svelte.ts';

const ORIGIN = 'http://app.test';
const noYield = async () => {};

function fileOf(bytes: Uint8Array, name = 'notes.txt'): ShareFile {
	return { name, size: bytes.length, arrayBuffer: async () => bytes.slice().buffer };
}

function patterned(n: number, seed = 7): Uint8Array {
	const out = new Uint8Array(n);
	let x = seed;
	for (let i = 0; i < n; i++) {
		x = (x * 1103515245 + 12345) >>> 0;
		out[i] = x >>> 24;
	}
	return out;
}

/** The relays' side as the state classes see it, over one memory store. */
function network(store: MemoryBlobStore = memoryBlobStore({ maxBytes: 80 * 1024 * 1024 })) {
	const downloads: { cid: string; opts: TransferOptions & { extraRelays?: readonly string[] } }[] = [];
	return {
		store,
		downloads,
		async upload(bytes: Uint8Array, opts: TransferOptions): Promise<UploadResult> {
			const cid = await store.put(bytes, opts);
			return { cid: cid.toString(), accepted: [ORIGIN], refused: [] };
		},
		async download(cid: string, opts: TransferOptions & { extraRelays?: readonly string[] }): Promise<Uint8Array> {
			downloads.push({ cid, opts });
			return store.get(cid, opts);
		}
	};
}

function uploader(net: ReturnType<typeof network>) {
	return new ShareUpload({ upload: (b, o) => net.upload(b, o), origin: ORIGIN, yieldToUi: noYield });
}

function downloader(net: ReturnType<typeof network>, urls: string[] = []) {
	let n = 0;
	const blobs = new Map<string, Blob>();
	const revoked: string[] = [];
	const d = new ShareDownload({
		download: (cid, o) => net.download(cid, o),
		yieldToUi: noYield,
		createObjectURL: (blob) => {
			const url = `blob:test/${++n}`;
			blobs.set(url, blob);
			urls.push(url);
			return url;
		},
		revokeObjectURL: (url) => revoked.push(url)
	});
	return { d, blobs, revoked };
}

async function saved(blobs: Map<string, Blob>, url: string): Promise<Uint8Array> {
	return new Uint8Array(await blobs.get(url)!.arrayBuffer());
}

describe('ShareUpload', () => {
	it('shares publicly: the CID is the plain UnixFS import of the file, the link has no key', async () => {
		const net = network();
		const bytes = patterned(600 * 1024); // three 256 KiB chunks: a dag-pb root
		const up = uploader(net);
		const result = await up.share(fileOf(bytes, 'photo.jpg'), 'public');
		expect(result).toBeDefined();
		expect(result!.cid).toBe((await importFile(bytes)).root.toString());
		expect(CID.parse(result!.cid).code).toBe(0x70);
		expect(result!.link).toBe(`${ORIGIN}/c/${result!.cid}#n=photo.jpg`);
		expect(result!.gateway).toBe(`${ORIGIN}/ipfs/${result!.cid}`);
		expect(parseShareLink(result!.link).key).toBeUndefined();
		expect(up.phase).toBe('done');
		expect(up.busy).toBe(false);
		expect(result).toMatchObject({ mode: 'public', name: 'photo.jpg', size: bytes.length, accepted: [ORIGIN] });
	});

	it('shares privately: only ciphertext is stored, and the link’s key opens it', async () => {
		const net = network();
		const bytes = patterned(300 * 1024, 3);
		const up = uploader(net);
		const seen = new Set<string>();
		const result = await up.share(fileOf(bytes), 'private');
		expect(up.phase, String(up.error)).toBe('done');
		const link = parseShareLink(result!.link);
		expect(link.key).toHaveLength(32);
		expect(result!.gateway).toBeUndefined();
		// What the relays hold is not the file: its plain import is absent from the store.
		const plainRoot = (await importFile(bytes)).root;
		expect(net.store.has(plainRoot)).toBe(false);
		expect(result!.cid).not.toBe(plainRoot.toString());
		// Two shares of the same file get two keys, hence two CIDs.
		const again = await uploader(net).share(fileOf(bytes), 'private');
		seen.add(result!.cid).add(again!.cid);
		expect(seen.size).toBe(2);
	});

	it('reports each phase with its byte counts, ending with the upload complete', async () => {
		const net = network();
		const steps: [string, number, number][] = [];
		// Sample the reactive fields at every progress report the store makes.
		const up: ShareUpload = new ShareUpload({
			upload: (b, o) =>
				net.upload(b, {
					...o,
					onProgress: (p) => {
						o.onProgress?.(p);
						steps.push([up.phase, up.bytes, up.total]);
					}
				}),
			origin: ORIGIN,
			yieldToUi: noYield
		});
		await up.share(fileOf(patterned(700 * 1024)), 'private');
		expect(up.phase).toBe('done');
		expect(steps.some(([phase]) => phase === 'encoding')).toBe(true);
		const last = steps.at(-1)!;
		expect(last[0]).toBe('uploading');
		expect(last[1]).toBe(last[2]);
		for (const [, b, t] of steps) expect(b).toBeLessThanOrEqual(t);
	});

	it('refuses a file over the limit before reading it', async () => {
		const up = uploader(network());
		let read = false;
		const huge: ShareFile = {
			name: 'huge.bin',
			size: MAX_SHARE_FILE_BYTES + 1,
			arrayBuffer: async () => {
				read = true;
				return new ArrayBuffer(0);
			}
		};
		expect(await up.share(huge, 'public')).toBeUndefined();
		expect(up.phase).toBe('failed');
		expect(up.error).toMatchObject({ code: 'ERR_TOO_LARGE' });
		expect(read).toBe(false);
	});

	it('ends failed with the relay error, and can be cancelled', async () => {
		const failing = new ShareUpload({
			upload: async () => {
				throw new AbortError('The upload');
			},
			origin: ORIGIN,
			yieldToUi: noYield
		});
		await failing.share(fileOf(patterned(10)), 'public');
		expect(failing.phase).toBe('failed');
		expect(failing.error).toBeInstanceOf(AbortError);

		let signal: AbortSignal | undefined;
		const slow = new ShareUpload({
			upload: (_b, o) =>
				new Promise((_resolve, reject) => {
					signal = o.signal;
					o.signal!.addEventListener('abort', () => reject(new AbortError('The upload')));
				}),
			origin: ORIGIN,
			yieldToUi: noYield
		});
		const running = slow.share(fileOf(patterned(10)), 'public');
		await expect(slow.share(fileOf(patterned(10)), 'public')).rejects.toThrow(RangeError);
		await new Promise((r) => setTimeout(r, 10));
		expect(slow.busy).toBe(true);
		slow.cancel();
		expect(await running).toBeUndefined();
		expect(signal?.aborted).toBe(true);
		expect(slow.phase).toBe('failed');
		slow.reset();
		expect(slow.phase).toBe('idle');
	});

	it('names the link after a relay that stored it when the app’s own relay did not', async () => {
		const up = new ShareUpload({
			upload: async (bytes) => ({
				cid: (await importFile(bytes)).root.toString(),
				accepted: ['https://other.example'],
				refused: [{ url: ORIGIN, error: new Error('full') as never }]
			}),
			origin: ORIGIN,
			yieldToUi: noYield
		});
		const result = await up.share(fileOf(patterned(5), 'a/b\u202e.txt'), 'public');
		expect(result!.link.startsWith('https://other.example/c/')).toBe(true);
		expect(result!.name).toBe('a_b.txt');
	});
});

describe('ShareDownload', () => {
	it('downloads a private share, verifies and decrypts it, and offers it under its name', async () => {
		const net = network();
		const bytes = patterned(5 * 1024 * 1024 + 17, 11);
		const result = await uploader(net).share(fileOf(bytes, 'report.pdf'), 'private');
		const { d, blobs, revoked } = downloader(net);
		const open = d.open(result!.link);
		expect(d.isPrivate).toBe(true);
		await open;
		expect(d.phase, String(d.failure?.error)).toBe('done');
		expect(d.file).toMatchObject({ name: 'report.pdf', size: bytes.length, looksEncrypted: false });
		expect(await saved(blobs, d.file!.url)).toEqual(bytes);
		// The link's relay is tried besides the listed ones; a private share may exceed the plain cap.
		expect(net.downloads[0]!.opts.extraRelays).toEqual([ORIGIN]);
		expect(net.downloads[0]!.opts.maxBytes).toBeGreaterThan(bytes.length);
		// The last progress is the decryption's: the whole file done.
		expect(d.bytes).toBe(d.total);
		expect(d.total).toBe(bytes.length);
		const url = d.file!.url;
		d.dispose();
		expect(revoked).toEqual([url]);
		expect(d.file).toBeUndefined();
	});

	it('downloads a public share as is, and warns when public bytes look encrypted', async () => {
		const net = network();
		const bytes = patterned(1000);
		const pub = await uploader(net).share(fileOf(bytes, 'data.bin'), 'public');
		const { d, blobs } = downloader(net);
		await d.open(pub!.link);
		expect(d.isPrivate).toBe(false);
		expect(await saved(blobs, d.file!.url)).toEqual(bytes);
		expect(d.file!.looksEncrypted).toBe(false);

		const priv = await uploader(net).share(fileOf(bytes), 'private');
		const withoutKey = priv!.link.replace(/#.*$/, '');
		await d.open(withoutKey);
		expect(d.phase).toBe('done');
		expect(d.file!.looksEncrypted).toBe(true);
		expect(d.file!.name).toMatch(/^shared-/);
	});

	it('a wrong key fails as wrongKey, a damaged key as badLink, and no file is offered', async () => {
		const net = network();
		const result = await uploader(net).share(fileOf(patterned(2000)), 'private');
		const { d, blobs } = downloader(net);
		const other = 'A'.repeat(43);
		await d.open(result!.link.replace(/k=[^&]+/, `k=${other}`));
		expect(d.phase).toBe('failed');
		expect(d.failure?.kind).toBe('wrongKey');
		expect(d.file).toBeUndefined();
		expect(blobs.size).toBe(0);

		await d.open(result!.link.replace(/k=[^&]+/, 'k=c2VjcmV0'));
		expect(d.failure?.kind).toBe('badLink');
		expect(net.downloads).toHaveLength(1); // nothing fetched for a link that does not read
	});

	it('a key on public content fails as notEncrypted', async () => {
		const net = network();
		const pub = await uploader(net).share(fileOf(patterned(2000)), 'public');
		const { d } = downloader(net);
		await d.open(`${pub!.link.replace(/#.*$/, '')}#k=${'A'.repeat(43)}`);
		expect(d.failure?.kind).toBe('notEncrypted');
	});

	it('an unknown CID fails as notFound; tampered blocks fail as tampered', async () => {
		const net = network();
		const { d } = downloader(net);
		await d.open(`${ORIGIN}/c/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy`);
		expect(d.failure?.kind).toBe('notFound');

		const bytes = patterned(600 * 1024);
		const pub = await uploader(net).share(fileOf(bytes), 'public');
		const { blocks } = await importFile(bytes);
		const leaf = blocks[1]!;
		const altered = leaf.bytes.slice();
		altered[0]! ^= 1;
		net.store.tamper(leaf.cid, altered);
		await d.open(pub!.link);
		expect(d.phase).toBe('failed');
		expect(d.failure?.kind).toBe('tampered');
		expect(d.file).toBeUndefined();
	});

	it('cancel ends an open as aborted; a newer open supersedes an older one', async () => {
		const net = network();
		const pub = await uploader(net).share(fileOf(patterned(100)), 'public');
		let release: () => void = () => {};
		const gate = new Promise<void>((r) => (release = r));
		const d = new ShareDownload({
			download: async (cid, o) => {
				await gate;
				o.signal?.throwIfAborted();
				return net.store.get(cid);
			},
			yieldToUi: noYield,
			createObjectURL: () => 'blob:x',
			revokeObjectURL: () => {}
		});
		const first = d.open(pub!.link);
		await new Promise((r) => setTimeout(r, 5));
		d.cancel();
		release();
		await first;
		expect(d.failure?.kind).toBe('aborted');

		const older = d.open(pub!.link);
		const newer = d.open(pub!.link);
		await Promise.all([older, newer]);
		expect(d.phase).toBe('done');
	});
});

describe('share crypto in a worker', () => {
	/** The runner the app uses in a browser, over a worker running the worker's code in this thread. */
	function workerRunner(hold = false) {
		const workers: InProcessWorker[] = [];
		const runner = workerShareCrypto({
			createWorker: () => {
				const w = new InProcessWorker('ready', hold);
				workers.push(w);
				return w;
			}
		});
		return { runner: async () => runner, workers };
	}

	it('a private share made and opened through the worker round-trips, with encryption progress', async () => {
		const net = network();
		const { runner, workers } = workerRunner();
		const steps: [string, number, number][] = [];
		const up: ShareUpload = new ShareUpload({
			upload: (b, o) => net.upload(b, o),
			origin: ORIGIN,
			yieldToUi: noYield,
			runner: async () => {
				const r = await runner();
				return {
					encrypt: (p, k, run) =>
						r.encrypt(p, k, {
							...run,
							onProgress: (d, t) => {
								run?.onProgress?.(d, t);
								steps.push([up.phase, up.bytes, up.total]);
							}
						}),
					decrypt: r.decrypt
				};
			}
		});
		const bytes = patterned(600 * 1024, 5);
		const result = await up.share(fileOf(bytes, 'a.bin'), 'private');
		expect(up.phase, String(up.error)).toBe('done');
		expect(result!.size).toBe(bytes.length);
		expect(steps.length).toBeGreaterThan(0);
		for (const [phase, b, t] of steps) expect([phase, b <= t, t]).toEqual(['encrypting', true, bytes.length]);
		// Only ciphertext reached the store.
		const stored = await net.store.get(result!.cid);
		expect(stored.length).toBeGreaterThan(bytes.length);

		const d = new ShareDownload({
			download: (cid, o) => net.download(cid, o),
			yieldToUi: noYield,
			runner,
			createObjectURL: () => 'blob:w',
			revokeObjectURL: () => {}
		});
		await d.open(result!.link);
		expect(d.phase, String(d.failure?.error)).toBe('done');
		expect(d.file!.size).toBe(bytes.length);
		expect(workers.map((w) => [w.requests, w.terminated])).toEqual([
			[1, true],
			[1, true]
		]);
	});

	it('a wrong key fails in the worker and still reads as wrongKey on the page', async () => {
		const net = network();
		const result = await uploader(net).share(fileOf(patterned(5000)), 'private');
		const other = parseShareLink(result!.link).key!.map((b) => b ^ 1);
		const link = result!.link.replace(/#k=[^&]+/, `#k=${Buffer.from(other).toString('base64url')}`);
		const d = new ShareDownload({
			download: (cid, o) => net.download(cid, o),
			yieldToUi: noYield,
			runner: workerRunner().runner,
			createObjectURL: () => 'blob:w',
			revokeObjectURL: () => {}
		});
		await d.open(link);
		expect(d.failure?.kind).toBe('wrongKey');
		expect(d.failure?.error).toMatchObject({ code: 'ERR_DECRYPT' });
	});

	it('cancel during encryption terminates the worker and ends the share as aborted', async () => {
		const net = network();
		const { runner, workers } = workerRunner(true);
		let uploads = 0;
		const up = new ShareUpload({
			upload: (b, o) => (uploads++, net.upload(b, o)),
			origin: ORIGIN,
			yieldToUi: noYield,
			runner
		});
		const running = up.share(fileOf(patterned(1000)), 'private');
		await expect.poll(() => workers[0]?.requests).toBe(1);
		expect(up.phase).toBe('encrypting');
		up.cancel();
		expect(await running).toBeUndefined();
		expect(up.phase).toBe('failed');
		expect(up.error).toMatchObject({ code: 'ERR_ABORTED' });
		expect(workers[0]!.terminated).toBe(true);
		expect(uploads).toBe(0);
	});
});

describe('classifyDownloadError', () => {
	it('maps each code by stage', () => {
		const e = (code: string) => Object.assign(Object.create(AbortError.prototype) as AbortError, { code });
		expect(classifyDownloadError('download', e('ERR_NO_RELAY'))).toBe('noRelay');
		expect(classifyDownloadError('download', e('ERR_TOO_LARGE'))).toBe('tooLarge');
		expect(classifyDownloadError('download', e('ERR_MALFORMED'))).toBe('damaged');
		expect(classifyDownloadError('download', e('ERR_CID'))).toBe('badLink');
		expect(classifyDownloadError('decrypt', e('ERR_UNSUPPORTED_VERSION'))).toBe('notEncrypted');
		expect(classifyDownloadError('download', new TypeError('x'))).toBe('other');
		expect(classifyDownloadError('download', new DOMException('x', 'AbortError'))).toBe('aborted');
	});
});

describe('sharing through the browser Helia node (a real relay IPFS service on loopback)', () => {
	it('a private share uploaded and opened through heliaTransfers opens again with the relay gone', async () => {
		const relay = await startTestRelay();
		try {
			const sender = heliaTransfers({
				relays: () => [relay.url],
				upload: relayUploader(relayBlobStore([relay.url])),
				blockstore: async () => new MemoryBlockstore()
			});
			const up = new ShareUpload({ upload: sender.upload, origin: relay.url, yieldToUi: noYield });
			const plain = patterned(700 * 1024, 11);
			const result = await up.share(fileOf(plain, 'plan.odt'), 'private');
			expect(up.phase, String(up.error)).toBe('done');
			expect(result!.accepted).toEqual([relay.url]);

			// Bob lists no relay: the link's relay is asked, and the blocks stay in his store.
			const bobBlocks = new MemoryBlockstore();
			const reader = heliaTransfers({ relays: () => [], blockstore: async () => bobBlocks });
			const blobs = new Map<string, Blob>();
			const open = async () => {
				const d = new ShareDownload({
					download: reader.download,
					yieldToUi: noYield,
					createObjectURL: (blob) => {
						const url = `blob:test/${blobs.size + 1}`;
						blobs.set(url, blob);
						return url;
					},
					revokeObjectURL: () => {}
				});
				await d.open(result!.link);
				expect(d.phase, String(d.failure?.error)).toBe('done');
				expect(d.file!.name).toBe('plan.odt');
				return saved(blobs, d.file!.url);
			};
			expect(equalBytes(await open(), plain)).toBe(true);
			await relay.close();
			expect(equalBytes(await open(), plain)).toBe(true);
		} finally {
			await relay.close().catch(() => {});
		}
	});
});

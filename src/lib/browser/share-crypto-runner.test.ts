/**
 * The page side of the share worker, with an in-process worker that runs the worker's own code
 * (serveShareCryptoMessage, share-crypto-testing.ts) and moves messages with `structuredClone(…, { transfer })`, as
 * postMessage does: buffers really are transferred (detached on the sending side). The real worker
 * runs in Chromium in tests/e2e/share.e2e.ts.
 */
import { describe, expect, it } from 'vitest';
import { MiaouError, TooLargeError } from '../core/errors.ts';
import { createShareKey, decryptShare, encryptShare, MAX_SHARE_BYTES } from '../core/share-crypto.ts';
import { defaultShareCrypto, inlineShareCrypto, workerShareCrypto } from './share-crypto-runner.ts';
import { InProcessWorker, type Start } from './share-crypto-testing.ts';

function runnerWith(start: Start, hold = false, readyTimeoutMs = 1000) {
	const workers: InProcessWorker[] = [];
	const runner = workerShareCrypto({
		createWorker: () => {
			const w = new InProcessWorker(start, hold);
			workers.push(w);
			return w;
		},
		readyTimeoutMs
	});
	return { runner, workers };
}

const file = (n: number) => new Uint8Array(n).map((_, i) => (i * 31) & 0xff);

describe('workerShareCrypto', () => {
	it('encrypts in the worker: the file is moved there (not copied), the result comes back, the worker ends', async () => {
		const { runner, workers } = runnerWith('ready');
		const plain = file(200 * 1024);
		const expected = plain.slice();
		const key = createShareKey();
		const progress: [number, number][] = [];
		const out = await runner.encrypt(plain, key, { onProgress: (d, t) => progress.push([d, t]) });
		expect(out.where).toBe('worker');
		expect(plain.buffer.byteLength).toBe(0); // transferred: detached here
		expect(decryptShare(out.bytes, key)).toEqual(expected);
		expect(key.some((b) => b !== 0)).toBe(true); // the page's key is untouched (the link needs it)
		expect(progress.length).toBeGreaterThan(0);
		expect(workers).toHaveLength(1);
		expect(workers[0]!.terminated).toBe(true);
	});

	it('decrypts in the worker; a view into a larger buffer is copied, not the whole buffer moved', async () => {
		const { runner } = runnerWith('ready');
		const key = createShareKey();
		const plain = file(5000);
		const sealed = encryptShare(plain, key);
		const larger = new Uint8Array(sealed.length + 10);
		larger.set(sealed, 10);
		const view = larger.subarray(10);
		const out = await runner.decrypt(view, key);
		expect(out).toMatchObject({ where: 'worker' });
		expect(out.bytes).toEqual(plain);
		expect(larger.buffer.byteLength).toBe(sealed.length + 10);
	});

	it('a failure in the worker comes back with its code (same sentence on the page)', async () => {
		const { runner } = runnerWith('ready');
		const sealed = encryptShare(file(100), createShareKey());
		const error = await runner.decrypt(sealed, createShareKey()).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(MiaouError);
		expect((error as MiaouError).code).toBe('ERR_DECRYPT');
		const notShare = await runner.decrypt(file(100), createShareKey()).catch((e: unknown) => e);
		expect((notShare as MiaouError).code).toBe('ERR_MALFORMED');
	});

	it('cancelling terminates the worker and rejects with ERR_ABORTED', async () => {
		const { runner, workers } = runnerWith('ready', true);
		const abort = new AbortController();
		const run = runner.encrypt(file(1000), createShareKey(), { signal: abort.signal });
		await new Promise((r) => setTimeout(r, 5));
		expect(workers[0]!.requests).toBe(1);
		abort.abort();
		const error = await run.catch((e: unknown) => e);
		expect((error as MiaouError).code).toBe('ERR_ABORTED');
		expect(workers[0]!.terminated).toBe(true);
		// Already aborted: no worker is started at all.
		await expect(runner.encrypt(file(10), createShareKey(), { signal: abort.signal })).rejects.toMatchObject({
			code: 'ERR_ABORTED'
		});
		expect(workers).toHaveLength(1);
	});

	it('falls back to this thread, with the bytes intact, when the worker cannot load or start', async () => {
		const key = createShareKey();
		for (const start of ['error', 'silent'] as const) {
			const { runner, workers } = runnerWith(start, false, 20);
			const plain = file(3000);
			const out = await runner.encrypt(plain, key);
			expect(out.where, start).toBe('main');
			expect(decryptShare(out.bytes, key)).toEqual(file(3000));
			expect(workers[0]!.requests).toBe(0);
			expect(workers[0]!.terminated).toBe(true);
		}
		const throwing = workerShareCrypto({
			createWorker: () => {
				throw new Error('module workers are not allowed here');
			}
		});
		expect((await throwing.encrypt(file(10), key)).where).toBe('main');
	});

	it('refuses input over the bound before starting a worker', async () => {
		const { runner, workers } = runnerWith('ready');
		const huge = { byteLength: MAX_SHARE_BYTES + 1 } as Uint8Array;
		await expect(runner.encrypt(huge, createShareKey())).rejects.toBeInstanceOf(TooLargeError);
		expect(workers).toHaveLength(0);
	});

	it('a worker sending garbage is an error, not a result', async () => {
		const runner = workerShareCrypto({
			createWorker: () => {
				const w = new InProcessWorker('silent');
				setTimeout(() => w.onmessage?.({ data: { kind: 'done', data: 'not bytes' } } as MessageEvent), 0);
				return w;
			}
		});
		await expect(runner.encrypt(file(10), createShareKey())).rejects.toThrow(TypeError);
	});
});

describe('inlineShareCrypto and the default', () => {
	it('runs on this thread (Node has no Worker, so that is the default here)', async () => {
		expect(typeof Worker).toBe('undefined');
		for (const runner of [inlineShareCrypto(), defaultShareCrypto()]) {
			const key = createShareKey();
			const sealed = await runner.encrypt(file(70_000), key);
			expect(sealed.where).toBe('main');
			expect((await runner.decrypt(sealed.bytes, key)).bytes).toEqual(file(70_000));
		}
		const abort = new AbortController();
		abort.abort();
		await expect(
			inlineShareCrypto().encrypt(file(1), createShareKey(), { signal: abort.signal })
		).rejects.toMatchObject({ code: 'ERR_ABORTED' });
	});
});

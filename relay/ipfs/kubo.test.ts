import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import type { Block } from './car.ts';
import { kuboMirror, normalizeKuboUrl } from './kubo.ts';
import { kuboStandIn, rawBlock } from './testing.ts';

async function* blocksOf(blocks: Block[]): AsyncGenerator<Block> {
	yield* blocks;
}

describe('kuboMirror', () => {
	it('imports the DAG as a CAR with pin-roots and removes pins', async () => {
		const kubo = await kuboStandIn();
		try {
			const a = await rawBlock(randomBytes(1000));
			const mirror = kuboMirror(kubo.url, silentLogger, new AbortController().signal);
			expect(await mirror.pin(a.cid, () => blocksOf([a]))).toBe(true);
			expect(kubo.imported).toEqual([[a.cid.toString(), a.cid.toString()]]);
			expect(await mirror.unpin(a.cid)).toBe(true);
			expect(kubo.unpinned).toEqual([a.cid.toString()]);
		} finally {
			kubo.close();
		}
	});

	it('reports failure without throwing when Kubo refuses or is unreachable', async () => {
		const kubo = await kuboStandIn(true);
		try {
			const a = await rawBlock(randomBytes(10));
			const results: boolean[] = [];
			const mirror = kuboMirror(kubo.url, silentLogger, new AbortController().signal, (_op, ok) => results.push(ok));
			expect(await mirror.pin(a.cid, () => blocksOf([a]))).toBe(false);
			expect(await kuboMirror('http://127.0.0.1:1', silentLogger, new AbortController().signal).unpin(a.cid)).toBe(
				false
			);
			expect(results).toEqual([false]);
		} finally {
			kubo.close();
		}
	});

	it('normalizes and checks the URL', () => {
		expect(normalizeKuboUrl('http://127.0.0.1:5001/')).toBe('http://127.0.0.1:5001');
		expect(() => normalizeKuboUrl('ftp://x')).toThrow(RangeError);
	});
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, utf8 } from './bytes.ts';
import { AbortError } from './errors.ts';
import { leadingZeroBits, MAX_POW_BITS, powBits, solvePow, verifyPow } from './pow.ts';

const challenge = sha256(utf8('miaou/v1/pow-test'));

/** The spec's hash, written out independently of pow.ts: SHA-256(challenge ‖ u64be(nonce)). */
function specHash(c: Uint8Array, nonce: number): Uint8Array {
	const n = new Uint8Array(8);
	new DataView(n.buffer).setBigUint64(0, BigInt(nonce));
	return sha256(concat(c, n));
}

describe('leadingZeroBits', () => {
	it('counts known answers', () => {
		const cases: [number[], number][] = [
			[[], 0],
			[[0xff], 0],
			[[0x80], 0],
			[[0x40], 1],
			[[0x01], 7],
			[[0x00], 8],
			[[0, 0], 16],
			[[0, 0x1f], 11],
			[[0, 0, 0, 1], 31],
			[[0, 0, 0, 0, 0x80], 32]
		];
		for (const [bytes, bits] of cases) expect(leadingZeroBits(new Uint8Array(bytes)), String(bytes)).toBe(bits);
		expect(leadingZeroBits(new Uint8Array(32))).toBe(256);
		expect(() => leadingZeroBits([0] as unknown as Uint8Array)).toThrow(TypeError);
	});
});

describe('proof of work', () => {
	it('solves the smallest nonce and verifies it, at several difficulties', async () => {
		for (const bits of [0, 1, 4, 8, 12]) {
			const nonce = await solvePow(challenge, bits);
			expect(verifyPow(challenge, nonce, bits)).toBe(true);
			expect(leadingZeroBits(specHash(challenge, nonce))).toBeGreaterThanOrEqual(bits);
			for (let n = 0; n < nonce; n++) expect(verifyPow(challenge, n, bits)).toBe(false);
		}
		expect(await solvePow(challenge, 0)).toBe(0);
	});

	it('hashes the nonce as 8 bytes big-endian, beyond 32 bits too', () => {
		fc.assert(
			fc.property(fc.uint8Array({ maxLength: 40 }), fc.maxSafeNat(), (c, nonce) => {
				expect(powBits(c, nonce)).toBe(leadingZeroBits(specHash(c, nonce)));
			})
		);
		expect(powBits(challenge, 2 ** 32 + 5)).toBe(leadingZeroBits(specHash(challenge, 2 ** 32 + 5)));
	});

	it('is bound to its challenge', async () => {
		const nonce = await solvePow(challenge, 12);
		const other = sha256(utf8('another challenge'));
		// Fixed inputs, so deterministic: the nonce found for one challenge fails another.
		expect(verifyPow(other, nonce, 12)).toBe(false);
		expect(verifyPow(other, await solvePow(other, 12), 12)).toBe(true);
	});

	it('answers false for nonces that are not safe integers ≥ 0, and refuses bad difficulties', () => {
		for (const nonce of [-1, 1.5, Number.NaN, Infinity, 2 ** 53, '1' as unknown as number])
			expect(verifyPow(challenge, nonce, 0)).toBe(false);
		for (const bits of [-1, 1.5, MAX_POW_BITS + 1, Number.NaN])
			expect(() => verifyPow(challenge, 0, bits)).toThrow(RangeError);
		expect(() => powBits(challenge, -1)).toThrow(RangeError);
		return expect(solvePow(challenge, 33)).rejects.toThrow(RangeError);
	});

	it('aborts at once on an aborted signal', async () => {
		const controller = new AbortController();
		controller.abort();
		await expect(solvePow(challenge, 8, { signal: controller.signal })).rejects.toThrow(AbortError);
	});

	it('lets timers run while it searches', async () => {
		let ticks = 0;
		let running = true;
		const tick = (): void => {
			ticks++;
			if (running) setTimeout(tick, 0);
		};
		setTimeout(tick, 0);
		await solvePow(challenge, 14, { yieldEvery: 256 });
		running = false;
		expect(ticks).toBeGreaterThan(0);
		await expect(solvePow(challenge, 4, { yieldEvery: 0 })).rejects.toThrow(RangeError);
	});

	it('yields to the event loop while searching, so a timer can abort it', async () => {
		const controller = new AbortController();
		let timerRan = false;
		setTimeout(() => {
			timerRan = true;
			controller.abort();
		}, 20);
		const start = performance.now();
		// 32 bits would take minutes; only the timer (which needs the loop to yield) can stop it.
		await expect(solvePow(challenge, 32, { signal: controller.signal, yieldEvery: 512 })).rejects.toThrow(AbortError);
		expect(timerRan).toBe(true);
		expect(performance.now() - start).toBeLessThan(2000);
	});
});

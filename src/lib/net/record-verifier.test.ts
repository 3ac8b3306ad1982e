import { describe, expect, it } from 'vitest';
import { MAX_CLOCK_SKEW_MS } from '../core/records.ts';
import { recordVerifier, winsOver } from './record-verifier.ts';
import { createIdentity, ed25519, forgeLevel, trustRecord } from './testing/records.ts';

describe('recordVerifier', () => {
	it('verifies once per version and counts a forgery once', async () => {
		let calls = 0;
		const counting = {
			...ed25519,
			verify: (...args: Parameters<typeof ed25519.verify>) => (calls++, ed25519.verify(...args))
		};
		const verifier = recordVerifier({ ed25519: counting });
		const record = await trustRecord(createIdentity(), createIdentity(), Date.now() - 1000);
		const forged = forgeLevel(record, 1);
		for (let i = 0; i < 3; i++) {
			expect(await verifier.verify(record)).toBeDefined();
			expect(await verifier.verify(forged)).toBeUndefined();
		}
		expect(calls).toBe(2);
		expect(verifier.stats()).toEqual({ dropped: 1, verified: 1, droppedByCode: { ERR_BAD_SIGNATURE: 1 } });
	});

	it('does not keep a "from the future" verdict: the same record verifies once the clock catches up', async () => {
		let now = Date.now();
		const verifier = recordVerifier({ ed25519, now: () => now });
		const record = await trustRecord(createIdentity(), createIdentity(), now + MAX_CLOCK_SKEW_MS + 60_000);
		expect(await verifier.verify(record)).toBeUndefined();
		expect(verifier.stats().droppedByCode).toEqual({ ERR_FUTURE_RECORD: 1 });
		now += 2 * 60_000;
		expect(await verifier.verify(record)).toBeDefined();
	});

	it('stays bounded: old verdicts are forgotten', async () => {
		let calls = 0;
		const counting = {
			...ed25519,
			verify: (...args: Parameters<typeof ed25519.verify>) => (calls++, ed25519.verify(...args))
		};
		const verifier = recordVerifier({ ed25519: counting, cacheSize: 2 });
		const author = createIdentity();
		const records = await Promise.all([1, 2, 3].map((i) => trustRecord(author, createIdentity(), Date.now() - i)));
		for (const r of records) await verifier.verify(r);
		await verifier.verify(records[0]!);
		expect(calls).toBe(4);
	});

	it('orders versions as Gun does', () => {
		expect(winsOver(2, 'a', 1, 'z')).toBe(true);
		expect(winsOver(1, 'z', 2, 'a')).toBe(false);
		expect(winsOver(1, 'b', 1, 'a')).toBe(true);
		expect(winsOver(1, 'a', 1, 'a')).toBe(false);
	});
});

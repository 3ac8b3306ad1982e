import { describe, expect, it } from 'vitest';
import { UsageError } from '../lib/core/errors.ts';
import { DEFAULT_KDF } from '../lib/core/keystore.ts';
import { KDF_LOG_N_ENV, kdfFromEnv, MAX_KDF_LOG_N, MIN_KDF_LOG_N } from './kdf.ts';

describe('kdfFromEnv', () => {
	it('uses the keystore default without the variable (or with it empty)', () => {
		expect(kdfFromEnv({})).toEqual(DEFAULT_KDF);
		expect(kdfFromEnv({ [KDF_LOG_N_ENV]: '' })).toEqual(DEFAULT_KDF);
	});

	it('sets only N from the variable, keeping r and p', () => {
		expect(kdfFromEnv({ [KDF_LOG_N_ENV]: '10' })).toEqual({ ...DEFAULT_KDF, N: 1024 });
		expect(kdfFromEnv({ [KDF_LOG_N_ENV]: ' 14 ' }).N).toBe(16384);
		expect(MIN_KDF_LOG_N).toBe(10);
		expect(MAX_KDF_LOG_N).toBe(20);
	});

	it('refuses values that are not an integer in bounds', () => {
		for (const bad of ['9', '21', '1e1', '-12', 'ten', '12.5', '0x10']) {
			expect(() => kdfFromEnv({ [KDF_LOG_N_ENV]: bad }), bad).toThrow(UsageError);
		}
		expect(() => kdfFromEnv({ [KDF_LOG_N_ENV]: '9' })).toThrow('MIAOU_KDF_LOG_N must be an integer from 10 to 20.');
	});

	it("refuses an exponent the keystore's memory bound refuses for the given r", () => {
		// 128 · 2^20 · 8 bytes = 1 GiB, over the keystore's 256 MiB bound.
		expect(() => kdfFromEnv({ [KDF_LOG_N_ENV]: '20' })).toThrow(/MIAOU_KDF_LOG_N=20 is refused: .*memory/);
		expect(kdfFromEnv({ [KDF_LOG_N_ENV]: '20' }, { N: 1024, r: 1, p: 1 }).N).toBe(2 ** 20);
	});
});

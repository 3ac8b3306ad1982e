/**
 * The scrypt cost the CLI uses when it encrypts a new identity.
 *
 * The default (the core's DEFAULT_KDF) is meant to cost about a second; integration tests set
 * `MIAOU_KDF_LOG_N` to a small value so that dozens of `id new` runs stay fast. Only the cost
 * exponent can be changed, within bounds, and only for new backups: importing and unlocking always
 * use the parameters stored in the backup itself.
 */
import { UsageError } from '../lib/core/errors.ts';
import { DEFAULT_KDF, kdfParamsProblem, MAX_KDF_N, MIN_KDF_N, type KdfParams } from '../lib/core/keystore.ts';

/** The environment variable holding log2 of scrypt's N for new backups (tests only). */
export const KDF_LOG_N_ENV = 'MIAOU_KDF_LOG_N';
/** Smallest accepted exponent: the keystore's floor (2^10: cheap, for tests; 1 MiB of memory with r = 8). */
export const MIN_KDF_LOG_N = Math.log2(MIN_KDF_N);
/** Largest exponent the variable may name; the keystore's memory bound may refuse it for the given r. */
export const MAX_KDF_LOG_N = Math.log2(MAX_KDF_N);

/**
 * The scrypt parameters for a new backup.
 * @param env - the environment; MIAOU_KDF_LOG_N is read when set and non-empty
 * @param defaults - the parameters used without the variable
 * @returns `defaults`, or `defaults` with N = 2^MIAOU_KDF_LOG_N
 * @throws {UsageError} when the variable is not an integer from MIN_KDF_LOG_N to MAX_KDF_LOG_N, or
 *   names parameters the keystore refuses
 */
export function kdfFromEnv(
	env: Readonly<Record<string, string | undefined>>,
	defaults: KdfParams = DEFAULT_KDF
): KdfParams {
	const raw = env[KDF_LOG_N_ENV];
	if (raw === undefined || raw === '') return { ...defaults };
	const logN = /^\d{1,2}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
	if (!(logN >= MIN_KDF_LOG_N && logN <= MAX_KDF_LOG_N))
		throw new UsageError(`${KDF_LOG_N_ENV} must be an integer from ${MIN_KDF_LOG_N} to ${MAX_KDF_LOG_N}.`);
	const kdf = { ...defaults, N: 2 ** logN };
	// The keystore refuses parameters a phone could not import later (its memory and work bounds).
	const problem = kdfParamsProblem(kdf);
	if (problem) throw new UsageError(`${KDF_LOG_N_ENV}=${logN} is refused: ${problem}.`);
	return kdf;
}

/**
 * Byte counts for people: binary units (1 KiB = 1024 bytes, IEC 80000-13), the number formatted
 * for the current language (`5.2 MiB`, `5,2 Mio`), the unit names from the dictionary.
 */

/** Unit names, from the dictionary (`share.units`). */
export interface ByteUnits {
	B: string;
	KiB: string;
	MiB: string;
	GiB: string;
}

const STEPS = ['KiB', 'MiB', 'GiB'] as const;

/**
 * Format a byte count.
 * @param bytes - a non-negative count
 * @param locale - a BCP 47 language tag (`en`, `fr`)
 * @param units - the unit names
 * @returns e.g. `812 B`, `4.9 KiB`, `63 MiB`
 * @throws {RangeError} on a negative or non-finite count
 */
export function formatBytes(bytes: number, locale: string, units: ByteUnits): string {
	if (!Number.isFinite(bytes) || bytes < 0) throw new RangeError('bytes must be a non-negative finite number');
	if (bytes < 1024) return `${new Intl.NumberFormat(locale).format(bytes)} ${units.B}`;
	let value = bytes;
	let unit: (typeof STEPS)[number] = 'KiB';
	for (const step of STEPS) {
		value /= 1024;
		unit = step;
		if (value < 1024) break;
	}
	// One decimal while it still says something (4.9 MiB), none from 100 up (512 MiB).
	const digits = value < 100 ? 1 : 0;
	const text = new Intl.NumberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(value);
	return `${text} ${units[unit]}`;
}

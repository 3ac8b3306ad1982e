/**
 * Padding to size buckets, so that the length of an envelope tells a relay only which bucket a
 * message falls in, not its exact size.
 *
 * Scheme: ISO/IEC 7816-4 padding (one 0x80 byte, then zeros) up to the smallest bucket that holds
 * the data plus that 0x80 byte. It is unambiguous because the data always ends before the last
 * 0x80 byte; unpadding scans back over zeros to it. Padding is removed only after the AEAD has
 * authenticated the bytes, so its check cannot become a padding oracle.
 *
 * Buckets: 256 B, 1 KiB, 4 KiB, 16 KiB, 64 KiB, then every multiple of 64 KiB up to
 * {@link MAX_PADDED_BYTES}.
 */
import { abytes } from './bytes.ts';
import { MalformedError, TooLargeError } from './errors.ts';

/** The small buckets, each four times the last. */
export const PADDING_BUCKETS: readonly number[] = [256, 1024, 4096, 16_384, 65_536];

/** Above the largest small bucket, sizes round up to a multiple of this. */
export const PADDING_STEP = 65_536;

/** The largest padded size: 1 MiB. Bigger payloads travel as files (by CID), not as messages. */
export const MAX_PADDED_BYTES = 16 * PADDING_STEP;

/** The largest input {@link pad} accepts: one byte of every padded size is the 0x80 marker. */
export const MAX_UNPADDED_BYTES = MAX_PADDED_BYTES - 1;

/**
 * The padded size for `length` bytes of data: the smallest bucket with room for the data and the
 * 0x80 marker.
 * @param length - the unpadded length, 0 ≤ length ≤ {@link MAX_UNPADDED_BYTES}
 * @returns the bucket size
 * @throws {RangeError} if `length` is negative or not an integer
 * @throws {TooLargeError} if `length` exceeds {@link MAX_UNPADDED_BYTES}
 * @example paddedLength(0) === 256; paddedLength(256) === 1024
 */
export function paddedLength(length: number): number {
	if (!Number.isSafeInteger(length) || length < 0) throw new RangeError('length must be a non-negative integer');
	if (length > MAX_UNPADDED_BYTES) throw new TooLargeError('Padded content', length, MAX_UNPADDED_BYTES);
	const needed = length + 1;
	for (const bucket of PADDING_BUCKETS) if (needed <= bucket) return bucket;
	return Math.ceil(needed / PADDING_STEP) * PADDING_STEP;
}

/**
 * True when `length` is one of the padded sizes.
 * @param length - a byte count
 * @returns whether {@link pad} can produce output of that length
 */
export function isBucketLength(length: number): boolean {
	if (!Number.isSafeInteger(length) || length <= 0 || length > MAX_PADDED_BYTES) return false;
	return PADDING_BUCKETS.includes(length) || length % PADDING_STEP === 0;
}

/**
 * Pad `data` to its bucket: data ‖ 0x80 ‖ 0x00… (ISO/IEC 7816-4).
 * @param data - the bytes to pad
 * @returns a new array of length {@link paddedLength}(data.length)
 * @throws {TypeError} if `data` is not a Uint8Array
 * @throws {TooLargeError} if `data` is longer than {@link MAX_UNPADDED_BYTES}
 */
export function pad(data: Uint8Array): Uint8Array {
	abytes(data, undefined, 'data');
	const out = new Uint8Array(paddedLength(data.length));
	out.set(data);
	out[data.length] = 0x80;
	return out;
}

/**
 * Remove the padding that {@link pad} added.
 * @param padded - padded bytes; their length must be a bucket size
 * @returns a view of the data inside `padded` (no copy)
 * @throws {TypeError} if `padded` is not a Uint8Array
 * @throws {MalformedError} if the length is not a bucket size or the 0x80 marker is missing
 */
export function unpad(padded: Uint8Array): Uint8Array {
	abytes(padded, undefined, 'padded');
	if (!isBucketLength(padded.length)) throw new MalformedError('Padded content', 'its length is not a bucket size');
	let i = padded.length - 1;
	while (i >= 0 && padded[i] === 0) i--;
	if (i < 0 || padded[i] !== 0x80) throw new MalformedError('Padded content', 'the 0x80 padding marker is missing');
	return padded.subarray(0, i);
}

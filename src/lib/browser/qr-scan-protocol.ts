/**
 * Messages between the page (qr-scan.ts) and the QR worker (qr-scan.worker.ts). A file of its own
 * so the worker bundle does not pull in the code that opens the camera.
 */
import { MAX_SCAN_IMAGE_SIDE } from '../services/scan-size.ts';

/** How hard the decoder tries with light-on-dark codes (jsQR's `inversionAttempts`). */
export type Inversion = 'dontInvert' | 'attemptBoth';

/** One picture to decode: RGBA pixels, row by row, transferred (not copied) to the worker. */
export interface QrScanRequest {
	/** Matches the reply to its request. */
	id: number;
	width: number;
	height: number;
	/** `width × height × 4` bytes, as `ImageData.data.buffer`. */
	pixels: ArrayBuffer;
	inversion: Inversion;
}

/** The worker's answer: the decoded text, null when no QR code was found, or why it failed. */
export type QrScanReply = { id: number; text: string | null } | { id: number; failed: string };

/**
 * Check a request before the worker decodes it: whole sizes within {@link MAX_SCAN_IMAGE_SIDE} and
 * exactly `width × height × 4` bytes, so the decoder never reads past the pixels or works on a
 * picture larger than the page is meant to send.
 * @param value - the message the worker received
 * @returns the same message, typed
 * @throws {TypeError} when it is not a request
 * @throws {RangeError} when a size is out of bounds or does not match the pixels
 */
export function checkScanRequest(value: unknown): QrScanRequest {
	if (typeof value !== 'object' || value === null) throw new TypeError('a scan request must be an object');
	const { id, width, height, pixels, inversion } = value as Partial<QrScanRequest>;
	if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw new TypeError('id must be a whole number');
	if (inversion !== 'dontInvert' && inversion !== 'attemptBoth')
		throw new TypeError('inversion must be dontInvert or attemptBoth');
	if (!(pixels instanceof ArrayBuffer)) throw new TypeError('pixels must be an ArrayBuffer');
	for (const [label, side] of [
		['width', width],
		['height', height]
	] as const) {
		if (typeof side !== 'number') throw new TypeError(`${label} must be a number`);
		if (!Number.isInteger(side) || side < 1 || side > MAX_SCAN_IMAGE_SIDE)
			throw new RangeError(`${label} must be a whole number from 1 to ${MAX_SCAN_IMAGE_SIDE}`);
	}
	const size = { width: width as number, height: height as number };
	if (pixels.byteLength !== size.width * size.height * 4)
		throw new RangeError('pixels must hold width × height × 4 bytes');
	return { id, ...size, pixels, inversion };
}

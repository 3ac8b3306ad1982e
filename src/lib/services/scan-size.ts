/**
 * Bounds on the pictures the QR scanner decodes (docs/web-app.md §Scanning a QR code): how
 * large a file may be, how large a picture is handed to the decoder, how often a camera frame is
 * looked at. Pure and import-free, so the QR worker can use it without the invite parser.
 */

/** Largest image file the "scan from an image" button reads (bytes), checked before decoding. */
export const MAX_SCAN_IMAGE_BYTES = 20 * 1024 * 1024;

/**
 * Longest side, in pixels, of the picture handed to the QR decoder. Camera frames and photos are
 * scaled down to it, which bounds the work per frame; an invite link (about 100 characters: QR
 * version ≤ 7, 45 modules a side) still gets 5 pixels a module when it spans only a third of the
 * picture's longest side (ISO/IEC 18004:2015 §6.4.1: 4 v + 17 modules for version v).
 */
export const MAX_SCAN_SIDE = 800;

/**
 * Longest side for a picture from a file, on the second try: a photo holds the code smaller than
 * a camera aimed at it does, so when {@link MAX_SCAN_SIDE} finds nothing the decoder looks once
 * more at twice the size.
 */
export const MAX_SCAN_IMAGE_SIDE = 2 * MAX_SCAN_SIDE;

/** Camera frames are decoded at most this often (ms): 5 a second is enough to aim, light on batteries. */
export const SCAN_FRAME_INTERVAL_MS = 200;

/**
 * The size to scale a picture to before decoding: the same aspect, longest side at most `max`,
 * never enlarged, at least 1 pixel.
 * @param width - picture width in pixels
 * @param height - picture height in pixels
 * @param max - longest side allowed, default {@link MAX_SCAN_SIDE}
 * @returns whole-pixel width and height
 * @throws {RangeError} when a dimension is not a positive finite number
 */
export function scanSize(width: number, height: number, max = MAX_SCAN_SIDE): { width: number; height: number } {
	for (const [label, value] of [
		['width', width],
		['height', height],
		['max', max]
	] as const)
		if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${label} must be a positive number`);
	const scale = Math.min(1, max / Math.max(width, height));
	return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

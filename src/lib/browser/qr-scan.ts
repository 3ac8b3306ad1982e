/**
 * Reading QR codes in the browser (docs/web-app.md §Scanning a QR code): the camera, the
 * decoder and the loop that feeds one to the other. Loaded by dynamic `import()` when the scanner
 * opens, so none of it weighs on the app's first load.
 *
 * Decoder: the browser's own BarcodeDetector (Shape Detection API) where it reads QR codes
 * (Chrome on Android, macOS and ChromeOS; not on Linux or Windows); else jsQR in a Web Worker;
 * else jsQR on the page's thread where workers cannot start. Pictures are decoded where they are
 * taken: no frame and no file ever leaves the device.
 */
import { MalformedError, TooLargeError } from '../core/errors.ts';
import {
	MAX_SCAN_IMAGE_BYTES,
	MAX_SCAN_IMAGE_SIDE,
	MAX_SCAN_SIDE,
	SCAN_FRAME_INTERVAL_MS,
	scanSize
} from '../services/scan-size.ts';
import type { Inversion, QrScanReply, QrScanRequest } from './qr-scan-protocol.ts';

/** Which decoder does the work, for the docs and the tests. */
export type QrEngine = 'barcode-detector' | 'jsqr-worker' | 'jsqr';

/** Decodes QR codes from pictures. */
export interface QrDecoder {
	readonly engine: QrEngine;
	/**
	 * @param image - RGBA pixels, at most {@link MAX_SCAN_IMAGE_SIDE} a side
	 * @param inversion - whether to look for light-on-dark codes too (slower)
	 * @returns the text of the first QR code found, or null
	 */
	decode(image: ImageData, inversion?: Inversion): Promise<string | null>;
	/** Ends the worker, if any. Idempotent. */
	close(): void;
}

// The Shape Detection API is not in TypeScript's DOM library yet (WICG draft, §2 BarcodeDetector).
interface DetectedBarcode {
	rawValue: string;
}
interface BarcodeDetectorLike {
	detect(image: ImageData): Promise<DetectedBarcode[]>;
}
interface BarcodeDetectorClass {
	new (options: { formats: string[] }): BarcodeDetectorLike;
	getSupportedFormats(): Promise<string[]>;
}

async function barcodeDetector(): Promise<QrDecoder | undefined> {
	const Detector = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
	if (!Detector) return undefined;
	try {
		// Chromium on Linux exposes the class but supports no format: ask before trusting it.
		if (!(await Detector.getSupportedFormats()).includes('qr_code')) return undefined;
		const detector = new Detector({ formats: ['qr_code'] });
		return {
			engine: 'barcode-detector',
			async decode(image) {
				const found = await detector.detect(image);
				return found[0]?.rawValue ?? null;
			},
			close() {}
		};
	} catch {
		return undefined;
	}
}

async function inlineJsQr(): Promise<QrDecoder> {
	const { default: jsQR } = await import('jsqr');
	return {
		engine: 'jsqr',
		async decode(image, inversion = 'dontInvert') {
			return jsQR(image.data, image.width, image.height, { inversionAttempts: inversion })?.data ?? null;
		},
		close() {}
	};
}

function workerJsQr(): QrDecoder {
	// Vite bundles the worker as its own chunk from this `new URL(…, import.meta.url)` form.
	const worker = new Worker(new URL('./qr-scan.worker.ts', import.meta.url), { type: 'module', name: 'miaou-qr' });
	interface Waiting {
		image: ImageData;
		inversion: Inversion;
		resolve: (text: string | null) => void;
		reject: (error: unknown) => void;
	}
	const waiting = new Map<number, Waiting>();
	let next = 0;
	let closed = false;
	// Where the worker cannot run (a policy refusing module workers, a failed chunk load), the
	// same decoder runs on this thread: slower to aim, but the scan still works.
	let fallback: Promise<QrDecoder> | undefined;
	const inline = (entry: Waiting) => {
		fallback ??= inlineJsQr();
		fallback.then((d) => d.decode(entry.image, entry.inversion)).then(entry.resolve, entry.reject);
	};
	worker.onmessage = (event: MessageEvent<QrScanReply>) => {
		const reply = event.data;
		const entry = waiting.get(reply.id);
		if (!entry) return;
		waiting.delete(reply.id);
		if ('failed' in reply) entry.reject(new Error(`the QR worker failed: ${reply.failed}`));
		else entry.resolve(reply.text);
	};
	worker.onerror = (event) => {
		event.preventDefault();
		worker.terminate();
		fallback ??= inlineJsQr();
		const pending = [...waiting.values()];
		waiting.clear();
		for (const entry of pending) inline(entry);
	};
	return {
		engine: 'jsqr-worker',
		decode(image, inversion = 'dontInvert') {
			if (closed) return Promise.reject(new Error('the QR decoder is closed'));
			return new Promise((resolve, reject) => {
				const entry = { image, inversion, resolve, reject };
				if (fallback) return inline(entry);
				const id = next++;
				waiting.set(id, entry);
				// Copied, not transferred (a frame is about 1.4 MB, copied in well under a millisecond),
				// so the picture is still here to decode on this thread if the worker dies.
				const request: QrScanRequest = {
					id,
					width: image.width,
					height: image.height,
					pixels: image.data.buffer as ArrayBuffer,
					inversion
				};
				worker.postMessage(request);
			});
		},
		close() {
			if (closed) return;
			closed = true;
			worker.terminate();
			for (const { reject } of waiting.values()) reject(new Error('the QR decoder is closed'));
			waiting.clear();
		}
	};
}

/**
 * The best QR decoder this browser offers: BarcodeDetector, else jsQR in a worker, else jsQR here.
 * @param opts.prefer - force an engine (tests and the docs' measurements); falls back as usual when unavailable
 * @returns a decoder; close it when done
 */
export async function qrDecoder(opts: { prefer?: QrEngine } = {}): Promise<QrDecoder> {
	if (opts.prefer === undefined || opts.prefer === 'barcode-detector') {
		const native = await barcodeDetector();
		if (native) return native;
	}
	if (opts.prefer !== 'jsqr' && typeof Worker !== 'undefined') {
		try {
			return workerJsQr();
		} catch {
			// A browser or policy that refuses module workers: decode on this thread instead.
		}
	}
	return inlineJsQr();
}

/**
 * Open a camera for scanning, the rear one where there is a choice (`facingMode: 'environment'`,
 * Media Capture and Streams §4.3.8.2: an `ideal` value, so a laptop's only camera still opens).
 * @returns the stream; stop it with {@link stopCamera}
 * @throws {TypeError} when the page cannot use cameras (no `navigator.mediaDevices`: not a secure context)
 * @throws {DOMException} as getUserMedia rejects (NotAllowedError, NotFoundError, NotReadableError…): see scanned-code.ts `cameraProblem`
 */
export async function openCamera(): Promise<MediaStream> {
	const media = typeof navigator === 'undefined' ? undefined : navigator.mediaDevices;
	if (!media?.getUserMedia) throw new TypeError('this page cannot use a camera (navigator.mediaDevices is missing)');
	return media.getUserMedia({
		audio: false,
		video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } }
	});
}

/**
 * Stop every track of a stream, which turns the camera (and its light) off.
 * @param stream - the stream, or nothing
 */
export function stopCamera(stream: MediaStream | undefined | null): void {
	for (const track of stream?.getTracks() ?? []) track.stop();
}

type Drawable = HTMLVideoElement | ImageBitmap;

/**
 * Draw a picture scaled to at most `max` a side and read its pixels back. The canvas is reused
 * frame after frame and dropped with the scan; nothing else keeps the picture.
 */
function pixelsOf(
	source: Drawable,
	width: number,
	height: number,
	max: number,
	canvas = document.createElement('canvas')
): ImageData {
	const size = scanSize(width, height, max);
	if (canvas.width !== size.width) canvas.width = size.width;
	if (canvas.height !== size.height) canvas.height = size.height;
	// willReadFrequently keeps the canvas in memory, where getImageData is cheap.
	const context = canvas.getContext('2d', { willReadFrequently: true });
	if (!context) throw new Error('this browser cannot draw the picture (no 2D canvas)');
	context.drawImage(source, 0, 0, size.width, size.height);
	return context.getImageData(0, 0, size.width, size.height);
}

/** Options of {@link scanVideo}. */
export interface ScanVideoOptions {
	/** Ends the loop. */
	signal: AbortSignal;
	/** Called with each decoded text; return true to stop scanning. */
	ontext: (text: string) => boolean;
	/** Called when the decoder fails; the loop stops. */
	onerror: (error: unknown) => void;
	/** Pause between frames (ms), default {@link SCAN_FRAME_INTERVAL_MS}. */
	interval?: number;
}

/**
 * Decode a playing video's frames, one at a time, at most one every `interval` ms, until `ontext`
 * returns true, the decoder fails or `signal` aborts. One frame is decoded at a time, so a slow
 * phone decodes fewer frames instead of queuing them.
 * @param video - a playing video element (the camera's stream)
 * @param decoder - from {@link qrDecoder}
 * @param opts - signal, callbacks, pace
 * @returns when the loop has ended
 */
export async function scanVideo(video: HTMLVideoElement, decoder: QrDecoder, opts: ScanVideoOptions): Promise<void> {
	const { signal, ontext, onerror, interval = SCAN_FRAME_INTERVAL_MS } = opts;
	const pause = () =>
		new Promise<void>((resolve) => {
			const timer = setTimeout(done, interval);
			function done() {
				clearTimeout(timer);
				signal.removeEventListener('abort', done);
				resolve();
			}
			signal.addEventListener('abort', done, { once: true });
		});
	const canvas = document.createElement('canvas');
	while (!signal.aborted) {
		// HAVE_CURRENT_DATA (HTML §4.8.11.7): a frame is there to draw.
		if (video.readyState >= 2 && video.videoWidth > 0 && video.videoHeight > 0) {
			let text: string | null;
			try {
				text = await decoder.decode(pixelsOf(video, video.videoWidth, video.videoHeight, MAX_SCAN_SIDE, canvas));
			} catch (error) {
				if (!signal.aborted) onerror(error);
				return;
			}
			if (signal.aborted) return;
			if (text !== null && ontext(text)) return;
		}
		await pause();
	}
}

/**
 * Decode the QR code in an image file (a photo or a screenshot). The size is checked before the
 * file is read; the picture is tried at {@link MAX_SCAN_SIDE}, then once at
 * {@link MAX_SCAN_IMAGE_SIDE} if it is larger, both ways round (dark on light and light on dark).
 * @param file - the file the person chose
 * @param decoder - from {@link qrDecoder}
 * @returns the decoded text, or null when no QR code was found
 * @throws {TooLargeError} when the file is over {@link MAX_SCAN_IMAGE_BYTES}
 * @throws {MalformedError} when the browser cannot open it as a picture
 */
export async function decodeImageFile(file: Blob, decoder: QrDecoder): Promise<string | null> {
	if (file.size > MAX_SCAN_IMAGE_BYTES) throw new TooLargeError('The image', file.size, MAX_SCAN_IMAGE_BYTES);
	let bitmap: ImageBitmap;
	try {
		bitmap = await createImageBitmap(file);
	} catch {
		throw new MalformedError('The image', 'not a picture this browser can open');
	}
	try {
		const { width, height } = bitmap;
		const found = await decoder.decode(pixelsOf(bitmap, width, height, MAX_SCAN_SIDE), 'attemptBoth');
		if (found !== null || Math.max(width, height) <= MAX_SCAN_SIDE) return found;
		return await decoder.decode(pixelsOf(bitmap, width, height, MAX_SCAN_IMAGE_SIDE), 'attemptBoth');
	} finally {
		bitmap.close();
	}
}

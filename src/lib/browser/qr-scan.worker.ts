/**
 * The QR worker (see qr-scan.ts): decodes pictures with jsQR off the page's thread, so aiming the
 * camera stays smooth while a frame is searched. One answer per request; it keeps no picture.
 */
import jsQR from 'jsqr';
import { checkScanRequest, type QrScanReply } from './qr-scan-protocol.ts';

const post = (reply: QrScanReply) => self.postMessage(reply);

self.onmessage = (event: MessageEvent<unknown>) => {
	const id = (event.data as { id?: unknown } | null)?.id;
	try {
		// Bounds first: sizes and byte count are checked before jsQR reads a pixel.
		const { width, height, pixels, inversion } = checkScanRequest(event.data);
		const code = jsQR(new Uint8ClampedArray(pixels), width, height, { inversionAttempts: inversion });
		post({ id: id as number, text: code ? code.data : null });
	} catch (error) {
		post({ id: typeof id === 'number' ? id : -1, failed: error instanceof Error ? error.message : String(error) });
	}
};

import QRCode from 'qrcode';
import { afterEach, describe, expect, it } from 'vitest';
import { TooLargeError } from '../core/errors.ts';
import { createIdentity } from '../core/identity.ts';
import { encodeInvite } from '../services/invite.ts';
import { MAX_SCAN_IMAGE_BYTES, MAX_SCAN_SIDE } from '../services/scan-size.ts';
import { decodeImageFile, qrDecoder } from './qr-scan.ts';

const { id } = createIdentity();
const link = encodeInvite({ id, name: 'Zoë', relays: ['https://b.example'] }, { base: 'https://relay.example' });

/**
 * RGBA pixels of the QR code of `text`, `scale` pixels a module, 4 modules of quiet zone, centred
 * in a `width × height` picture: what the page hands the decoder after drawing a frame.
 */
function qrPixels(text: string, opts: { width: number; height: number; scale: number; inverted?: boolean }): ImageData {
	const { width, height, scale, inverted = false } = opts;
	const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
	const side = (modules.size + 8) * scale;
	if (side > Math.min(width, height)) throw new RangeError('the code does not fit');
	const [dark, light] = inverted ? [255, 0] : [0, 255];
	const data = new Uint8ClampedArray(width * height * 4).fill(light);
	const left = Math.floor((width - side) / 2);
	const top = Math.floor((height - side) / 2);
	for (let y = 0; y < side; y++)
		for (let x = 0; x < side; x++) {
			const row = Math.floor(y / scale) - 4;
			const col = Math.floor(x / scale) - 4;
			if (row < 0 || col < 0 || row >= modules.size || col >= modules.size || !modules.get(row, col)) continue;
			const at = ((top + y) * width + left + x) * 4;
			data.fill(dark, at, at + 3);
		}
	for (let i = 3; i < data.length; i += 4) data[i] = 255;
	// Node has no ImageData; the decoder reads only these three fields.
	return { data, width, height, colorSpace: 'srgb' } as ImageData;
}

type WithDetector = { BarcodeDetector?: unknown };

afterEach(() => {
	delete (globalThis as WithDetector).BarcodeDetector;
});

describe('qrDecoder (jsQR, as used where no worker can start)', () => {
	it('reads an invite link from a frame of the size the camera loop makes', async () => {
		const decoder = await qrDecoder();
		expect(decoder.engine).toBe('jsqr'); // Node: no BarcodeDetector, no Worker
		// A 16:9 frame scaled to MAX_SCAN_SIDE, the code spanning under half of its height.
		const frame = qrPixels(link, { width: MAX_SCAN_SIDE, height: 450, scale: 4 });
		expect(await decoder.decode(frame)).toBe(link);
		decoder.close();
	});

	it('reads light-on-dark codes only when asked to try both ways', async () => {
		const decoder = await qrDecoder({ prefer: 'jsqr' });
		const inverted = qrPixels(link, { width: 400, height: 400, scale: 5, inverted: true });
		expect(await decoder.decode(inverted, 'dontInvert')).toBeNull();
		const again = qrPixels(link, { width: 400, height: 400, scale: 5, inverted: true });
		expect(await decoder.decode(again, 'attemptBoth')).toBe(link);
	});

	it('finds nothing in a picture without a code', async () => {
		const decoder = await qrDecoder({ prefer: 'jsqr' });
		const blank = { data: new Uint8ClampedArray(320 * 240 * 4).fill(255), width: 320, height: 240 } as ImageData;
		expect(await decoder.decode(blank, 'attemptBoth')).toBeNull();
	});
});

describe('qrDecoder engine choice', () => {
	it('skips a BarcodeDetector that reads no QR code (Chromium on Linux)', async () => {
		(globalThis as WithDetector).BarcodeDetector = class {
			static getSupportedFormats = () => Promise.resolve(['ean_13']);
			detect = () => Promise.reject(new Error('must not be called'));
		};
		const decoder = await qrDecoder();
		expect(decoder.engine).toBe('jsqr');
		expect(await decoder.decode(qrPixels('miaou:x', { width: 200, height: 200, scale: 4 }))).toBe('miaou:x');
	});

	it('uses a BarcodeDetector that reads QR codes', async () => {
		const seen: ImageData[] = [];
		(globalThis as WithDetector).BarcodeDetector = class {
			static getSupportedFormats = () => Promise.resolve(['qr_code', 'ean_13']);
			constructor(options: { formats: string[] }) {
				expect(options.formats).toEqual(['qr_code']);
			}
			detect = (image: ImageData) => {
				seen.push(image);
				return Promise.resolve([{ rawValue: 'from the browser' }]);
			};
		};
		const decoder = await qrDecoder();
		expect(decoder.engine).toBe('barcode-detector');
		const image = qrPixels('x', { width: 100, height: 100, scale: 3 });
		expect(await decoder.decode(image)).toBe('from the browser');
		expect(seen).toEqual([image]);
		// Forcing jsQR ignores it.
		expect((await qrDecoder({ prefer: 'jsqr' })).engine).toBe('jsqr');
	});
});

describe('decodeImageFile', () => {
	it('refuses a file over the limit before reading it', async () => {
		const decoder = await qrDecoder({ prefer: 'jsqr' });
		const big = new Blob([new Uint8Array(MAX_SCAN_IMAGE_BYTES + 1)], { type: 'image/png' });
		await expect(decodeImageFile(big, decoder)).rejects.toBeInstanceOf(TooLargeError);
	});
});

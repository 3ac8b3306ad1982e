import { describe, expect, it } from 'vitest';
import { MAX_SCAN_IMAGE_SIDE } from '../services/scan-size.ts';
import { checkScanRequest, type QrScanRequest } from './qr-scan-protocol.ts';

function request(overrides: Partial<Record<keyof QrScanRequest, unknown>> = {}): unknown {
	return { id: 7, width: 4, height: 3, pixels: new ArrayBuffer(4 * 3 * 4), inversion: 'dontInvert', ...overrides };
}

describe('checkScanRequest', () => {
	it('accepts a well-formed request as it is', () => {
		const ok = request() as QrScanRequest;
		expect(checkScanRequest(ok)).toEqual(ok);
		const side = MAX_SCAN_IMAGE_SIDE;
		const largest = request({ width: side, height: 1, pixels: new ArrayBuffer(side * 4), inversion: 'attemptBoth' });
		expect(checkScanRequest(largest).width).toBe(side);
	});

	it('refuses sizes out of bounds or not matching the pixels', () => {
		const side = MAX_SCAN_IMAGE_SIDE + 1;
		for (const bad of [
			request({ width: 0, pixels: new ArrayBuffer(0) }),
			request({ width: 2.5 }),
			request({ height: -3 }),
			request({ width: side, height: 1, pixels: new ArrayBuffer(side * 4) }),
			request({ pixels: new ArrayBuffer(4 * 3 * 4 - 1) }),
			request({ pixels: new ArrayBuffer(4 * 3 * 4 + 4) })
		])
			expect(() => checkScanRequest(bad)).toThrow(RangeError);
	});

	it('refuses what is not a request', () => {
		for (const bad of [
			null,
			'text',
			request({ id: '7' }),
			request({ inversion: 'invertFirst' }),
			request({ pixels: new Uint8Array(48) }),
			request({ width: '4' })
		])
			expect(() => checkScanRequest(bad), JSON.stringify(bad)).toThrow(TypeError);
	});
});

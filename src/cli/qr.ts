/**
 * QR codes on the terminal, for `miaou id show --qr` (the id, for a contact to scan) and
 * `miaou id export --qr` (the encrypted backup, to carry to another device). Drawn by the
 * `qrcode` package with half-block characters, two modules per character cell, in explicit
 * black and white so it scans on dark and light terminal themes alike.
 */
import { TooLargeError } from '../lib/core/errors.ts';
import { utf8 } from '../lib/core/bytes.ts';

/**
 * Most bytes one QR code holds: version 40 at error correction level L, byte mode
 * (ISO/IEC 18004:2015 Table 7).
 */
export const MAX_QR_BYTES = 2953;

/**
 * Render text as a QR code for a terminal.
 * @param text - what to encode (UTF-8)
 * @param what - what it is, for the error message
 * @returns lines of characters and ANSI colour codes, newline-terminated
 * @throws {TooLargeError} when the text does not fit in one QR code
 */
export async function terminalQr(text: string, what: string): Promise<string> {
	const size = utf8(text).length;
	if (size > MAX_QR_BYTES) throw new TooLargeError(what, size, MAX_QR_BYTES);
	// Loaded on demand: most commands draw no QR code and should not pay for loading the encoder.
	const { default: QRCode } = await import('qrcode');
	// Level L: the code is shown on a screen, not printed on something that wears; more data fits.
	const drawn = await QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'L' });
	return drawn.endsWith('\n') ? drawn : `${drawn}\n`;
}

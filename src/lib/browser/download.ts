/**
 * Save text as a file through the browser's download, without a server round trip: the bytes go
 * from memory to a Blob URL to the disk.
 */

/**
 * Offer `text` as a download named `name`.
 * @param name - the suggested file name
 * @param text - the content
 * @param type - its media type
 */
export function downloadText(name: string, text: string, type = 'application/json'): void {
	const url = URL.createObjectURL(new Blob([text], { type }));
	const a = document.createElement('a');
	a.href = url;
	a.download = name;
	a.rel = 'noopener';
	document.body.append(a);
	a.click();
	a.remove();
	// Revoke on the next task: the click has started the download by then.
	setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * The share crypto worker (see share-crypto-runner.ts): encrypts or decrypts one private share off
 * the page's thread, so a 63 MiB file does not freeze the page. Says `ready` once loaded; then, for
 * the one request, checks its sizes before touching a byte, reports progress, and answers once
 * with the result transferred (not copied). Errors leave as their stable code, message and type
 * name only (share-crypto-protocol.ts).
 */
import { serveShareCryptoMessage, type ShareCryptoReply } from './share-crypto-protocol.ts';

const post = (reply: ShareCryptoReply, transfer: Transferable[] = []) => self.postMessage(reply, { transfer });

self.onmessage = (event: MessageEvent<unknown>) => serveShareCryptoMessage(event.data, post);

post({ kind: 'ready' });

/**
 * The KDF worker (see key-crypto.ts): runs keystore's exportIdentity / importIdentity off the page's
 * thread, reports progress, answers once. Secrets arrive and leave as `IdentitySecrets`; errors
 * leave as their stable code, message and type name only.
 */
import { identityFromSecrets, identityToSecrets } from '../core/identity.ts';
import { exportIdentity, importIdentity } from '../core/keystore.ts';
import { PROGRESS_INTERVAL_MS, type KdfReply, type KdfRequest } from './kdf-protocol.ts';
import { toWorkerError } from './worker-error.ts';

const post = (reply: KdfReply) => self.postMessage(reply);

let last = 0;
function onProgress(fraction: number) {
	const now = Date.now();
	if (now - last < PROGRESS_INTERVAL_MS) return;
	last = now;
	post({ kind: 'progress', fraction });
}

async function handle(request: KdfRequest): Promise<KdfReply> {
	try {
		if (request.op === 'seal') {
			const identity = identityFromSecrets(request.secrets);
			const backup = await exportIdentity(identity, request.passphrase, {
				onProgress,
				...(request.kdf ? { kdf: request.kdf } : {})
			});
			return { kind: 'sealed', backup };
		}
		const identity = await importIdentity(request.backup, request.passphrase, { onProgress });
		return { kind: 'opened', secrets: identityToSecrets(identity) };
	} catch (error) {
		return { kind: 'failed', ...toWorkerError(error) };
	}
}

self.onmessage = async (event: MessageEvent<KdfRequest>) => {
	post(await handle(event.data));
};

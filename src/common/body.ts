// Reading a request body with a hard size limit: reading stops as soon as the limit is passed,
// so a huge body never sits in memory. Shared by the IdP's endpoints and the reference RP.

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly maxBytes: number, declared?: string) {
    super(declared === undefined ? `The body is larger than ${maxBytes} bytes.` : `The body is ${declared} bytes; at most ${maxBytes} are accepted.`);
  }
}

/**
 * The body's bytes, at most `maxBytes`. A body declared or found larger is cancelled once the
 * limit is passed (not refused unread: a node:http request left unread stalls its connection
 * until the client gives up, so the client would never see the 413).
 */
export async function readBodyBytes(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  const tooLarge = declared !== null && Number(declared) > maxBytes ? declared : undefined;
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError(maxBytes, tooLarge);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

// Reading a request body with a hard size limit: reading stops as soon as the limit is passed,
// so a huge body never sits in memory. Shared by the IdP's endpoints and the reference RP.

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly maxBytes: number, declared?: string) {
    super(declared === undefined ? `The body is larger than ${maxBytes} bytes.` : `The body is ${declared} bytes; at most ${maxBytes} are accepted.`);
  }
}

/**
 * The body ended before it was whole: the client went away mid-body, or framed it wrongly (a
 * Content-Length it did not send, a malformed chunk). A fault of the request, not of the server.
 */
export class BodyReadError extends Error {
  override readonly name = 'BodyReadError';
  constructor(cause: unknown) {
    super(`The body could not be read to its end (${cause instanceof Error ? cause.message : String(cause)}).`, { cause });
  }
}

/**
 * The body's bytes, at most `maxBytes`. A body declared or found larger is cancelled once the
 * limit is passed (not refused unread: a node:http request left unread stalls its connection
 * until the client gives up, so the client would never see the 413). A body stream that fails
 * is a BodyReadError.
 */
export async function readBodyBytes(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  const tooLarge = declared !== null && Number(declared) > maxBytes ? declared : undefined;
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (e) {
      throw new BodyReadError(e);
    }
    const { done, value } = chunk;
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

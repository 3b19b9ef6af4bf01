// Client data (WebAuthn §5.8.1): the CollectedClientData of a ceremony, its JSON-compatible
// serialization (§5.8.1.1) byte for byte as Chromium writes it, and the hash the authenticator
// signs over.

import { createHash } from 'node:crypto';
import { base64urlEncode } from './base64url.js';
import type { ClientEnvironment, WebAuthnContext } from './client-context.js';

/** CCDToString (WebAuthn §5.8.1.1): JSON string escaping with lower-case \u escapes. */
function ccdToString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp === 0x22) out += '\\"';
    else if (cp === 0x5c) out += '\\\\';
    else if (cp === 0x20 || cp === 0x21 || (cp >= 0x23 && cp <= 0x5b) || cp >= 0x5d) out += ch;
    else out += `\\u${cp.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

export interface CollectedClientData {
  type: 'webauthn.create' | 'webauthn.get';
  /** base64url of the challenge. */
  challenge: string;
  origin: string;
  crossOrigin: boolean;
  topOrigin?: string;
}

/** Chromium's GREASE member, added to 20% of clientDataJSON values (client_data_json.cc). */
const GREASE = ',"other_keys_can_be_added_here":"do not compare clientDataJSON against a template. See https://goo.gl/yabPex"';

/**
 * The JSON-compatible serialization of client data (WebAuthn §5.8.1.1), byte for byte:
 * {"type":…,"challenge":…,"origin":…,"crossOrigin":false} with ,"topOrigin":… after crossOrigin
 * for a cross-origin caller. `grease` appends Chromium's extra member.
 */
export function serializeClientData(data: CollectedClientData, grease = false): Uint8Array {
  let json = `{"type":${ccdToString(data.type)},"challenge":${ccdToString(data.challenge)},"origin":${ccdToString(data.origin)},"crossOrigin":${data.crossOrigin ? 'true' : 'false'}`;
  if (data.topOrigin !== undefined) json += `,"topOrigin":${ccdToString(data.topOrigin)}`;
  if (grease) json += GREASE;
  json += '}';
  return new TextEncoder().encode(json);
}

const sha256 = (data: Uint8Array | string): Uint8Array => new Uint8Array(createHash('sha256').update(data).digest());

/**
 * The calling document's client data for a ceremony, serialized, and clientDataHash.
 * WebAuthn §5.1.3 steps 13–15, §5.1.4.1 steps 10–12.
 */
export function collectClientData(env: ClientEnvironment, ctx: WebAuthnContext, type: CollectedClientData['type'], challenge: Uint8Array): { clientDataJSON: Uint8Array; hash: Uint8Array } {
  const clientDataJSON = serializeClientData(
    {
      type,
      challenge: base64urlEncode(challenge),
      origin: ctx.origin,
      crossOrigin: !ctx.sameOriginWithAncestors,
      ...(ctx.sameOriginWithAncestors ? {} : { topOrigin: ctx.frame.top.origin }),
    },
    env.settings.clientDataGrease && ctx.core.random() < 0.2,
  );
  return { clientDataJSON, hash: sha256(clientDataJSON) };
}

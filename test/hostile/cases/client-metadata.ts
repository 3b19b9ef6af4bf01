// Client metadata: fetched for a first sign-in (a disclosure is shown), uncredentialed, no
// redirects; any failure only removes the privacy policy and terms links (ClientMetadataFailed).

import { GOOD_TOKEN, type HostileCase } from '../case.js';
import { bomb, bytes, json, redirect, resetMidBody, silence, status } from '../behaviours.js';
import type { Behaviour } from '../server.js';

const metadata = (name: string, behaviour: Behaviour, diagnostic: HostileCase['diagnostic'], timeouts = 0): HostileCase => ({
  name: `client metadata: ${name}`,
  endpoint: 'client-metadata',
  behaviour,
  expect: GOOD_TOKEN,
  diagnostic,
  timeouts,
});

export const clientMetadataCases: HostileCase[] = [
  metadata('hangs (no response)', silence(), 'ClientMetadataFailed', 1),
  metadata('500', status(500), 'ClientMetadataFailed'),
  metadata('not JSON', bytes('<html></html>', 'text/html'), 'ClientMetadataFailed'),
  metadata('50 MB declared', bomb(50 * 1024 * 1024, { declare: true }), 'ClientMetadataFailed'),
  metadata('reset mid-body', resetMidBody(), 'ClientMetadataFailed'),
  metadata('302 (no redirects)', redirect(302, '/fedcm/client_metadata?again'), 'ClientMetadataFailed'),
  // Chromium takes the links only as absolute URL strings; anything else is as good as absent.
  metadata('links are numbers and objects', json({ privacy_policy_url: 1, terms_of_service_url: { href: 'https://rp.example/tos' } }), null),
];

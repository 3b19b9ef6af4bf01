// Account pictures: fetched uncredentialed, no redirects, before the chooser is shown; a failed
// picture only costs the picture (PictureFetchFailed, info), never the sign-in.

import { GOOD_TOKEN, maxInFlight, type HostileCase } from '../case.js';
import { bomb, bytes, drip, json, redirect, silence, status } from '../behaviours.js';
import type { Behaviour, Target } from '../server.js';

/** An accounts list of `n` accounts, each with its own picture (the first is 1234). */
function accountsWithPictures(n: number, host = 'idp.example'): Behaviour {
  return json({
    accounts: Array.from({ length: n }, (_, i) => ({ id: i === 0 ? '1234' : `a${i}`, name: `User ${i}`, picture: `https://${host}/pic/${i}.png` })),
  });
}

const picture = (name: string, behaviour: Behaviour, diagnostic: HostileCase['diagnostic'], timeouts = 0): HostileCase => ({
  name: `picture: ${name}`,
  endpoint: 'picture',
  behaviour,
  expect: GOOD_TOKEN,
  diagnostic,
  timeouts,
});

/** A picture on another host, which `target` breaks at the network level. */
const elsewhere = (name: string, target: Target, timeouts: number): HostileCase => ({
  name: `picture: on another host, ${name}`,
  endpoint: 'accounts',
  behaviour: accountsWithPictures(1, 'other.example'),
  targets: { 'other.example': target },
  expect: GOOD_TOKEN,
  diagnostic: 'PictureFetchFailed',
  timeouts,
});

/** At most this many picture requests at once: Chromium's per-host connection limit. */
const MAX_PICTURES_IN_FLIGHT = 6;

export const pictureCases: HostileCase[] = [
  picture('404', status(404), 'PictureFetchFailed'),
  picture('hangs (no response)', silence(), 'PictureFetchFailed', 1),
  picture('slow drip', drip(100, 'image/png'), 'PictureFetchFailed', 1),
  picture('50 MB (stopped at the 1 MiB cap)', bomb(50 * 1024 * 1024, { declare: false, contentType: 'image/png' }), 'PictureFetchFailed'),
  picture('302 elsewhere (no redirects)', redirect(302, 'https://other.example/pic.png'), 'PictureFetchFailed'),
  // fedkit keeps the bytes as given and does not decode images; the chooser shows the URL.
  picture('not an image (text/html)', bytes('<html>nope</html>', 'text/html'), null),
  elsewhere('whose TLS handshake never completes', 'stall', 1),
  elsewhere('with an untrusted certificate', 'untrusted', 0),
  elsewhere('refusing connections', 'refused', 0),
  {
    // 20 pictures that never answer, 6 at a time: ceil(20 / 6) = 4 timeouts one after the other.
    name: 'picture: 20 distinct pictures that all hang',
    endpoint: 'picture',
    behaviour: silence(),
    setup: { accounts: accountsWithPictures(20) },
    expect: GOOD_TOKEN,
    diagnostic: 'PictureFetchFailed',
    timeouts: 4,
    check: ({ fetches }) => {
      const most = maxInFlight(fetches, 'account picture');
      if (most > MAX_PICTURES_IN_FLIGHT) throw new Error(`${most} picture requests in flight at once; at most ${MAX_PICTURES_IN_FLIGHT}`);
    },
  },
  {
    name: 'picture: 10,000 accounts with distinct pictures',
    endpoint: 'accounts',
    behaviour: accountsWithPictures(10_000),
    expect: GOOD_TOKEN,
    diagnostic: null,
    // Not a timeout: 10,000 loopback requests, on a busy 2-core machine (7.9 s and 11.1 s
    // measured with a load average of 7).
    timeouts: 24,
    check: ({ server, fetches }) => {
      if (server.hits('picture') !== 10_000) throw new Error(`${server.hits('picture')} pictures fetched, not 10,000`);
      const most = maxInFlight(fetches, 'account picture');
      if (most > MAX_PICTURES_IN_FLIGHT) throw new Error(`${most} picture requests in flight at once; at most ${MAX_PICTURES_IN_FLIGHT}`);
    },
  },
];

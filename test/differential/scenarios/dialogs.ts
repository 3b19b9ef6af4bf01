// Every dialog type and action: the account chooser (one and two accounts, select, dismiss,
// dismiss with cooldown), AutoReauthn, ConfirmIdpLogin (mismatch) and the Error dialog buttons.

import { CONFIG, CONTINUE, DISMISS, GOT_IT, MORE_DETAILS, OBSERVE, SELECT0, SELECT1, getStep, identity, type Scenario } from '../scenario.js';

export const scenarios: Scenario[] = [
  { name: 'chooser: one account, select', steps: [getStep(identity(), [SELECT0])] },
  { name: 'chooser: one account, dismiss', steps: [getStep(identity(), [DISMISS])] },
  { name: 'chooser: one account, dismiss with cooldown', steps: [getStep(identity(), [{ dismiss: true, cooldown: true }])] },
  { name: 'chooser: two accounts, select the second', idps: [{ accounts: 'two' }], steps: [getStep(identity({ clientId: 'xyz' }), [SELECT1])] },
  { name: 'chooser: two accounts, dismiss', idps: [{ accounts: 'two' }], steps: [getStep(identity({ clientId: 'xyz' }), [DISMISS])] },
  { name: 'chooser: select an account index out of range', idps: [{ accounts: 'two' }], steps: [getStep(identity({ clientId: 'xyz' }), [{ select: 5 }, SELECT0])] },
  { name: 'auto-reauthn: returning user signs in automatically', steps: [getStep(identity(), [SELECT0]), getStep(identity(), [OBSERVE])] },
  {
    name: 'mismatch: logged-in status, no accounts, ConfirmIdpLogin dismissed',
    idps: [{ requireSession: true }],
    setup: [{ visit: 'https://idp.example/mark_signedin' }],
    steps: [getStep(identity(), [DISMISS])],
  },
  {
    name: 'mismatch: ConfirmIdpLogin continue, login popup signs in, chooser',
    setup: [{ visit: 'https://idp.example/mark_signedin' }],
    steps: [getStep(identity(), [CONTINUE, SELECT0])],
  },
  {
    name: 'error dialog: got it after an error with code and url',
    idps: [{ token: { status: 401, json: { error: { code: 'unauthorized_client', url: 'https://idp.example/error.html' } }, cors: true } }],
    steps: [getStep(identity(), [SELECT0, GOT_IT])],
  },
  {
    name: 'error dialog: more details opens the error url',
    idps: [{ token: { status: 401, json: { error: { code: 'unauthorized_client', url: 'https://idp.example/error.html' } }, cors: true }, pages: { '/error.html': { html: '<!doctype html><title>Error</title><p>Error details</p>' } } }],
    closePopups: ['/error.html'],
    steps: [getStep(identity(), [SELECT0, MORE_DETAILS])],
  },
  {
    name: 'error dialog: dismissed',
    idps: [{ token: { status: 401, json: { error: { code: 'access_denied' } }, cors: true } }],
    steps: [getStep(identity(), [SELECT0, DISMISS])],
  },
  { name: 'chooser: configURL reported in the credential', steps: [getStep({ identity: { providers: [{ configURL: CONFIG, clientId: '123' }] } }, [SELECT0])] },
];

scenarios.push(
  {
    name: 'chooser: three accounts, select the third',
    idps: [{ accounts: [
      { id: 'a1', name: 'Ann One', given_name: 'Ann', email: 'ann@idp.example', picture: 'https://idp.example/pictures/ann.png' },
      { id: 'b2', name: 'Bob Two', email: 'bob@idp.example' },
      { id: 'c3', name: 'Cat Three', given_name: 'Cat', email: 'cat@idp.example', picture: 'https://idp.example/pictures/cat.png' },
    ] }],
    steps: [getStep(identity(), [{ select: 2 }])],
  },
  {
    name: 'chooser: no branding in the config',
    idps: [{ config: { branding: null } }],
    steps: [getStep(identity(), [SELECT0])],
  },
  {
    name: 'chooser: branding name and colours only',
    idps: [{ config: { branding: { name: 'Only Name', background_color: 'green', color: '#000' } } }],
    steps: [getStep(identity(), [SELECT0])],
  },
  // Which of the config's branding.icons Chromium fetches (measured: ideal 50, minimum 25, no size wins; accounts.ts chooseBrandIcon).
  ...(
    [
      ['brand icon: sizes 64, 40, 20', [64, 40, 20]],
      ['brand icon: sizes 16, 26, 30 (the largest from 25)', [16, 26, 30]],
      ['brand icon: only size 20 (below the minimum)', [20]],
      ['brand icon: no size', [null]],
      ['brand icon: no size and size 48', [null, 48]],
      ['brand icon: size 48 and no size', [48, null]],
      ['brand icon: size 64 and no size', [64, null]],
      ['brand icon: sizes 48, 64', [48, 64]],
      ['brand icon: sizes 44, 64', [44, 64]],
      ['brand icon: sizes 56, 64', [56, 64]],
      ['brand icon: sizes 49, 64', [49, 64]],
      ['brand icon: sizes 50, 64', [50, 64]],
      ['brand icon: sizes 52, 64', [52, 64]],
      ['brand icon: only size 24', [24]],
      ['brand icon: only size 25', [25]],
    ] as const
  ).map(([name, sizes]) => ({
    name,
    idps: [{ config: { branding: { background_color: 'green', icons: sizes.map((size) => (size === null ? { url: '/branding/icon.png?size=none' } : { url: `/branding/icon.png?size=${size}`, size })) } } }],
    steps: [getStep(identity(), [SELECT0])],
  })),
  {
    name: 'chooser: account without picture',
    idps: [{ accounts: [{ id: 'np', name: 'No Picture', email: 'np@idp.example' }] }],
    steps: [getStep(identity(), [SELECT0])],
  },
  {
    name: 'chooser: dismiss, then a second request shows the chooser again',
    steps: [getStep(identity(), [DISMISS]), getStep(identity(), [SELECT0])],
  },
);

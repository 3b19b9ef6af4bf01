// HTML forms for PasswordCredential (Credential Management §3.3.4 "Create a PasswordCredential from
// an HTMLFormElement"). The agent runs no scripts, but a page's forms still matter: a frame's
// loaded HTML is parsed with jsdom into a real DOM (`frame.document`, `frame.forms()`), and the
// forms found there (or built with `document.createElement('form')`, as WPT does) are what
// `new frame.PasswordCredential(form)` and `create({password: form})` read.

import { loadJsdom } from '../base/jsdom.js';

/**
 * Parses a document's HTML into a DOM. No scripts run and no subresources load: documents in the
 * agent do not run scripts (page.ts), and parsing must not reach the network.
 */
export function parseHTMLDocument(html: string, url: string): Document {
  const { JSDOM } = loadJsdom();
  return new JSDOM(html, { url, contentType: 'text/html' }).window.document;
}

/**
 * WebIDL "implements HTMLFormElement" for the union (PasswordCredentialData or HTMLFormElement):
 * a form element of any jsdom document (the agent's, or one the caller made). A forgery passes
 * this test but fails in FormData's constructor, which throws TypeError as IDL would have.
 */
export function isHTMLFormElement(value: unknown): value is HTMLFormElement {
  return typeof value === 'object' && value !== null && Object.prototype.toString.call(value) === '[object HTMLFormElement]';
}

/** The members CM §3.3.4 collects from a form; unset ones stay absent. */
export interface FormCredentialFields {
  id?: string;
  password?: string;
  name?: string;
  iconURL?: string;
}

/** HTML "submittable elements": button, input, select, textarea (form-associated custom elements aside). */
const SUBMITTABLE = new Set(['button', 'input', 'select', 'textarea']);

/** ASCII lowercase: "ASCII case-insensitive" must not fold non-ASCII letters (Infra §4.6). */
const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * Credential Management §3.3.4 steps 3–6: the autofill detail tokens of each submittable field
 * with an autocomplete attribute pick the FormData value of its name. `new-password` wins over
 * `current-password` whatever the order; for the others the last field wins. FormData.get()
 * returns the first entry with the name, as the spec says. File entries (an
 * `<input type=file autocomplete=photo>`) are skipped: the members are USVStrings, and Chromium
 * skips them too rather than storing "[object File]".
 */
export function credentialFieldsFromForm(form: HTMLFormElement): FormCredentialFields {
  const view = form.ownerDocument?.defaultView;
  if (!view) throw new TypeError("Failed to construct 'PasswordCredential': the form has no window.");
  let formData: FormData;
  try {
    formData = new view.FormData(form);
  } catch (e) {
    throw new TypeError(`Failed to construct 'PasswordCredential': ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const data: FormCredentialFields = {};
  let newPasswordObserved = false;
  for (const field of Array.from(form.elements)) {
    if (!SUBMITTABLE.has(field.localName)) continue;
    const autocomplete = field.getAttribute('autocomplete');
    if (autocomplete === null) continue;
    const name = field.getAttribute('name');
    if (name === null || !formData.has(name)) continue;
    const value = formData.get(name);
    if (typeof value !== 'string') continue;
    for (const token of autocomplete.split(/[\t\n\f\r ]+/)) {
      switch (asciiLower(token)) {
        case 'new-password':
          data.password = value;
          newPasswordObserved = true;
          break;
        case 'current-password':
          if (!newPasswordObserved) data.password = value;
          break;
        case 'photo':
          data.iconURL = value;
          break;
        case 'name':
        case 'nickname':
          data.name = value;
          break;
        case 'username':
          data.id = value;
          break;
      }
    }
  }
  return data;
}

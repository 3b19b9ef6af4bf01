// HTML's multipart/form-data encoding, for the entries of a form: the body of a form submission
// with enctype=multipart/form-data, and of fetch() with a FormData body. fedkit sends strings only
// (pages upload no files), so entries are [name, string] pairs.

import { randomBytes } from 'node:crypto';

/** HTML §4.10.21.8 "multipart/form-data encoding algorithm", for string entries. */
export function multipart(entries: [string, string][]): { text: string; contentType: string } {
  const boundary = `----fedkitFormBoundary${randomBytes(8).toString('hex')}`;
  const escape = (s: string): string => s.replace(/\r\n|\r|\n/g, '\r\n').replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const parts = entries.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${escape(name)}"\r\n\r\n${value.replace(/\r\n|\r|\n/g, '\r\n')}\r\n`);
  return { text: `${parts.join('')}--${boundary}--\r\n`, contentType: `multipart/form-data; boundary=${boundary}` };
}

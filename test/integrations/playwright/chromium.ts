// Debian's Chromium for the fedkit/playwright tests, driven by playwright-core as
// test/interop/chromium.test.ts drives it, and what the tests read of a page: Chromium's
// accessibility tree (it reaches into closed shadow roots, where the drawn dialog lives), the
// boxes of its nodes, and screenshots decoded without a dependency (PNG: zlib + unfiltering).
//
// /usr/bin/chromium comes from scripts/install-test-tools.sh. Without it the tests are skipped
// with a loud message on a developer machine, and FAIL under CI=true.

import { existsSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const missing = !existsSync(CHROMIUM);
export const underCi = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
/** The `skip` option of the suites: skipped only when Chromium is missing and CI is not set. */
export const skip = missing && !underCi ? `${CHROMIUM} is not installed (see scripts/install-test-tools.sh)` : false;
if (missing && !underCi) {
  const line = '!'.repeat(78);
  console.error(`\n${line}\n!! fedkit/playwright TESTS SKIPPED: ${CHROMIUM} is not installed.\n!! Run scripts/install-test-tools.sh (apt-get install chromium).\n!! Under CI=true this is a failure, not a skip.\n${line}\n`);
}

/** Chromium headless (the full browser), mapping *.example to the loopback server; `fedcm: false` is a browser without FedCM. */
export async function launch(hostRules: string, options: { fedcm: boolean }): Promise<Browser> {
  if (missing) throw new Error(`${CHROMIUM} is not installed and CI is set: these tests must run in CI (scripts/install-test-tools.sh installs it).`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: false, // --headless=new below: the full browser
    timeout: 30_000,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--host-resolver-rules=${hostRules}`,
      '--ignore-certificate-errors',
      ...(options.fedcm ? [] : ['--disable-features=FedCm']),
    ],
  });
}

/** Rejects when `promise` takes longer than `ms`: a regression fails with a message, it never hangs. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface AxNode {
  role: string;
  name: string;
  backendDOMNodeId: number;
}

/** The page's accessibility tree (Chromium's, via CDP), flattened. */
async function axNodes(cdp: CDPSession): Promise<AxNode[]> {
  const { nodes } = await cdp.send('Accessibility.getFullAXTree');
  return nodes.flatMap((n) => (n.backendDOMNodeId === undefined ? [] : [{ role: String(n.role?.value ?? ''), name: String(n.name?.value ?? ''), backendDOMNodeId: n.backendDOMNodeId }]));
}

/** Waits (bounded) for an accessibility node of `role` whose name matches `name`. */
export async function findAx(page: Page, role: string, name: RegExp, timeoutMs = 5000): Promise<{ node: AxNode; box: { x: number; y: number; width: number; height: number } }> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const deadline = Date.now() + timeoutMs;
    let seen: AxNode[] = [];
    while (Date.now() < deadline) {
      seen = await axNodes(cdp);
      const node = seen.find((n) => n.role === role && name.test(n.name));
      if (node) {
        const { model } = await cdp.send('DOM.getBoxModel', { backendNodeId: node.backendDOMNodeId });
        const [x1, y1, , , x3, y3] = model.border as [number, number, number, number, number, number];
        return { node, box: { x: x1, y: y1, width: x3 - x1, height: y3 - y1 } };
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no ${role} named ${name} in the accessibility tree within ${timeoutMs} ms; ${role} nodes: ${JSON.stringify(seen.filter((n) => n.role === role).map((n) => n.name))}`);
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/** Whether an accessibility node of `role` named like `name` is in the page now. */
export async function hasAx(page: Page, role: string, name: RegExp): Promise<boolean> {
  const cdp = await page.context().newCDPSession(page);
  try {
    return (await axNodes(cdp)).some((n) => n.role === role && name.test(n.name));
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/** A real click (mouse events from the browser, trusted, with user activation) in the middle of `box`. */
export async function clickBox(page: Page, box: { x: number; y: number; width: number; height: number }): Promise<void> {
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

export interface Image {
  width: number;
  height: number;
  /** RGBA, row by row. */
  pixel(x: number, y: number): [number, number, number, number];
}

/** Decodes an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium's screenshots are). */
export function decodePng(png: Buffer): Image {
  if (png.subarray(1, 4).toString('latin1') !== 'PNG') throw new Error('not a PNG');
  let offset = 8;
  let width = 0;
  let height = 0;
  let colorType = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.subarray(offset + 4, offset + 8).toString('latin1');
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[12] !== 0) throw new Error('only 8-bit, non-interlaced PNGs');
      colorType = data[9] ?? 0;
    } else if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const channels = colorType === 6 ? 4 : colorType === 2 ? 3 : 0;
  if (channels === 0) throw new Error(`PNG colour type ${colorType} is not RGB or RGBA`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x] ?? 0;
      const a = x >= channels ? (out[y * stride + x - channels] ?? 0) : 0;
      const b = y > 0 ? (out[(y - 1) * stride + x] ?? 0) : 0;
      const c = x >= channels && y > 0 ? (out[(y - 1) * stride + x - channels] ?? 0) : 0;
      let predicted = 0;
      if (filter === 1) predicted = a;
      else if (filter === 2) predicted = b;
      else if (filter === 3) predicted = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[y * stride + x] = (value + predicted) & 0xff;
    }
  }
  return {
    width,
    height,
    pixel(x, y) {
      const i = y * stride + x * channels;
      return [out[i] ?? 0, out[i + 1] ?? 0, out[i + 2] ?? 0, channels === 4 ? (out[i + 3] ?? 0) : 255];
    },
  };
}

// Stops the test system global-setup.mjs started.

export default async function globalTeardown() {
  await globalThis.fedkitTestSystem?.close();
}

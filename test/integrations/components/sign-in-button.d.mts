// The types of sign-in-button.mjs, for the Vitest test (TypeScript).

/** Mounts the sign-in component in `root`: a button and a status line. */
export function mountSignIn(root: HTMLElement, provider: { configURL: string; clientId: string }): { button: HTMLButtonElement; status: HTMLParagraphElement };

// What each top-level command does, in one line: the command's own --help and `fedkit --help`
// both print it, and `fedkit --help` must not load the commands to get it (run.ts loads a
// command's module only when it runs).

export const SUMMARIES = {
  cert: 'Make (or reuse) a local CA and a server certificate for the names, and print how to use them.',
  demo: 'Run the IdP and RP on this machine and sign in with the headless agent, step by step.',
  doctor: 'Check a live IdP (or an RP page) the way Chrome will, and say what to fix.',
  idp: 'the reference FedCM identity provider',
  rp: 'Run the reference relying party.',
  signin: 'Sign in to a relying party with the headless agent, in the terminal.',
} as const;

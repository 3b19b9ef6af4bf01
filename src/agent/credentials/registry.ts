// The Credential Type Registry's entries this agent implements (Credential Management §2.1.2),
// which the generic algorithms in container.ts consult.

import { otpCredentialType } from '../otp/otp-credential.js';
import { publicKeyCredentialType } from '../webauthn/index.js';
import { federatedCredentialType } from './federated.js';
import { identityCredentialType } from '../fedcm/identity-credential-type.js';
import { passwordCredentialType } from './password.js';
import type { CredentialType } from './contract/credential-type.js';

/**
 * The registered credential types: FedCM's identity, WebOTP's otp, password and federated
 * (this directory), and WebAuthn's public-key (src/agent/webauthn/index.ts).
 */
export const credentialTypes: readonly CredentialType[] = [
  federatedCredentialType,
  identityCredentialType,
  otpCredentialType,
  passwordCredentialType,
  publicKeyCredentialType,
];

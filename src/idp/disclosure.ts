// Which claims an ID assertion discloses (FedCM §"fields", `disclosure_shown_for`), and whether
// the assertion may complete without the IdP's own consent page. Shared by the assertion
// endpoint and the stores' one-call assertion step (store/types.ts `assertionStep`), which
// must decide exactly alike: the SQLite store runs this function inside its transaction, the
// PostgreSQL store the same rule in SQL, and the endpoint re-checks the store's outcome with it.

import type { AssertionStepInput, AssertionStepResult, User } from './store/types.js';
import { availableFields, isField, type Field } from './tokens.js';

/** The fields browsers disclose when the RP names none (FedCM §"fields" default). */
export const DEFAULT_FIELDS: readonly Field[] = ['name', 'email', 'picture'];

/** What the browser said about fields in the assertion request (already parsed). */
export interface DisclosureForm {
  /** `fields`: what the RP asked for (undefined when the browser sent none). */
  fields: Field[] | undefined;
  /** `disclosure_shown_for`: what the browser's dialog disclosed. */
  disclosureShownFor: Field[] | undefined;
  /** The legacy `disclosure_text_shown=true`. */
  disclosureTextShown: boolean;
}

export interface AssertionDecision {
  /** Fields the token will carry. */
  disclose: Field[];
  /** Fields the user has not agreed to share with this client yet (non-empty → continue_on). */
  needsConsent: Field[];
}

/**
 * Which claims the token carries (FedCM §"fields", `disclosure_shown_for`): the requested fields
 * the user has, each of which the browser disclosed in this prompt or the user granted this
 * client before. A requested field that was neither needs the IdP's own consent page.
 * `fields` absent: a returning user gets what was granted before; an old browser that only says
 * `disclosure_text_shown=true` disclosed the default three.
 */
export function decideDisclosure(user: User, form: DisclosureForm, granted: readonly string[] | undefined): AssertionDecision {
  const requested = form.fields ?? (granted !== undefined ? granted.filter(isField) : form.disclosureTextShown ? [...DEFAULT_FIELDS] : []);
  const disclosed = form.disclosureShownFor ?? (form.disclosureTextShown ? [...DEFAULT_FIELDS] : []);
  const available = availableFields(user);
  const wanted = requested.filter((f) => available.includes(f));
  const approved = new Set<string>([...disclosed, ...(granted ?? [])]);
  return { disclose: wanted.filter((f) => approved.has(f)), needsConsent: wanted.filter((f) => !approved.has(f)) };
}

/**
 * The checks of a store's assertion step on what it read (store/types.ts `assertionStep`): the
 * fields to disclose when the step may complete (a known client listing the origin, a live
 * session of the account asked for, nothing left that needs the IdP's consent page), or
 * undefined when it must not. The SQLite store runs it inside its transaction and the
 * call-by-call fallback between its reads and writes, so both decide alike.
 */
export function stepDisclosure(
  complete: AssertionStepInput['complete'],
  client: AssertionStepResult['client'],
  session: AssertionStepResult['session'],
  grant: AssertionStepResult['grant'],
): Field[] | undefined {
  if (complete === undefined || client === undefined || session === undefined) return undefined;
  if (!client.origins.includes(complete.origin) || session.user.id !== complete.accountId) return undefined;
  const d = complete.disclosure;
  const decision = decideDisclosure(session.user, { fields: d.fields?.filter(isField), disclosureShownFor: d.disclosureShownFor?.filter(isField), disclosureTextShown: d.disclosureTextShown }, grant?.fields);
  return decision.needsConsent.length > 0 ? undefined : decision.disclose;
}

// The page's PasswordCredential and FederatedCredential constructors run in the page, and
// synchronously, as browsers run them: there is no synchronous way to the agent. These are their
// conversions and checks, the agent's own (credentials/password.ts, federated.ts, forms.ts,
// credential-user-data.ts) with the same TypeError messages; the agent checks the credential
// again when the page hands it over (store(), create()).
//
// The init script embeds this function's source (page-script.ts), so it must be
// self-contained: no imports, no names from this module.

/** What the constructors and create() use in the page. */
export interface CredentialDataRules {
  /** `new PasswordCredential(...args)`: the credential's values (CM §3.2 overloads, §3.3.4, §3.3.5). */
  password(args: unknown[]): Record<string, unknown>;
  /** `new FederatedCredential(...args)`: the credential's values (CM §4.1, §4.2.4). */
  federated(args: unknown[]): Record<string, unknown>;
  /** WebIDL "implements HTMLFormElement", in any realm. */
  isForm(value: unknown): value is HTMLFormElement;
  /** A password form as PasswordCredentialData, for create({ password: form }) (CM §3.3.4 steps 3–7). */
  formData(form: HTMLFormElement): Record<string, string>;
}

/** The rules for a realm whose origin is `origin()` (the "current settings object"). */
export function credentialDataRules(origin: () => string): CredentialDataRules {
  const usv = (v: unknown): string => {
    if (typeof v === 'symbol') throw new TypeError('Cannot convert a Symbol value to a string.');
    const s = String(v);
    return typeof s.toWellFormed === 'function' ? s.toWellFormed() : s;
  };
  /** HTML "serialization of an origin" of a URL string: "null" unless it is a URL with a tuple origin. */
  const tupleOrigin = (value: string): string => {
    if (!URL.canParse(value)) return 'null';
    const u = new URL(value);
    return ['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol) ? u.origin : 'null';
  };
  const originMember = (value: string, iface: string): string => {
    if (value === '') throw new TypeError(`Failed to construct '${iface}': 'origin' must not be empty.`);
    const parsed = tupleOrigin(value);
    if (parsed === 'null') throw new TypeError(`Failed to construct '${iface}': 'origin' must be the origin of a web page, not '${value}'.`);
    return parsed;
  };
  const iconURLMember = (value: string, iface: string): string => {
    if (value !== '' && !URL.canParse(value)) throw new TypeError(`Failed to construct '${iface}': 'iconURL' must be a valid URL.`);
    return value;
  };
  const where = (member: string, dictionary: string): string => `Failed to read the '${member}' property from '${dictionary}'`;
  const dictionaryOf = (value: unknown, dictionary: string): Record<string, unknown> => {
    if (value === undefined || value === null) return {};
    if (typeof value !== 'object' && typeof value !== 'function') throw new TypeError(`The provided value is not of type '${dictionary}'.`);
    return value as Record<string, unknown>;
  };
  /** CredentialData's members (CM §2.1.1): `id` (required), then iconURL, name, origin (WebIDL reads them in order). */
  const credentialData = (d: Record<string, unknown>, dictionary: string): Record<string, string> => {
    const out: Record<string, string> = {};
    if (d['id'] === undefined) throw new TypeError(`${where('id', dictionary)}: Required member is undefined.`);
    out['id'] = usv(d['id']);
    for (const member of ['iconURL', 'name', 'origin']) if (d[member] !== undefined) out[member] = usv(d[member]);
    return out;
  };
  const isForm = (v: unknown): v is HTMLFormElement => typeof v === 'object' && v !== null && Object.prototype.toString.call(v) === '[object HTMLFormElement]';

  /** CM §3.3.5 "Create a PasswordCredential from PasswordCredentialData". */
  const passwordFromData = (data: Record<string, string>): Record<string, unknown> => {
    const iface = 'PasswordCredential';
    if (data['id'] === '') throw new TypeError(`Failed to construct '${iface}': 'id' must not be empty.`);
    const credentialOrigin = data['origin'] === undefined ? origin() : originMember(data['origin'], iface);
    if (data['password'] === '') throw new TypeError(`Failed to construct '${iface}': 'password' must not be empty.`);
    return { id: data['id'], type: 'password', password: data['password'], name: data['name'] ?? '', iconURL: iconURLMember(data['iconURL'] ?? '', iface), origin: credentialOrigin };
  };

  /** CM §3.3.4 steps 3–6: each submittable field's autocomplete tokens pick its FormData value. */
  const formData = (form: HTMLFormElement): Record<string, string> => {
    const data = new FormData(form);
    const fields: Record<string, string> = {};
    let newPassword = false;
    for (const field of Array.from(form.elements)) {
      if (!['button', 'input', 'select', 'textarea'].includes(field.localName)) continue;
      const autocomplete = field.getAttribute('autocomplete');
      const name = field.getAttribute('name');
      if (autocomplete === null || name === null || !data.has(name)) continue;
      const value = data.get(name);
      if (typeof value !== 'string') continue;
      for (const token of autocomplete.split(/[\t\n\f\r ]+/)) {
        const t = token.replace(/[A-Z]/g, (c) => c.toLowerCase());
        if (t === 'new-password') {
          fields['password'] = value;
          newPassword = true;
        } else if (t === 'current-password' && !newPassword) fields['password'] = value;
        else if (t === 'photo') fields['iconURL'] = value;
        else if (t === 'name' || t === 'nickname') fields['name'] = value;
        else if (t === 'username') fields['id'] = value;
      }
    }
    // Step 7 goes on with the data; Chromium's messages say which autocomplete token is missing.
    if (fields['id'] === undefined) throw new TypeError("'username' must be specified in the form's autocomplete attribute.");
    if (fields['password'] === undefined) throw new TypeError("Either 'current-password' or 'new-password' must be specified in the form's autocomplete attribute.");
    return fields;
  };

  /** PasswordCredentialData (CM §3.3): CredentialData's members, then `password` (required). */
  const passwordData = (value: unknown): Record<string, string> => {
    const d = dictionaryOf(value, 'PasswordCredentialData');
    const out = credentialData(d, 'PasswordCredentialData');
    if (d['password'] === undefined) throw new TypeError(`${where('password', 'PasswordCredentialData')}: Required member is undefined.`);
    out['password'] = usv(d['password']);
    return out;
  };

  return {
    isForm,
    formData,
    /** CM §3.2: WebIDL overload resolution between constructor(HTMLFormElement) and constructor(PasswordCredentialData). */
    password(args) {
      if (args.length === 0) throw new TypeError("Failed to construct 'PasswordCredential': 1 argument required, but only 0 present.");
      const init = args[0];
      if (isForm(init)) return passwordFromData(formData(init));
      if (init !== undefined && init !== null && typeof init !== 'object' && typeof init !== 'function') {
        throw new TypeError("Failed to construct 'PasswordCredential': The provided value is not of type '(HTMLFormElement or PasswordCredentialData)'.");
      }
      return passwordFromData(passwordData(init));
    },
    /** CM §4.2.4 "Create a FederatedCredential from FederatedCredentialInit" (`protocol` kept, as the agent does). */
    federated(args) {
      const iface = 'FederatedCredential';
      if (args.length === 0) throw new TypeError(`Failed to construct '${iface}': 1 argument required, but only 0 present.`);
      const d = dictionaryOf(args[0], 'FederatedCredentialInit');
      const data = credentialData(d, 'FederatedCredentialInit');
      const protocol = d['protocol'] === undefined ? null : usv(d['protocol']);
      if (d['provider'] === undefined) throw new TypeError(`${where('provider', 'FederatedCredentialInit')}: Required member is undefined.`);
      const provider = usv(d['provider']);
      if (data['id'] === '') throw new TypeError(`Failed to construct '${iface}': 'id' must not be empty.`);
      if (provider === '') throw new TypeError(`Failed to construct '${iface}': 'provider' must not be empty.`);
      // CM §4.1.1 "Identifying Providers": the provider is its origin ("https://idp.example/" too).
      const providerOrigin = tupleOrigin(provider);
      if (providerOrigin === 'null') throw new TypeError(`Failed to construct '${iface}': 'provider' must be the origin of the identity provider, like 'https://idp.example'.`);
      const credentialOrigin = data['origin'] === undefined ? origin() : originMember(data['origin'], iface);
      return { id: data['id'], type: 'federated', provider: providerOrigin, protocol, name: data['name'] ?? '', iconURL: iconURLMember(data['iconURL'] ?? '', iface), origin: credentialOrigin };
    },
  };
}

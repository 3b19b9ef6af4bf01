// WPT credential-management/idlharness.https.window.js: idlharness checks the WebIDL shape of
// Credential Management's interfaces (Credential, CredentialsContainer, PasswordCredential,
// FederatedCredential, CredentialUserData, navigator.credentials) against the objects a page
// sees. Re-expressed as the same checks (WebIDL §3.7 "interface objects", §3.7.3 "interface
// prototype objects", §3.7.6 attributes, §3.7.7 operations, §3.7.8 class strings) run on the
// agent's classes and on one instance of each, built as the WPT file builds them.
//
// The interface objects are the agent's classes. A frame's `PasswordCredential` and
// `FederatedCredential` are those classes bound to the frame's origin (credentials/interfaces.ts):
// same prototype, so `instanceof` holds across frames; that binding is checked too.

import assert from 'node:assert/strict';
import { Credential, CredentialsContainer, FederatedCredential, PasswordCredential, type Frame } from '../../../src/agent/index.js';
import { offline } from '../support/extra-credman.js';
import { notApplicable, subtest, wptFile } from '../wpt.js';

// The IDL under test (Credential Management Level 1, with CredentialUserData's members included).
interface InterfaceIdl {
  name: string;
  object: () => unknown;
  parent: string | null;
  /** Number of required arguments of the shortest constructor; null: no constructor. */
  constructorLength: number | null;
  attributes: { name: string; nullable?: boolean }[];
  operations: { name: string; length: number }[];
  staticOperations: { name: string; length: number }[];
  /** Expression for an instance, as idl_array.add_objects names it. */
  instance?: { label: string; make: (page: Frame) => unknown };
}

const IDL: InterfaceIdl[] = [
  {
    name: 'Credential',
    object: () => Credential,
    parent: null,
    constructorLength: null,
    attributes: [{ name: 'id' }, { name: 'type' }],
    operations: [],
    staticOperations: [{ name: 'isConditionalMediationAvailable', length: 0 }],
  },
  {
    name: 'CredentialsContainer',
    object: () => CredentialsContainer,
    parent: null,
    constructorLength: null,
    attributes: [],
    operations: [
      { name: 'get', length: 0 },
      { name: 'store', length: 1 },
      { name: 'create', length: 0 },
      { name: 'preventSilentAccess', length: 0 },
    ],
    staticOperations: [],
    instance: { label: 'navigator.credentials', make: (page) => page.navigator.credentials },
  },
  {
    name: 'PasswordCredential',
    object: () => PasswordCredential,
    parent: 'Credential',
    constructorLength: 1,
    attributes: [{ name: 'password' }, { name: 'name' }, { name: 'iconURL' }],
    operations: [],
    staticOperations: [],
    instance: {
      label: 'passwordCredential',
      make: (page) => new page.PasswordCredential!({ id: 'id', password: 'pencil', iconURL: 'https://example.com/', name: 'name' }),
    },
  },
  {
    name: 'FederatedCredential',
    object: () => FederatedCredential,
    parent: 'Credential',
    constructorLength: 1,
    attributes: [{ name: 'provider' }, { name: 'protocol', nullable: true }, { name: 'name' }, { name: 'iconURL' }],
    operations: [],
    staticOperations: [],
    instance: {
      label: 'federatedCredential',
      make: (page) => new page.FederatedCredential!({ id: 'id', provider: 'https://example.com', iconURL: 'https://example.com/', name: 'name' }),
    },
  },
];

const byName = new Map(IDL.map((i) => [i.name, i]));
type Callable = ((...args: unknown[]) => unknown) & { prototype: object };
const objectOf = (i: InterfaceIdl): Callable => i.object() as Callable;

wptFile('credential-management/idlharness.https.window.js', () => {
  for (const iface of IDL) {
    const I = iface.name;

    subtest(`${I} interface: existence and properties of interface object`, () => {
      const object = objectOf(iface);
      assert.equal(typeof object, 'function', `${I} is not a function`);
      const parent = iface.parent === null ? Function.prototype : objectOf(byName.get(iface.parent)!);
      assert.equal(Object.getPrototypeOf(object), parent, `prototype of ${I} is not ${iface.parent ?? 'Function.prototype'}`);
      if (iface.constructorLength === null) {
        assert.throws(() => (object as unknown as () => unknown)(), TypeError, 'interface object didn\'t throw TypeError when called as a function');
        assert.throws(() => new (object as unknown as new () => unknown)(), TypeError, 'interface object didn\'t throw TypeError when called as a constructor');
      }
    });

    subtest(`${I} interface object length`, () => {
      const desc = Object.getOwnPropertyDescriptor(objectOf(iface), 'length');
      assert.ok(desc, `${I} does not have an own length property`);
      assert.deepEqual([desc.writable, desc.enumerable, desc.configurable], [false, false, true], `${I}.length property attributes`);
      assert.equal(desc.value, iface.constructorLength ?? 0, `wrong value for ${I}.length`);
    });

    subtest(`${I} interface object name`, () => {
      const desc = Object.getOwnPropertyDescriptor(objectOf(iface), 'name');
      assert.ok(desc, `${I} does not have an own name property`);
      assert.deepEqual([desc.writable, desc.enumerable, desc.configurable], [false, false, true], `${I}.name property attributes`);
      assert.equal(desc.value, I, `wrong value for ${I}.name`);
    });

    subtest(`${I} interface: existence and properties of interface prototype object`, () => {
      const object = objectOf(iface);
      const desc = Object.getOwnPropertyDescriptor(object, 'prototype');
      assert.ok(desc, `${I}.prototype does not exist`);
      assert.deepEqual([desc.writable, desc.enumerable, desc.configurable], [false, false, false], `${I}.prototype property attributes`);
      const parentPrototype = iface.parent === null ? Object.prototype : objectOf(byName.get(iface.parent)!).prototype;
      assert.equal(Object.getPrototypeOf(object.prototype), parentPrototype, `prototype of ${I}.prototype`);
      assert.equal(Object.prototype.toString.call(object.prototype), `[object ${I}]`, `class string of ${I}.prototype`);
    });

    subtest(`${I} interface: existence and properties of interface prototype object's "constructor" property`, () => {
      const object = objectOf(iface);
      const desc = Object.getOwnPropertyDescriptor(object.prototype, 'constructor');
      assert.ok(desc, `${I}.prototype does not have own property "constructor"`);
      assert.deepEqual([desc.writable, desc.enumerable, desc.configurable], [true, false, true], `${I}.prototype.constructor property attributes`);
      assert.equal(desc.value, object, `${I}.prototype.constructor is not the same object as ${I}`);
    });

    for (const attribute of iface.attributes) {
      subtest(`${I} interface: attribute ${attribute.name}`, () => {
        const prototype = objectOf(iface).prototype;
        const desc = Object.getOwnPropertyDescriptor(prototype, attribute.name);
        assert.ok(desc, `The prototype object must have a property "${attribute.name}"`);
        assert.equal(typeof desc.get, 'function', `${attribute.name} must have a getter`);
        assert.equal(desc.set, undefined, `${attribute.name} is readonly: no setter`);
        assert.deepEqual([desc.enumerable, desc.configurable], [true, true], `${attribute.name} property attributes`);
        assert.throws(() => Reflect.get(prototype, attribute.name), TypeError, `getting ${attribute.name} on the prototype object must throw TypeError`);
        assert.equal(desc.get?.length, 0, `getter length`);
      });
    }

    for (const operation of iface.operations) {
      subtest(`${I} interface: operation ${operation.name}`, () => {
        const desc = Object.getOwnPropertyDescriptor(objectOf(iface).prototype, operation.name);
        assert.ok(desc, `interface prototype object missing non-static operation ${operation.name}`);
        assert.equal(typeof desc.value, 'function', `${operation.name} must be a function`);
        assert.deepEqual([desc.writable, desc.enumerable, desc.configurable], [true, true, true], `${operation.name} property attributes`);
        assert.equal((desc.value as Callable).length, operation.length, `${operation.name} length`);
        assert.equal((desc.value as Callable).name, operation.name, `${operation.name} name`);
      });
    }

    for (const operation of iface.staticOperations) {
      subtest(`${I} interface: operation ${operation.name}() (static)`, () => {
        const desc = Object.getOwnPropertyDescriptor(objectOf(iface), operation.name);
        assert.ok(desc, `interface object missing static operation ${operation.name}`);
        assert.equal(typeof desc.value, 'function');
        assert.deepEqual([desc.writable, desc.enumerable, desc.configurable], [true, true, true], `${operation.name} property attributes`);
        assert.equal((desc.value as Callable).length, operation.length, `${operation.name} length`);
      });
    }

    const instance = iface.instance;
    if (instance) {
      subtest(`${I} must be primary interface of ${instance.label}`, () =>
        offline(async ({ page }) => {
          const obj = instance.make(page) as object;
          assert.equal(Object.getPrototypeOf(obj), objectOf(iface).prototype);
        }),
      );

      subtest(`Stringification of ${instance.label}`, () =>
        offline(async ({ page }) => {
          assert.equal(Object.prototype.toString.call(instance.make(page)), `[object ${I}]`, 'class string');
        }),
      );

      // Every attribute of the interface and its inherited interfaces is reached through the
      // prototype chain, not as the instance's own property.
      const inherited: { iface: InterfaceIdl; name: string; nullable?: boolean }[] = [];
      for (let i: InterfaceIdl | undefined = iface; i; i = i.parent === null ? undefined : byName.get(i.parent)) {
        for (const a of i.attributes) inherited.push({ iface: i, ...a });
      }
      for (const attribute of inherited) {
        subtest(`${I} interface: ${instance.label} must inherit property "${attribute.name}" with the proper type`, () =>
          offline(async ({ page }) => {
            const obj = instance.make(page) as Record<string, unknown>;
            assert.ok(attribute.name in obj, `${attribute.name} is not in ${instance.label}`);
            assert.equal(Object.hasOwn(obj, attribute.name), false, `${instance.label} has an own property "${attribute.name}"; it must be inherited`);
            const value = obj[attribute.name];
            assert.ok(typeof value === 'string' || (attribute.nullable === true && value === null), `${attribute.name} is a USVString${attribute.nullable ? ' or null' : ''}`);
          }),
        );
      }
      for (const operation of iface.operations) {
        subtest(`${I} interface: ${instance.label} must inherit property "${operation.name}" with the proper type`, () =>
          offline(async ({ page }) => {
            const obj = instance.make(page) as Record<string, unknown>;
            assert.equal(typeof obj[operation.name], 'function');
            assert.equal(Object.hasOwn(obj, operation.name), false);
          }),
        );
      }
    }
  }

  subtest('Navigator interface: attribute credentials', () =>
    offline(async ({ page }) => {
      // [SecureContext, SameObject] readonly attribute CredentialsContainer credentials.
      assert.ok(page.navigator.credentials instanceof CredentialsContainer);
      assert.equal(page.navigator.credentials, page.navigator.credentials, '[SameObject]');
    }),
  );

  subtest("A frame's PasswordCredential and FederatedCredential are the interfaces bound to its origin", () =>
    offline(async ({ page }) => {
      for (const [bound, object] of [
        [page.PasswordCredential, PasswordCredential],
        [page.FederatedCredential, FederatedCredential],
      ] as const) {
        assert.ok(bound);
        assert.equal(bound.prototype, object.prototype);
        assert.equal(bound.name, object.name);
        assert.equal(bound.length, object.length);
      }
    }),
  );
});

notApplicable(
  'credential-management/idl.https.html',
  'Obsolete: it checks the 2016 draft IDL (CredentialsContainer.requireUserMediation(), PasswordCredential idName/passwordName/additionalData, CredentialData dictionaries), all removed from Credential Management Level 1; the current IDL check is idlharness.https.window.js.',
);

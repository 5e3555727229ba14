/**
 * The kinds of row several settings share (a Spark configuration set per role, a role's resources, a map on every
 * pod), each a function that makes the row of one setting. Pure.
 */
import { Type } from '@sinclair/typebox';
import { invalidField } from './errors.js';
import { parseResources, type Resources } from './resources.js';
import {
  configName,
  LABEL_VALUE_PATTERN,
  podMapKeys,
  RULE_KEYWORD,
  type NameRule,
  ResourcesInput,
  ResourcesModel,
} from './setting-schemas.js';
import { parseConfigName } from './setting-values.js';
import { setting, text, trimmed } from './setting.js';

/** A ConfigMap of Spark configuration files for one role. */
export function sparkConfigSet<const K extends string>(key: K, role: 'master' | 'workers', flag: string) {
  return setting({
    key,
    label: `the Spark configuration of the ${role}`,
    required: true,
    input: () =>
      configName(
        `ConfigMap with Spark config files for the ${role} (Kubernetes; the local driver refuses it)`,
      ),
    model: Type.String(),
    default: () => '',
    parse: (value, field) => parseConfigName(text(value), field),
    stored: { keys: [key.toLowerCase()], read: (raw, _key, field) => parseConfigName(trimmed(raw), field) },
    onChange: 'refuse',
    localRefusal:
      'Spark configuration sets are not supported by the local driver; put the settings into a local image with `oshinko image build --conf KEY=VALUE`',
    cli: {
      form: 'value',
      flags: [
        {
          flag: `--${flag}`,
          arg: '<name>',
          help:
            role === 'master'
              ? 'Kubernetes: ConfigMap with Spark config files for the master (the local driver refuses it: use `oshinko image build --conf`)'
              : 'Kubernetes: ConfigMap with Spark config files for the workers (the local driver refuses it)',
        },
        { flag: `--${flag.replace('config', '-config')}`, arg: '<name>', help: '', sameAs: `--${flag}` },
      ],
    },
  });
}

/** CPU and memory of one role; stored as two keys (`mastercpu`, `mastermemory`). */
export function roleResources<const K extends string>(key: K, role: 'master' | 'worker') {
  const described =
    role === 'master'
      ? ResourcesInput('the master', 'the memory sets its heap, the CPU is accepted but not enforced')
      : ResourcesInput(
          'each worker, which it offers its master',
          'the offer alone, nothing limits a process',
        );
  return setting({
    key,
    label: 'the resources',
    input: () => described,
    model: ResourcesModel,
    parse: (value, field): Resources => parseResources(value, field, role),
    stored: {
      keys: [`${role}cpu`, `${role}memory`],
      read: (raw, storedKey, field, previous: Resources | undefined): Resources => {
        const which = storedKey.endsWith('cpu') ? 'cpu' : 'memory';
        parseResources({ [which]: raw.trim() }, field, role);
        return { ...previous, [which]: raw.trim() };
      },
    },
    onChange: 'refuse',
    cli: {
      form: 'resources',
      flags:
        role === 'master'
          ? [
              {
                flag: '--master-cpu',
                arg: '<quantity>',
                help: 'CPU of the master, request and limit (e.g. 1, 500m; local driver: not enforced)',
              },
              {
                flag: '--master-memory',
                arg: '<quantity>',
                help: 'memory of the master, request and limit (e.g. 2Gi); its heap is 3/4 of it',
              },
            ]
          : [
              {
                flag: '--worker-cpu',
                arg: '<quantity>',
                help: 'CPU of each worker, which it offers its master (e.g. 2)',
              },
              {
                flag: '--worker-memory',
                arg: '<quantity>',
                help: 'memory of each worker; it offers what its daemon leaves (e.g. 4Gi)',
              },
            ],
    },
  });
}

export const POD_SETTINGS_LOCAL =
  'pod settings are for the Kubernetes driver; the local driver runs processes, not pods';

/** A pod setting held as JSON in a stored configuration. */
export function jsonStored<V>(parse: (value: unknown, field: string) => V, key: string) {
  return {
    keys: [key],
    read: (raw: string, _key: string, field: string): V => {
      let value: unknown;
      try {
        value = JSON.parse(raw) as unknown;
      } catch (error) {
        throw invalidField(field, `not JSON (${(error as Error).message})`);
      }
      return parse(value, field);
    },
  };
}

/** A map of strings on every pod (node selector, labels, annotations), given as repeatable KEY=VALUE flags. */
export function podMap<const K extends string>(
  key: K,
  label: string,
  parse: (value: unknown, field: string) => Record<string, string>,
  keys: { readonly rule: NameRule; readonly reserved: boolean; readonly labelValues: boolean },
  description: string,
  flag: string,
  help: string,
) {
  return setting({
    key,
    label,
    input: () =>
      Type.Record(
        Type.String(),
        keys.labelValues
          ? Type.String({
              maxLength: 63,
              pattern: LABEL_VALUE_PATTERN,
              [RULE_KEYWORD]: 'label-value' satisfies NameRule,
            })
          : Type.String(),
        { description, propertyNames: podMapKeys(keys.rule, keys.reserved) },
      ),
    model: Type.Record(Type.String(), Type.String()),
    parse,
    stored: jsonStored(parse, key.toLowerCase()),
    onChange: 'refuse',
    localRefusal: POD_SETTINGS_LOCAL,
    cli: { form: 'pairs', flags: [{ flag, arg: '<key=value>', help, repeatable: true }] },
  });
}

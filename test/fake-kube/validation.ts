/**
 * What the real API server rejects, for the fake: the official OpenAPI schemas (shipped by `kubernetes-models`,
 * generated from the Kubernetes OpenAPI definitions) plus the apimachinery rules the schemas cannot express
 * (name and label formats, selector/template agreement, port names, ...).
 */
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ReplicaSet } from 'kubernetes-models/apps/v1/ReplicaSet';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Service } from 'kubernetes-models/v1/Service';

export interface Cause {
  readonly field: string;
  readonly reason:
    'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueNotSupported' | 'FieldValueTypeInvalid';
  readonly message: string;
}

type Json = Record<string, unknown>;

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

const invalid = (field: string, value: unknown, why: string): Cause => ({
  field,
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${JSON.stringify(value)}: ${why}`,
});
const required = (field: string): Cause => ({
  field,
  reason: 'FieldValueRequired',
  message: 'Required value',
});

export function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return 'a qualified name must consist of an optional prefix, "/" and a name';
  const name = parts.length === 2 ? (parts[1] ?? '') : key;
  const prefix = parts.length === 2 ? parts[0] : undefined;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_1123_SUBDOMAIN.test(prefix))) {
    return 'prefix part must be a lowercase RFC 1123 subdomain';
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (max 63)";
  }
  return undefined;
}

function checkLabels(labels: unknown, field: string, causes: Cause[]): void {
  if (labels === undefined) return;
  if (!isRecord(labels)) {
    causes.push(invalid(field, labels, 'must be a map of strings'));
    return;
  }
  for (const [key, value] of Object.entries(labels)) {
    const problem = qualifiedNameProblem(key);
    if (problem) causes.push(invalid(field, key, problem));
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      causes.push(
        invalid(
          field,
          value,
          'a valid label value must be 63 characters or less and must be empty or begin and end with an alphanumeric character',
        ),
      );
    }
  }
}

export type NameRule = 'subdomain' | 'dns1035';

/** Checks the metadata as apimachinery's ValidateObjectMeta does. */
export function validateMeta(meta: unknown, rule: NameRule, causes: Cause[]): void {
  if (!isRecord(meta)) {
    causes.push(required('metadata'));
    return;
  }
  const name = str(meta.name);
  if (name === undefined || name === '') {
    if (str(meta.generateName) === undefined) causes.push(required('metadata.name'));
  } else if (rule === 'dns1035') {
    if (name.length > 63 || !DNS_1035_LABEL.test(name)) {
      causes.push(
        invalid(
          'metadata.name',
          name,
          "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        ),
      );
    }
  } else if (name.length > 253 || !DNS_1123_SUBDOMAIN.test(name)) {
    causes.push(
      invalid(
        'metadata.name',
        name,
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
      ),
    );
  }
  checkLabels(meta.labels, 'metadata.labels', causes);
  if (meta.annotations !== undefined) {
    if (!isRecord(meta.annotations))
      causes.push(invalid('metadata.annotations', meta.annotations, 'must be a map'));
    else {
      let size = 0;
      for (const [key, value] of Object.entries(meta.annotations)) {
        const problem = qualifiedNameProblem(key);
        if (problem) causes.push(invalid('metadata.annotations', key, problem));
        size += key.length + (typeof value === 'string' ? value.length : 0);
      }
      if (size > 256 * 1024)
        causes.push(invalid('metadata.annotations', '', 'Too long: must have at most 262144 bytes'));
    }
  }
  for (const [index, ref] of records(meta.ownerReferences).entries()) {
    for (const key of ['apiVersion', 'kind', 'name', 'uid']) {
      if (str(ref[key]) === undefined || ref[key] === '')
        causes.push(required(`metadata.ownerReferences[${index}].${key}`));
    }
  }
}

function checkProbe(probe: unknown, field: string, causes: Cause[]): void {
  if (!isRecord(probe)) return;
  const handlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'].filter((key) => probe[key] !== undefined);
  if (handlers.length !== 1) causes.push(invalid(field, handlers, 'must specify exactly one handler type'));
}

function checkPodSpec(spec: unknown, field: string, causes: Cause[]): void {
  if (!isRecord(spec)) {
    causes.push(required(field));
    return;
  }
  const containers = records(spec.containers);
  if (containers.length === 0) causes.push(required(`${field}.containers`));
  const volumes = new Set(records(spec.volumes).map((v) => str(v.name)));
  for (const [index, volume] of records(spec.volumes).entries()) {
    const name = str(volume.name) ?? '';
    if (!DNS_1123_LABEL.test(name))
      causes.push(invalid(`${field}.volumes[${index}].name`, name, 'must be a DNS-1123 label'));
  }
  const names = new Set<string>();
  for (const [index, container] of containers.entries()) {
    const at = `${field}.containers[${index}]`;
    const name = str(container.name) ?? '';
    if (!DNS_1123_LABEL.test(name) || name.length > 63)
      causes.push(invalid(`${at}.name`, name, 'must be a DNS-1123 label'));
    if (names.has(name))
      causes.push({
        field: `${at}.name`,
        reason: 'FieldValueInvalid',
        message: `Duplicate value: ${JSON.stringify(name)}`,
      });
    names.add(name);
    const image = str(container.image);
    if (image === undefined || image.trim() === '') causes.push(required(`${at}.image`));
    else if (image !== image.trim())
      causes.push(invalid(`${at}.image`, image, 'must not have leading or trailing whitespace'));
    for (const [p, port] of records(container.ports).entries()) {
      const number = port.containerPort;
      if (typeof number !== 'number' || number < 1 || number > 65535) {
        causes.push(
          invalid(`${at}.ports[${p}].containerPort`, number, 'must be between 1 and 65535, inclusive'),
        );
      }
      const portName = str(port.name);
      if (
        portName !== undefined &&
        (portName.length > 15 || !IANA_SVC_NAME.test(portName) || !/[a-z]/.test(portName))
      ) {
        causes.push(
          invalid(
            `${at}.ports[${p}].name`,
            portName,
            'must be no more than 15 characters and an IANA service name',
          ),
        );
      }
    }
    for (const [e, env] of records(container.env).entries()) {
      const envName = str(env.name) ?? '';
      if (!ENV_NAME.test(envName))
        causes.push(
          invalid(
            `${at}.env[${e}].name`,
            envName,
            'a valid environment variable name must consist of alphabetic characters, digits, "_", "-", or "."',
          ),
        );
      if (env.value !== undefined && env.valueFrom !== undefined) {
        causes.push(
          invalid(`${at}.env[${e}].valueFrom`, '', 'may not be specified when `value` is not empty'),
        );
      }
    }
    for (const [m, mount] of records(container.volumeMounts).entries()) {
      if (!volumes.has(str(mount.name)))
        causes.push({
          field: `${at}.volumeMounts[${m}].name`,
          reason: 'FieldValueNotSupported',
          message: `Not found: ${JSON.stringify(mount.name)}`,
        });
      if (str(mount.mountPath) === undefined) causes.push(required(`${at}.volumeMounts[${m}].mountPath`));
    }
    checkProbe(container.readinessProbe, `${at}.readinessProbe`, causes);
    checkProbe(container.livenessProbe, `${at}.livenessProbe`, causes);
  }
}

function matches(selector: unknown, labels: unknown): boolean {
  if (!isRecord(selector) || !isRecord(labels)) return false;
  const matchLabels = isRecord(selector.matchLabels) ? selector.matchLabels : {};
  return Object.entries(matchLabels).every(([key, value]) => labels[key] === value);
}

function checkWorkload(object: Json, causes: Cause[]): void {
  const spec = object.spec;
  if (!isRecord(spec)) {
    causes.push(required('spec'));
    return;
  }
  if (typeof spec.replicas === 'number' && spec.replicas < 0)
    causes.push(invalid('spec.replicas', spec.replicas, 'must be greater than or equal to 0'));
  const selector = spec.selector;
  if (
    !isRecord(selector) ||
    (Object.keys(isRecord(selector.matchLabels) ? selector.matchLabels : {}).length === 0 &&
      selector.matchExpressions === undefined)
  ) {
    causes.push(required('spec.selector'));
  }
  checkLabels(isRecord(selector) ? selector.matchLabels : undefined, 'spec.selector.matchLabels', causes);
  const template = isRecord(spec.template) ? spec.template : undefined;
  const templateMeta = isRecord(template?.metadata) ? template.metadata : undefined;
  checkLabels(templateMeta?.labels, 'spec.template.metadata.labels', causes);
  if (!matches(selector, templateMeta?.labels)) {
    causes.push(
      invalid(
        'spec.template.metadata.labels',
        templateMeta?.labels ?? {},
        '`selector` does not match template `labels`',
      ),
    );
  }
  checkPodSpec(template?.spec, 'spec.template.spec', causes);
  const strategy = isRecord(spec.strategy) ? spec.strategy : undefined;
  if (strategy?.type === 'Recreate' && strategy.rollingUpdate !== undefined) {
    causes.push({
      field: 'spec.strategy.rollingUpdate',
      reason: 'FieldValueInvalid',
      message: "Forbidden: may not be specified when strategy `type` is 'Recreate'",
    });
  }
}

function checkService(object: Json, causes: Cause[]): void {
  const spec = isRecord(object.spec) ? object.spec : {};
  const ports = records(spec.ports);
  if (ports.length === 0 && spec.type !== 'ExternalName' && spec.clusterIP !== 'None')
    causes.push(required('spec.ports'));
  const portNames = new Set<string>();
  for (const [index, port] of ports.entries()) {
    const number = port.port;
    if (typeof number !== 'number' || number < 1 || number > 65535)
      causes.push(invalid(`spec.ports[${index}].port`, number, 'must be between 1 and 65535, inclusive'));
    const name = str(port.name);
    if (ports.length > 1 && (name === undefined || name === ''))
      causes.push(required(`spec.ports[${index}].name`));
    if (name !== undefined && name !== '') {
      if (!DNS_1123_LABEL.test(name))
        causes.push(invalid(`spec.ports[${index}].name`, name, 'must be a DNS-1123 label'));
      if (portNames.has(name))
        causes.push({
          field: `spec.ports[${index}].name`,
          reason: 'FieldValueInvalid',
          message: `Duplicate value: ${JSON.stringify(name)}`,
        });
      portNames.add(name);
    }
  }
  checkLabels(spec.selector, 'spec.selector', causes);
}

function checkIngress(object: Json, causes: Cause[]): void {
  const spec = isRecord(object.spec) ? object.spec : {};
  for (const [index, rule] of records(spec.rules).entries()) {
    const host = str(rule.host);
    if (host !== undefined && !DNS_1123_SUBDOMAIN.test(host.replace(/^\*\./, '')))
      causes.push(invalid(`spec.rules[${index}].host`, host, 'must be a DNS-1123 subdomain'));
    const http = isRecord(rule.http) ? rule.http : {};
    for (const [p, path] of records(http.paths).entries()) {
      if (str(path.pathType) === undefined)
        causes.push(required(`spec.rules[${index}].http.paths[${p}].pathType`));
    }
  }
}

/** Routes have no schema in the official definitions (OpenShift API); the fields the API server requires. */
function checkRoute(object: Json, causes: Cause[]): void {
  const spec = isRecord(object.spec) ? object.spec : undefined;
  if (spec === undefined) {
    causes.push(required('spec'));
    return;
  }
  const to = isRecord(spec.to) ? spec.to : undefined;
  if (to?.kind !== 'Service') causes.push(invalid('spec.to.kind', to?.kind, 'must be Service'));
  if (str(to?.name) === undefined || to?.name === '') causes.push(required('spec.to.name'));
  const host = str(spec.host);
  if (host !== undefined && host !== '' && !DNS_1123_SUBDOMAIN.test(host))
    causes.push(invalid('spec.host', host, 'must be a DNS-1123 subdomain'));
}

interface Validatable {
  validate(): void;
}

/** Validates against the official OpenAPI schema; each Ajv issue becomes a cause. */
function schemaCauses(make: () => Validatable): Cause[] {
  try {
    make().validate();
    return [];
  } catch (error) {
    const issues = (error as { errors?: { instancePath: string; message?: string; params?: unknown }[] })
      .errors;
    // Only the schema's verdict (Ajv's issues) is an invalid object; anything else is a bug of the fake to see.
    if (!Array.isArray(issues)) throw error;
    return issues.map((issue) => ({
      field: issue.instancePath.replace(/^\//, '').replace(/\//g, '.'),
      reason: 'FieldValueTypeInvalid',
      message: `Invalid value: ${issue.message ?? 'does not match the schema'}`,
    }));
  }
}

export type ResourceName =
  | 'pods'
  | 'services'
  | 'configmaps'
  | 'secrets'
  | 'events'
  | 'deployments'
  | 'replicasets'
  | 'ingresses'
  | 'routes';

/** All causes for an object of `resource`; empty when the real API server would accept it. */
export function validateObject(resource: ResourceName, object: Json): Cause[] {
  const causes: Cause[] = [];
  validateMeta(object.metadata, resource === 'services' ? 'dns1035' : 'subdomain', causes);
  // The models take the JSON as it came; their constructors only fill in apiVersion and kind.
  const data = object as never;
  switch (resource) {
    case 'deployments':
      causes.push(...schemaCauses(() => new Deployment(data)));
      checkWorkload(object, causes);
      break;
    case 'replicasets':
      causes.push(...schemaCauses(() => new ReplicaSet(data)));
      checkWorkload(object, causes);
      break;
    case 'pods':
      causes.push(...schemaCauses(() => new Pod(data)));
      checkPodSpec(object.spec, 'spec', causes);
      break;
    case 'services':
      causes.push(...schemaCauses(() => new Service(data)));
      checkService(object, causes);
      break;
    case 'configmaps':
      causes.push(...schemaCauses(() => new ConfigMap(data)));
      for (const key of Object.keys(isRecord(object.data) ? object.data : {})) {
        if (!/^[-._a-zA-Z0-9]+$/.test(key) || key.length > 253)
          causes.push(
            invalid(
              'data',
              key,
              'a valid config key must consist of alphanumeric characters, "-", "_" or "."',
            ),
          );
      }
      break;
    case 'ingresses':
      causes.push(...schemaCauses(() => new Ingress(data)));
      checkIngress(object, causes);
      break;
    case 'routes':
      checkRoute(object, causes);
      break;
    case 'events':
    case 'secrets':
      break;
  }
  return causes;
}

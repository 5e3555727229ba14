/**
 * Every write of the driver: create (all or nothing, through the ledger of what it made), scale (both counts or
 * neither) and delete (in the foreground). Each waits until the watch cache shows its writes before it answers.
 */
import { ApiException, type V1Deployment } from '@kubernetes/client-node';
import type { ClusterObservation, ClusterSpec } from '../../core/cluster.js';
import type { ReplicaCounts } from '../../core/driver.js';
import { DEFAULT_STORED_CONFIG } from '../../core/cluster-config.js';
import {
  BackendUnavailableError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  TimeoutError,
  UnprocessableError,
} from '../../core/errors.js';
import type { Expectation } from './cluster-cache.js';
import { renderMaster, renderSecondary } from './cluster-renderer.js';
import type { ClusterReads } from './cluster-reads.js';
import {
  CreatedObjects,
  goneExpectations,
  writtenExpectation,
  type WrittenObject,
} from './created-objects.js';
import type { KubeApi } from './kube-api.js';
import { call, isStatus, kubeError, optional, statusMessage } from './kube-errors.js';
import { names } from './labels.js';
import { RESOURCES, WRITTEN, WRITTEN_KINDS, createObject, deleteObject } from './resources.js';
import type { WatchCache } from './watch-cache.js';
import type { WebUiExposure } from './web-ui-exposure.js';

export interface ClusterWritesOptions {
  readonly api: KubeApi;
  readonly exposure: WebUiExposure;
  readonly reads: ClusterReads;
  readonly cache: WatchCache;
}

/** How a failed create ends its message: what its roll-back left. */
function notCreated(failures: readonly string[]): string {
  return `the cluster was not created (${
    failures.length === 0
      ? 'nothing was left behind'
      : `and the rollback failed for ${failures.join(', ')}; delete the cluster to clean up`
  })`;
}

export class ClusterWrites {
  private readonly api: KubeApi;
  private readonly reads: ClusterReads;
  private readonly cache: WatchCache;

  constructor(private readonly options: ClusterWritesOptions) {
    this.api = options.api;
    this.reads = options.reads;
    this.cache = options.cache;
  }

  async create(spec: ClusterSpec): Promise<ClusterObservation> {
    await this.assertConfigMap(spec.config.sparkMasterConfig, 'config.sparkMasterConfig');
    await this.assertConfigMap(spec.config.sparkWorkerConfig, 'config.sparkWorkerConfig');
    await this.assertSecrets(spec);
    const context = await this.options.exposure.renderContext();
    const namespace = this.api.namespace;
    const masterName = names.master(spec.name);
    // A roll-back deletes in the background: at once, leaving what an object owns to the garbage collector.
    const created = new CreatedObjects(
      (object) => deleteObject(this.api, object.kind, object.name, 'Background'),
      this.cache,
    );
    let master: V1Deployment;
    try {
      master = await RESOURCES.deployments.create(this.api, renderMaster(spec, context));
    } catch (error) {
      if (isStatus(error, 409)) {
        throw new ConflictError(`cluster '${spec.name}' already exists (Deployment ${masterName})`, {
          field: 'name',
          cause: error,
        });
      }
      if (isStatus(error, 404)) {
        // Not the caller's fault: the server is pointed at a namespace that is not there.
        throw new BackendUnavailableError(
          `cannot create Deployment ${masterName}: namespace '${namespace}' does not exist (Kubernetes answered 404: ${statusMessage(error as ApiException<unknown>)})`,
          { cause: error },
        );
      }
      if (error instanceof ApiException && [400, 403, 422].includes(error.code)) {
        throw kubeError(`cannot create Deployment ${masterName}`, error);
      }
      // A timeout or a lost connection leaves the outcome unknown: the Deployment may exist. Remove it, so a
      // failed create never leaves a master behind.
      const domain = kubeError(`cannot create Deployment ${masterName}`, error);
      created.record('Deployment', masterName);
      const failures = await created.rollBack();
      throw new (domain instanceof TimeoutError ? TimeoutError : BackendUnavailableError)(
        `${domain.message}; ${notCreated(failures)}`,
        { cause: error },
      );
    }
    created.record('Deployment', masterName, master);
    const uid = master.metadata?.uid;
    try {
      if (uid === undefined)
        throw new BackendUnavailableError(`Deployment ${masterName} came back without a uid`);
      for (const object of renderSecondary(spec, context, { name: masterName, uid })) {
        const name = object.body.metadata?.name ?? '';
        const answer = await call(`cannot create ${object.kind} ${name}`, () =>
          createObject(this.api, object),
        );
        created.record(object.kind, name, answer);
      }
    } catch (error) {
      const failures = await created.rollBack();
      const domain = kubeError(`cannot create cluster '${spec.name}'`, error);
      const message = `${domain.message}; ${notCreated(failures)}`;
      const cause = { cause: error };
      throw domain instanceof ConflictError
        ? new ConflictError(message, { field: 'name', ...cause })
        : domain instanceof UnprocessableError
          ? new UnprocessableError(message, cause)
          : domain instanceof ForbiddenError
            ? new ForbiddenError(message, cause)
            : new BackendUnavailableError(message, cause);
    }
    // A delete (from another server) that removed the master while we were creating leaves what we made after
    // it without an owner: remove it ourselves, so the cluster is whole or gone, never half.
    const survivor = await optional(`cannot read Deployment ${masterName}`, () =>
      RESOURCES.deployments.get(this.api, masterName),
    );
    // A master that is being deleted (in the foreground) is as good as gone.
    if (survivor?.metadata?.uid !== uid || survivor.metadata.deletionTimestamp !== undefined) {
      // The master is no longer ours to remove: it is gone, or another delete is removing it.
      created.forget('Deployment', masterName);
      const failures = await created.rollBack();
      throw new ConflictError(
        `cluster '${spec.name}' was deleted while it was being created (${
          failures.length === 0
            ? 'nothing was left behind'
            : `removing ${failures.join(', ')} failed; delete the cluster to clean up`
        })`,
        { field: 'name' },
      );
    }
    await this.cache.seen(created.written);
    const observation = await this.reads.get(spec.name);
    if (observation === undefined) {
      throw new ConflictError(`cluster '${spec.name}' was deleted right after it was created`, {
        field: 'name',
      });
    }
    return observation;
  }

  async scale(name: string, counts: ReplicaCounts): Promise<ClusterObservation> {
    const current = await this.reads.get(name);
    if (current === undefined) throw new NotFoundError(`cluster '${name}' does not exist`);
    if (current.deleting !== undefined) {
      throw new ConflictError(
        `cluster '${name}' is being deleted (${current.deleting}); it cannot be scaled`,
      );
    }
    const targets: [string, number, number][] = [
      [names.master(name), counts.masterCount, current.config.masterCount],
      [names.worker(name), counts.workerCount, current.config.workerCount],
    ];
    const patch = (deployment: string, replicas: number) =>
      RESOURCES.deployments.patch(this.api, deployment, { spec: { replicas } });
    const done: [string, number][] = [];
    const writes: Expectation[] = [];
    for (const [deployment, replicas, was] of targets) {
      if (replicas === was) continue;
      // Counted before the call: a timed-out patch may still have been applied.
      done.push([deployment, was]);
      try {
        writes.push(...writtenExpectation('Deployment', await patch(deployment, replicas)));
      } catch (error) {
        // Put back what this scale changed, so a failed scale changes nothing rather than half of it.
        const failures: string[] = [];
        const reverts: Expectation[] = [];
        for (const [name, previous] of done.reverse()) {
          await patch(name, previous).then(
            (answer) => reverts.push(...writtenExpectation('Deployment', answer)),
            (revert: unknown) => {
              if (!isStatus(revert, 404)) failures.push(`Deployment ${name}`);
            },
          );
        }
        // The cache shows the restored counts before it answers again; when a restore failed, what Kubernetes
        // holds is unknown (a timed-out patch may still land), so it lists everything anew.
        if (reverts.length === done.length) void this.cache.seen(reverts, false);
        else this.cache.invalidate();
        const domain = kubeError(`cannot scale Deployment ${deployment}`, error);
        const note =
          failures.length === 0
            ? 'the counts were left as they were'
            : `and restoring the counts failed for ${failures.join(', ')}`;
        const message = `${domain.message}; ${note}`;
        const cause = { cause: error };
        throw domain instanceof NotFoundError
          ? new NotFoundError(message, cause)
          : domain instanceof TimeoutError
            ? new TimeoutError(message, cause)
            : domain instanceof ForbiddenError
              ? new ForbiddenError(message, cause)
              : new BackendUnavailableError(message, cause);
      }
    }
    await this.cache.seen(writes);
    const observation = await this.reads.get(name);
    if (observation === undefined)
      throw new NotFoundError(`cluster '${name}' was deleted while it was scaled`);
    return observation;
  }

  async delete(name: string): Promise<boolean> {
    const objects = await this.reads.clusterObjects(name);
    if (objects === undefined) return false;
    const targets: WrittenObject[] = WRITTEN_KINDS.flatMap((kind) =>
      (objects[WRITTEN[kind].plural] ?? []).map((object) => ({ kind, name: object.metadata?.name ?? '' })),
    );
    if (targets.length === 0) return false;
    // The master first: the garbage collector removes what it owns; the explicit deletes after it make the
    // result immediate and also catch objects whose owner reference was lost. In the foreground, so that the
    // cluster stays (Deleting) until its pods have stopped: once it is no longer reported, nothing of it is left,
    // and its name is free for a new cluster that its old pods cannot join.
    targets.sort((a, b) => Number(b.name === names.master(name)) - Number(a.name === names.master(name)));
    const deleted: WrittenObject[] = [];
    try {
      for (const target of targets) {
        try {
          await deleteObject(this.api, target.kind, target.name, 'Foreground');
        } catch (error) {
          if (!isStatus(error, 404)) throw kubeError(`cannot delete ${target.kind} ${target.name}`, error);
        }
        deleted.push(target);
      }
    } catch (error) {
      void this.cache.seen(goneExpectations(deleted), false);
      throw error;
    }
    await this.cache.seen(goneExpectations(deleted));
    return true;
  }

  /**
   * Every Secret the pods would name exists: a missing pull secret would otherwise show only as a pull failure
   * (the kubelet pulls without it), and a missing env Secret as pods stuck in CreateContainerConfigError.
   */
  private async assertSecrets(spec: ClusterSpec): Promise<void> {
    const { config } = spec;
    const stored = `stored configuration '${spec.storedConfig ?? DEFAULT_STORED_CONFIG}', key imagepullsecrets,`;
    const pullSecret = (index: number) =>
      spec.pullSecretsSource === 'stored-config'
        ? { field: 'config.name', named: stored }
        : spec.pullSecretsSource === 'default'
          ? { field: 'config.imagePullSecrets', named: "the server's OSHINKO_IMAGE_PULL_SECRETS" }
          : {
              field: `config.imagePullSecrets[${String(index)}]`,
              named: `config.imagePullSecrets[${String(index)}]`,
            };
    const wanted = [
      ...(config.imagePullSecrets ?? []).map((name, index) => ({ name, ...pullSecret(index) })),
      ...(config.env ?? []).flatMap((variable, index) => {
        const field = `config.env[${String(index)}].secretKeyRef.name`;
        return variable.secretKeyRef === undefined
          ? []
          : [{ name: variable.secretKeyRef.name, field, named: field }];
      }),
    ];
    const found = await Promise.all(wanted.map(({ name }) => this.reads.secretExists(name)));
    const missing = wanted.find((_, index) => found[index] !== true);
    if (missing !== undefined) {
      throw new UnprocessableError(
        `${missing.named} names Secret '${missing.name}', which does not exist in namespace '${this.api.namespace}'`,
        { field: missing.field },
      );
    }
  }

  private async assertConfigMap(name: string, field: string): Promise<void> {
    if (name === '') return;
    if ((await this.reads.configMap(name)) === undefined) {
      throw new UnprocessableError(
        `${field} names ConfigMap '${name}', which does not exist in namespace '${this.api.namespace}'`,
        { field },
      );
    }
  }
}

/**
 * How each cluster's web UI is exposed outside the cluster: an OpenShift Route where the API has Routes (found by
 * API discovery, once), else an Ingress when an ingress domain is configured, else nothing. What a create makes
 * follows from it, and so do the kinds that reads list and the cache watches.
 */
import type { IngressSettings, RenderContext } from './cluster-renderer.js';
import type { KubeApi } from './kube-api.js';
import { RESOURCES } from './resources.js';

/** Which of the exposing kinds exist here, and so are read. */
/** The API group of OpenShift's security context constraints, which choose a pod's UID there. */
const OPENSHIFT_SECURITY_GROUP = 'security.openshift.io';

export interface ExposingKinds {
  readonly routes: boolean;
  readonly ingresses: boolean;
}

export class WebUiExposure {
  private routeApi: Promise<boolean> | undefined;
  private routesFound: boolean | undefined;
  private openShiftFound: boolean | undefined;

  constructor(
    private readonly api: KubeApi,
    private readonly ingress: IngressSettings | undefined,
  ) {}

  /** Whether the OpenShift Route API exists; asked once (again after a failure) and remembered. */
  hasRoutes(): Promise<boolean> {
    this.routeApi ??= this.api.apiGroups().then(
      (groups) => {
        this.routesFound = groups.includes(RESOURCES.routes.group);
        this.openShiftFound = groups.includes(OPENSHIFT_SECURITY_GROUP);
        return this.routesFound;
      },
      (error: unknown) => {
        this.routeApi = undefined;
        throw error;
      },
    );
    return this.routeApi;
  }

  /**
   * Whether this is OpenShift: its security context constraints (security.openshift.io) or Routes exist. Asked with
   * the same discovery as the Routes.
   */
  async isOpenShift(): Promise<boolean> {
    await this.hasRoutes();
    return this.openShiftFound === true || this.routesFound === true;
  }

  async kinds(): Promise<ExposingKinds> {
    const routes = await this.hasRoutes();
    return { routes, ingresses: !routes && this.ingress !== undefined };
  }

  /** What the renderer needs to know of where a cluster is made. */
  async renderContext(): Promise<RenderContext> {
    return {
      namespace: this.api.namespace,
      routes: await this.hasRoutes(),
      openshift: await this.isOpenShift(),
      ingress: this.ingress,
    };
  }

  /** For `GET /`: what exposes the web UIs, as far as discovery has told. */
  describe(): string {
    if (this.routesFound === true) return 'OpenShift Route <cluster>-ui-route';
    const ingress = this.ingress === undefined ? undefined : `Ingress on *.${this.ingress.domain}`;
    if (this.routesFound === false) return ingress ?? 'none (no Route API, no ingress domain configured)';
    return ingress === undefined
      ? 'OpenShift Route when the API has one'
      : `OpenShift Route, else ${ingress}`;
  }
}

/**
 * How each cluster's web UI is exposed outside the cluster: an OpenShift Route where the API has Routes (found by
 * API discovery, once), else an Ingress when an ingress domain is configured, else nothing. What a create makes
 * follows from it, and so do the kinds that reads list and the cache watches.
 */
import type { IngressSettings, RenderContext } from './cluster-renderer.js';
import type { KubeApi } from './kube-api.js';
import { RESOURCES } from './resources.js';

/** Which of the exposing kinds exist here, and so are read. */
export interface ExposingKinds {
  readonly routes: boolean;
  readonly ingresses: boolean;
}

export class WebUiExposure {
  private routeApi: Promise<boolean> | undefined;
  private routesFound: boolean | undefined;

  constructor(
    private readonly api: KubeApi,
    private readonly ingress: IngressSettings | undefined,
  ) {}

  /** Whether the OpenShift Route API exists; asked once (again after a failure) and remembered. */
  hasRoutes(): Promise<boolean> {
    this.routeApi ??= this.api.apiGroups().then(
      (groups) => {
        this.routesFound = groups.includes(RESOURCES.routes.group);
        return this.routesFound;
      },
      (error: unknown) => {
        this.routeApi = undefined;
        throw error;
      },
    );
    return this.routeApi;
  }

  async kinds(): Promise<ExposingKinds> {
    const routes = await this.hasRoutes();
    return { routes, ingresses: !routes && this.ingress !== undefined };
  }

  /** What the renderer needs to know of where a cluster is made. */
  async renderContext(): Promise<RenderContext> {
    return { namespace: this.api.namespace, routes: await this.hasRoutes(), ingress: this.ingress };
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

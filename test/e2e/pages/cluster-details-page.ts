import type { Locator, Page } from 'playwright-core';

/** The page of one cluster at `/ui/clusters/<name>`. */
export class ClusterDetailsPage {
  constructor(
    readonly page: Page,
    private readonly baseUrl: string,
  ) {}

  async open(name: string): Promise<this> {
    await this.page.goto(`${this.baseUrl}/ui/clusters/${encodeURIComponent(name)}`);
    await this.page.locator('[data-test=pod-table]').waitFor();
    return this;
  }

  get title(): Locator {
    return this.page.locator('[data-test=details-title]');
  }

  get status(): Locator {
    return this.page.locator('[data-test=cluster-status]').first();
  }

  get image(): Locator {
    return this.page.locator('[data-test=details-image] [data-test=cluster-image]');
  }

  get customBadge(): Locator {
    return this.page.locator('[data-test=details-image] [data-test=custom-badge]');
  }

  get imageSource(): Locator {
    return this.page.locator('[data-test=details-image-source]');
  }

  get podImages(): Locator {
    return this.page.locator('[data-test=pod-row] [data-test=pod-image]');
  }

  get sparkSubmit(): Locator {
    return this.page.locator('[data-test=spark-submit] input');
  }

  /** A row of the effective configuration card, by its data-test (config-node-selector, config-env, ...). */
  config(test: string): Locator {
    return this.page.locator(`[data-test=details-config] [data-test=${test}]`);
  }

  get logText(): Locator {
    return this.page.locator('[data-test=log-text]');
  }
}

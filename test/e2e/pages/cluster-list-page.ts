import { errors, type Locator, type Page } from 'playwright-core';
import { DeployDialog } from './deploy-dialog.js';

/** The cluster list at `/`, the console's home page. */
export class ClusterListPage {
  constructor(
    readonly page: Page,
    private readonly baseUrl: string,
  ) {}

  async open(): Promise<this> {
    await this.page.goto(`${this.baseUrl}/`);
    await this.page.locator('[data-test=empty-state], [data-test=cluster-table]').first().waitFor();
    return this;
  }

  get emptyState(): Locator {
    return this.page.locator('[data-test=empty-state]');
  }

  row(name: string): Locator {
    return this.page.locator(`[data-test=cluster-row][data-name="${name}"]`);
  }

  /** The names of the rows on the current page of the list, in order. */
  async rowNames(): Promise<string[]> {
    const names = await this.page
      .locator('[data-test=cluster-row]')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-name') ?? ''));
    return names;
  }

  /** Types into the name filter (an empty text clears it). */
  async filter(text: string): Promise<void> {
    await this.page.getByRole('textbox', { name: 'Filter clusters by name' }).fill(text);
  }

  status(name: string): Locator {
    return this.row(name).locator('[data-test=cluster-status]');
  }

  workers(name: string): Locator {
    return this.row(name).locator('[data-test=cluster-workers]');
  }

  image(name: string): Locator {
    return this.row(name).locator('[data-test=cluster-image]');
  }

  customBadge(name: string): Locator {
    return this.row(name).locator('[data-test=custom-badge]');
  }

  /** Closes the "deployed" / "scaled" notifications (they cover the toolbar in screenshots). */
  async dismissToasts(): Promise<void> {
    const close = this.page.locator('[data-test=toast] .pf-v6-c-alert__action button');
    // A toast may time out and leave the page while we reach for it; that is as good as closing it.
    for (let tries = 0; tries < 20 && (await close.count()) > 0; tries++) {
      await close
        .first()
        .click({ timeout: 2000 })
        .catch((error: unknown) => {
          if (!(error instanceof errors.TimeoutError)) throw error;
        });
    }
    await close.first().waitFor({ state: 'detached', timeout: 10_000 });
  }

  async openDeployDialog(): Promise<DeployDialog> {
    await this.page.locator('[data-test=deploy-button]').first().click();
    const dialog = new DeployDialog(this.page);
    await dialog.root.waitFor();
    return dialog;
  }

  /** Waits until the list shows the cluster in this state (the list refreshes on its own). */
  async waitForStatus(name: string, status: string, timeoutMs: number): Promise<void> {
    await this.page
      .locator(
        `[data-test=cluster-row][data-name="${name}"] [data-test=cluster-status][data-status="${status}"]`,
      )
      .waitFor({ timeout: timeoutMs });
  }

  private async action(name: string, title: 'Scale' | 'Delete'): Promise<void> {
    await this.row(name).locator('[data-test=cluster-actions]').click();
    await this.page.getByRole('menuitem', { name: title }).click();
  }

  async scale(name: string, workers: number): Promise<void> {
    await this.action(name, 'Scale');
    const dialog = this.page.locator('[data-test=scale-dialog]');
    await dialog.locator('[data-test=scale-input]').fill(String(workers));
    await dialog.locator('[data-test=scale-submit]').click();
    await dialog.waitFor({ state: 'detached' });
  }

  /** Opens the delete confirmation; returns it so a test can confirm or cancel. */
  async askToDelete(name: string): Promise<Locator> {
    await this.action(name, 'Delete');
    const dialog = this.page.locator('[data-test=delete-dialog]');
    await dialog.waitFor();
    return dialog;
  }

  async delete(name: string): Promise<void> {
    const dialog = await this.askToDelete(name);
    await dialog.locator('[data-test=delete-confirm]').click();
    await dialog.waitFor({ state: 'detached' });
  }

  async openDetails(name: string): Promise<void> {
    await this.row(name).locator('[data-test=cluster-link]').click();
    await this.page.locator('[data-test=details-title]').waitFor();
  }
}

import type { Locator, Page } from 'playwright-core';

/** The "Deploy cluster" modal. */
export class DeployDialog {
  readonly root: Locator;

  constructor(readonly page: Page) {
    this.root = page.locator('[data-test=deploy-dialog]');
  }

  get nameInput(): Locator {
    return this.root.locator('[data-test=name-input]');
  }

  get workersInput(): Locator {
    return this.root.locator('[data-test=workers-input]');
  }

  get imageInput(): Locator {
    return this.root.locator('[data-test=image-input]');
  }

  get advancedToggle(): Locator {
    return this.root.getByRole('button', { name: 'Advanced configuration' });
  }

  error(field: string): Locator {
    return this.root.locator(`[data-test=error-${field}]`);
  }

  get alert(): Locator {
    return this.root.locator('[data-test=deploy-alert]');
  }

  async setName(name: string): Promise<void> {
    await this.nameInput.fill(name);
    await this.nameInput.blur();
  }

  async setWorkers(count: number): Promise<void> {
    await this.workersInput.fill(String(count));
  }

  async openAdvanced(): Promise<void> {
    if ((await this.advancedToggle.getAttribute('aria-expanded')) !== 'true')
      await this.advancedToggle.click();
    await this.imageInput.waitFor();
  }

  /** The choices the image field offers (local driver: the local image store). */
  async imageChoices(): Promise<string[]> {
    await this.imageInput.click();
    const options = this.page.getByRole('listbox', { name: 'Local images' }).getByRole('option');
    await options.first().waitFor();
    return (await options.allInnerTexts()).map((text) => text.split('\n')[0]?.trim() ?? '');
  }

  /** Picks a local image from the typeahead. */
  async chooseImage(ref: string): Promise<void> {
    await this.imageInput.click();
    await this.imageInput.fill(ref);
    await this.page.locator(`[data-test="image-option-${ref}"]`).click();
  }

  async typeImage(ref: string): Promise<void> {
    await this.imageInput.fill(ref);
    await this.imageInput.press('Tab');
  }

  /** Closes the image menu and scrolls the dialog back to its first field (for screenshots). */
  async scrollToTop(): Promise<void> {
    await this.nameInput.focus();
    await this.root.locator('.pf-v6-c-modal-box__body').evaluate((body) => {
      body.scrollTop = 0;
    });
  }

  /** A field of the advanced section by its id (console/src/deploy-cluster/field-ids.ts), e.g. deploy-worker-cpu. */
  field(id: string): Locator {
    return this.root.locator(`[data-test=${id}-input]`);
  }

  /** Fills a field, then leaves it, as a user does, so that it is checked. */
  async fill(id: string, value: string): Promise<void> {
    await this.field(id).fill(value);
    await this.field(id).blur();
  }

  /** Scrolls the dialog so that a section of the advanced fold (Resources, Pods, Environment) is at its top. */
  async scrollToSection(title: string): Promise<void> {
    await this.root.getByRole('heading', { name: title, level: 3 }).evaluate((heading) => {
      heading.scrollIntoView({ block: 'start' });
    });
  }

  async submit(): Promise<void> {
    await this.root.locator('[data-test=deploy-submit]').click();
  }

  /** Submits and waits for the dialog to close (the server accepted the cluster). */
  async deploy(): Promise<void> {
    await this.submit();
    await this.root.waitFor({ state: 'detached', timeout: 60_000 });
  }

  async cancel(): Promise<void> {
    await this.root.locator('[data-test=deploy-cancel]').click();
    await this.root.waitFor({ state: 'detached' });
  }
}

import { render, type RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import { OshinkoClient } from '../../../src/client/oshinko-client.js';
import { ApiProvider } from '../api-context.js';
import type { FakeApi } from './fake-api.js';

/** Renders a console component wired to the real client, which talks to the fake API over its fetch. */
export function renderWithApi(ui: ReactElement, api: FakeApi): RenderResult {
  const client = new OshinkoClient('http://oshinko.test', { fetch: api.fetch });
  return render(<ApiProvider api={{ client, info: api.info }}>{ui}</ApiProvider>);
}

import '@patternfly/react-core/dist/styles/base.css';
import './console.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { OshinkoClient } from '../../src/client/oshinko-client.js';
import { ApiProvider } from './api-context.js';
import { App } from './app.js';

const container = document.getElementById('root');
if (container === null) throw new Error('the page has no #root element');
const root = createRoot(container);
const client = new OshinkoClient(window.location.origin);

client.info().then(
  ({ application }) => {
    root.render(
      <StrictMode>
        <ApiProvider api={{ client, info: application }}>
          <App />
        </ApiProvider>
      </StrictMode>,
    );
  },
  (error: unknown) => {
    const message = document.createElement('p');
    message.setAttribute('role', 'alert');
    message.textContent = `Cannot reach the oshinko server: ${error instanceof Error ? error.message : String(error)}`;
    container.replaceChildren(message);
  },
);

import '@patternfly/react-core/dist/styles/base.css';
import './console.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Bootstrap } from './bootstrap.js';

const container = document.getElementById('root');
if (container === null) throw new Error('the page has no #root element');
createRoot(container).render(
  <StrictMode>
    <Bootstrap baseUrl={window.location.origin} />
  </StrictMode>,
);

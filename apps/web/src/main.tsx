import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { connectToAgent } from './connection/socket';
import { syncFilterWithUrl } from './stores/url-filter';
import './styles.css';

// The URL filter must be in place before the first subscribe.
syncFilterWithUrl();
connectToAgent();

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

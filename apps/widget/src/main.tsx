import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import './styles.css';

/** The API this widget talks to comes from its own host (config.json), never from the embedding page. */
const config: { apiBaseUrl: string } = await fetch('/config.json').then((r) => r.json());
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App apiBaseUrl={config.apiBaseUrl} />
  </StrictMode>,
);

import { render } from 'preact';
import { App } from './app.js';
import { parseHash } from './lib/router.js';
import { prefetchDashboard } from './pages/dashboard.js';
import './styles.css';

const route = parseHash(location.hash);
if (route.parts[0] === 'repo' && route.parts[1] !== undefined) {
  prefetchDashboard(route.parts[1], route.query);
}
const root = document.getElementById('app');
if (root !== null) render(<App />, root);

// Entry of the backend package's dist/admin.js (and admin.css), served at GET /admin by src/backend/admin-page.ts.
import { render } from 'preact';
import { App } from './components/app.js';
import './admin.css';

const root = document.getElementById('app');
if (!root) throw new Error('The config page needs an element with id "app".');
root.textContent = '';
render(<App />, root);

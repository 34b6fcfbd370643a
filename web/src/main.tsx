import { render } from 'preact';
import { App } from './app.js';
import './styles.css';

const root = document.getElementById('app')!;
// Preact renders beside existing children: the static loading note goes first.
root.replaceChildren();
render(<App />, root);

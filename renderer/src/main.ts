import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { language } from './lib/language.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('The page has no #app element');
// The language first (its catalog may load on demand), so the first paint is already in it.
void language.start().finally(() => mount(App, { target }));

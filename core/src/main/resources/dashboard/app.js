// The dashboard's shell: history-API routing (the address bar always says where you are),
// the navigation, sign-in and sign-out.

import { h, replace, field, notice, link } from './dom.js';
import { token, signIn, signOut, currentSession, ApiError } from './api.js';
import { projectsPage, newProjectPage } from './projects.js';
import { projectPage, settingsPage } from './project.js';
import { deploymentPage } from './deployment.js';
import { nodesPage } from './nodes.js';
import { pluginsPage, tokensPage } from './admin.js';

const ROUTES = [
  [/^\/$/, () => navigate('/projects', true)],
  [/^\/projects$/, projectsPage],
  [/^\/projects\/new$/, newProjectPage],
  [/^\/projects\/(\d+)$/, projectPage],
  [/^\/projects\/(\d+)\/settings$/, settingsPage],
  [/^\/projects\/(\d+)\/deployments\/(\d+)$/, deploymentPage],
  [/^\/nodes$/, nodesPage],
  [/^\/plugins$/, pluginsPage],
  [/^\/tokens$/, tokensPage],
];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
let current = null;
let signingIn = false;

export function navigate(path, replaceEntry = false) {
  if (replaceEntry) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render();
}

/** Sets the page's title and heading; returns the heading. */
export function title(text) {
  document.title = text + ' · Kiln';
  return h('h1', { tabindex: '-1' }, text);
}

async function render() {
  if (current) current.abort();
  current = new AbortController();
  const signal = current.signal;
  const path = location.pathname;
  if (!token() || path === '/sign-in') {
    renderNav(null);
    replace(main, signInPage(path === '/sign-in' ? '/projects' : path + location.search));
    main.querySelector('input').focus();
    return;
  }
  let session;
  try {
    session = await currentSession();
  } catch (e) {
    if (signal.aborted) return;
    if (e instanceof ApiError && e.status === 401) return;
    replace(main, title('Kiln'), notice('error', e.message));
    return;
  }
  if (signal.aborted) return;
  renderNav(session);
  for (const [pattern, page] of ROUTES) {
    const match = path.match(pattern);
    if (match) {
      replace(main);
      const context = { signal, session, params: match.slice(1), query: new URLSearchParams(location.search) };
      try {
        await page(main, context);
      } catch (e) {
        if (signal.aborted || e.name === 'AbortError') return;
        main.appendChild(notice('error', e.message));
      }
      const heading = main.querySelector('h1');
      if (heading && !signal.aborted && document.activeElement === document.body) heading.focus({ preventScroll: true });
      return;
    }
  }
  replace(main, title('Not found'), h('p', {}, 'The dashboard has no page here. ', link('/projects', 'Go to the projects')));
}

function renderNav(session) {
  if (!session) {
    replace(nav);
    return;
  }
  const path = location.pathname;
  const item = (href, label) => h('li', {}, h('a', {
    href, 'data-nav': true, 'aria-current': path === href || path.startsWith(href + '/') ? 'page' : null,
  }, label));
  replace(nav, h('ul', {},
    item('/projects', 'Projects'),
    item('/nodes', 'Nodes'),
    session.me.admin ? item('/plugins', 'Plugins') : null,
    session.me.admin ? item('/tokens', 'Tokens') : null),
  h('span', { class: 'who' }, session.me.name),
  h('button', { type: 'button', class: 'secondary', onclick: () => { signOut(); navigate('/sign-in'); } }, 'Sign out'));
}

function signInPage(next) {
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'current-password', required: true, spellcheck: 'false' });
  const message = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'card narrow' },
    title('Sign in to Kiln'),
    h('p', {}, 'Use an API token. It is kept only for this browser session.'),
    field('API token', input),
    message,
    h('button', { type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    signIn(input.value.trim());
    signingIn = true;
    try {
      await currentSession();
      navigate(next === '/sign-in' ? '/projects' : next, true);
    } catch (e) {
      signOut();
      replace(message, notice('error', e.status === 401 ? 'That API token is not valid.' : e.message));
      input.focus();
    } finally {
      signingIn = false;
    }
  });
  return form;
}

document.addEventListener('click', (event) => {
  const anchor = event.target.closest('a[data-nav]');
  if (!anchor || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  if (anchor.getAttribute('href') !== location.pathname + location.search) navigate(anchor.getAttribute('href'));
});
window.addEventListener('popstate', render);
// A token revoked while in use: back to signing in, on the same address.
window.addEventListener('kiln:unauthorized', () => {
  if (token() && !signingIn) {
    signOut();
    render();
  }
});
render();

// Admin pages: plugins (upload, enable, disable, remove) and API tokens.

import { h, replace, field, notice, confirmAction, actionButton, age } from './dom.js';
import { get, post, del, request } from './api.js';
import { title } from './app.js';

function adminOnly(main, session, heading) {
  if (session.me.admin) return false;
  replace(main, title(heading), notice('error', 'This page needs an admin token.'));
  return true;
}

export async function pluginsPage(main, { signal, session }) {
  if (adminOnly(main, session, 'Plugins')) return;
  const list = h('div', { class: 'table-wrap' });
  const message = h('div', { 'aria-live': 'polite' });
  const file = h('input', { type: 'file', name: 'plugin', accept: '.jar,.zip', required: true });
  const upload = h('form', { class: 'card inline-form' }, field('Plugin file (jar or zip)', file),
    h('button', { type: 'submit' }, 'Upload plugin'));
  upload.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!file.files.length) return;
    const button = upload.querySelector('button');
    button.disabled = true;
    try {
      const installed = await request('POST', '/plugins', { raw: file.files[0], contentType: 'application/java-archive' });
      replace(message, notice('ok', `Installed ${installed.id} ${installed.version || ''} on every node.`));
      upload.reset();
    } catch (e) {
      replace(message, notice('error', e.message));
    } finally {
      button.disabled = false;
    }
    await load();
  });
  replace(main, h('div', { class: 'page-head' }, title('Plugins')), message, upload, list);

  async function change(call, done) {
    try {
      await call();
      replace(message, notice('ok', done));
    } catch (e) {
      replace(message, notice('error', e.message));
    }
    await load();
  }

  async function load() {
    const plugins = await get('/plugins', { signal });
    replace(list, h('table', { class: 'plugins' },
      h('thead', {}, h('tr', {}, ['Plugin', 'Version', 'State', 'Extensions', 'Actions'].map((label) => h('th', { scope: 'col' }, label)))),
      h('tbody', {}, plugins.map((plugin) => {
        const enabled = plugin.state === 'started';
        const builtIn = plugin.id === 'built-in';
        const extensions = [...(plugin.builders || []).map((b) => 'builder ' + b), ...(plugin.storage_targets || []).map((t) => 'storage ' + t)];
        return h('tr', {},
          h('th', { scope: 'row' }, plugin.id, plugin.provider ? h('div', { class: 'muted small' }, plugin.provider) : null),
          h('td', { 'data-label': 'Version' }, plugin.version || '—'),
          h('td', { 'data-label': 'State' }, h('span', { class: 'badge ' + (enabled ? 'ok' : plugin.state === 'failed' ? 'bad' : 'muted') }, plugin.state),
            plugin.problem ? h('div', { class: 'small' }, plugin.problem) : null),
          h('td', { 'data-label': 'Extensions' }, extensions.map((e) => h('span', { class: 'tag' }, e))),
          h('td', { class: 'row-actions', 'data-label': 'Actions' }, builtIn ? h('span', { class: 'muted' }, 'part of Kiln') : [
            enabled
              ? actionButton('Disable', () => change(() => post(`/plugins/${encodeURIComponent(plugin.id)}/disable`), `${plugin.id} is disabled.`),
                { class: 'secondary', 'aria-label': 'Disable ' + plugin.id })
              : actionButton('Enable', () => change(() => post(`/plugins/${encodeURIComponent(plugin.id)}/enable`), `${plugin.id} is enabled.`),
                { class: 'secondary', 'aria-label': 'Enable ' + plugin.id }),
            actionButton('Remove', async () => {
              if (!await confirmAction(`Remove the plugin ${plugin.id} from every node?`, 'Remove')) return;
              await change(() => del(`/plugins/${encodeURIComponent(plugin.id)}`), `${plugin.id} is removed.`);
            }, { class: 'danger', 'aria-label': 'Remove ' + plugin.id })]));
      }))));
  }
  await load();
}

export async function tokensPage(main, { signal, session }) {
  if (adminOnly(main, session, 'Tokens')) return;
  const list = h('div', { class: 'table-wrap' });
  const message = h('div', { 'aria-live': 'polite' });
  const projects = await get('/projects?per_page=100', { signal });
  const name = h('input', { name: 'name', required: true, maxlength: 100, autocomplete: 'off' });
  const scope = h('select', { name: 'project_ids', multiple: true, size: Math.min(6, Math.max(2, projects.length)) },
    projects.map((p) => h('option', { value: p.id }, p.name)));
  const form = h('form', { class: 'card' }, h('h2', {}, 'New token'), field('Name', name),
    field('Projects', scope, 'None selected: every project. An admin token can only be configured on the server.'),
    h('button', { type: 'submit' }, 'Create token'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { name: name.value.trim() };
    const chosen = [...scope.selectedOptions].map((option) => Number(option.value));
    if (chosen.length) body.project_ids = chosen;
    try {
      const created = await post('/tokens', body);
      replace(message, notice('ok', `Token ${created.name} is made. Copy it now: it is shown only once.`),
        h('code', { class: 'secret', tabindex: '0' }, created.token));
      form.reset();
    } catch (e) {
      replace(message, notice('error', e.message));
    }
    await load();
  });
  replace(main, h('div', { class: 'page-head' }, title('API tokens')), message, form, list);
  const projectNames = new Map(projects.map((p) => [p.id, p.name]));

  async function load() {
    const tokens = await get('/tokens?per_page=100', { signal });
    replace(list, h('table', { class: 'tokens' },
      h('thead', {}, h('tr', {}, ['Name', 'Access', 'Created', 'Actions'].map((label) => h('th', { scope: 'col' }, label)))),
      h('tbody', {}, tokens.map((t) => h('tr', {},
        h('th', { scope: 'row' }, t.name),
        h('td', { 'data-label': 'Access' }, t.admin ? 'admin' : t.project_ids
          ? t.project_ids.map((id) => h('span', { class: 'tag' }, projectNames.get(id) || '#' + id)) : 'every project'),
        h('td', { 'data-label': 'Created' }, age(t.created_at)),
        h('td', { class: 'row-actions', 'data-label': 'Actions' }, t.id === session.me.id ? h('span', { class: 'muted' }, 'this session') :
          actionButton('Revoke', async () => {
            if (!await confirmAction(`Revoke the token ${t.name}? Whatever uses it stops working at once.`, 'Revoke')) return;
            try {
              await del('/tokens/' + t.id);
              replace(message, notice('ok', `${t.name} is revoked.`));
            } catch (e) {
              replace(message, notice('error', e.message));
            }
            await load();
          }, { class: 'danger', 'aria-label': 'Revoke ' + t.name })))))));
  }
  await load();
}

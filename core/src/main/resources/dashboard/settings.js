// A project's settings. Parts of the API that may not exist on this server yet (environment
// variables, domains, the webhook secret, SPA mode) appear only when the server answers them.

import { h, replace, link, field, notice, confirmAction, actionButton, age } from './dom.js';
import { get, post, patch, del, has } from './api.js';
import { title, navigate } from './app.js';

const TEXT_FIELDS = [
  ['default_branch', 'Production branch', ''],
  ['builder', 'Builder', 'Empty: detect from the repository'],
  ['install_command', 'Install command', 'Empty: the builder\'s default'],
  ['build_command', 'Build command', 'Empty: the builder\'s default'],
  ['output_directory', 'Output directory', 'Empty: the builder\'s default'],
  ['root_directory', 'Root directory', 'For monorepos: where the site lives'],
  ['node_version', 'Node.js version', 'For example 20 or >=18 <21. Empty: .nvmrc, .node-version or engines.node'],
];
const NUMBER_FIELDS = [
  ['build_timeout_seconds', 'Build time-out (seconds)'],
  ['poll_interval_seconds', 'Poll interval (seconds)'],
];

export async function settingsPage(main, { signal, session, params }) {
  const projectId = params[0];
  const project = await get('/projects/' + projectId, { signal });
  const sections = [generalSection(project)];
  if (has(session, 'GET', '/projects/:/env-vars')) sections.push(envVarsSection(projectId, signal));
  else sections.push(envKeysSection(project));
  if (project.webhook_url !== undefined) sections.push(webhookSection(project, session));
  if (has(session, 'GET', '/projects/:/domains')) sections.push(domainsSection(projectId, signal));
  sections.push(dangerSection(project));
  replace(main,
    h('p', { class: 'crumbs' }, link('/projects/' + projectId, project.name), ' / Settings'),
    h('div', { class: 'page-head' }, title('Settings of ' + project.name)),
    ...sections);
}

function generalSection(project) {
  const inputs = {};
  const fields = [];
  for (const [name, label, hint] of TEXT_FIELDS) {
    if (!(name in project)) continue;
    inputs[name] = h('input', { name, value: project[name] || '', autocomplete: 'off', spellcheck: 'false' });
    fields.push(field(label, inputs[name], hint));
  }
  for (const [name, label] of NUMBER_FIELDS) {
    if (!(name in project)) continue;
    inputs[name] = h('input', { name, type: 'number', min: 1, value: project[name] ?? '' });
    fields.push(field(label, inputs[name]));
  }
  if ('is_spa' in project) {
    inputs.is_spa = h('input', { name: 'is_spa', type: 'checkbox', checked: project.is_spa === true });
    fields.push(h('div', { class: 'field check' }, inputs.is_spa,
      h('label', { for: 'spa' }, 'Single-page application (unknown paths answer /index.html)')));
    inputs.is_spa.id = 'spa';
  }
  const message = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'card' }, h('h2', {}, 'Build'), ...fields, message,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save settings')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const changes = {};
    for (const [name, input] of Object.entries(inputs)) {
      if (input.type === 'checkbox') {
        if (input.checked !== (project[name] === true)) changes[name] = input.checked;
      } else if (input.type === 'number') {
        const value = input.value === '' ? null : Number(input.value);
        if (value !== (project[name] ?? null)) changes[name] = value;
      } else {
        const value = input.value.trim() === '' ? null : input.value.trim();
        if (value !== (project[name] || null)) changes[name] = value;
      }
    }
    if (Object.keys(changes).length === 0) {
      replace(message, notice('ok', 'Nothing changed.'));
      return;
    }
    try {
      Object.assign(project, await patch('/projects/' + project.id, changes));
      replace(message, notice('ok', 'Saved. The next deployment uses these settings.'));
    } catch (e) {
      replace(message, notice('error', e.message));
    }
  });
  return form;
}

function envKeysSection(project) {
  const keys = Object.keys(project.env || {});
  return h('section', { class: 'card' }, h('h2', {}, 'Environment variables'),
    keys.length === 0 ? h('p', { class: 'muted' }, 'None.')
      : h('ul', { class: 'plain' }, keys.map((key) => h('li', {}, h('code', {}, key), ' = ', h('span', { class: 'muted' }, 'hidden')))),
    h('p', { class: 'hint' }, 'Values are never shown. Set them with the API or the CLI.'));
}

function envVarsSection(projectId, signal) {
  const list = h('tbody', {});
  const message = h('div', { 'aria-live': 'polite' });
  const key = h('input', { name: 'key', required: true, pattern: '[A-Za-z_][A-Za-z0-9_]*', autocomplete: 'off', spellcheck: 'false' });
  const value = h('input', { name: 'value', type: 'password', autocomplete: 'new-password' });
  const secret = h('input', { name: 'is_secret', type: 'checkbox', id: 'env-secret', checked: true });
  const form = h('form', { class: 'inline-form' }, field('Key', key), field('Value', value),
    h('div', { class: 'field check' }, secret, h('label', { for: 'env-secret' }, 'Secret (write-only)')),
    h('button', { type: 'submit' }, 'Add variable'));
  async function load() {
    const vars = await get(`/projects/${projectId}/env-vars`, { signal });
    replace(list, vars.length === 0 ? h('tr', {}, h('td', { colspan: 3, class: 'empty' }, 'None.')) : vars.map((v) => h('tr', {},
      h('th', { scope: 'row' }, h('code', {}, v.key)),
      h('td', {}, v.is_secret ? h('span', { class: 'muted' }, 'secret') : h('code', {}, v.value)),
      h('td', {}, actionButton('Delete', async () => {
        if (!await confirmAction(`Delete the variable ${v.key}? The next deployment builds without it.`, 'Delete')) return;
        try { await del(`/projects/${projectId}/env-vars/${v.id}`); } catch (e) { replace(message, notice('error', e.message)); }
        await load();
      }, { class: 'danger', 'aria-label': 'Delete ' + v.key })))));
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await post(`/projects/${projectId}/env-vars`, { key: key.value.trim(), value: value.value, is_secret: secret.checked });
      form.reset();
      secret.checked = true;
      replace(message, notice('ok', 'Added. The next deployment uses it.'));
    } catch (e) {
      replace(message, notice('error', e.message));
    }
    await load();
  });
  load().catch((e) => replace(message, notice('error', e.message)));
  return h('section', { class: 'card' }, h('h2', {}, 'Environment variables'),
    h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Key'), h('th', { scope: 'col' }, 'Value'), h('th', { scope: 'col' }, 'Actions'))), list)),
    form, message);
}

function webhookSection(project, session) {
  const secretArea = h('div', { 'aria-live': 'polite' });
  return h('section', { class: 'card' }, h('h2', {}, 'Deploy on push'),
    h('p', {}, 'Webhook URL: ', h('code', { class: 'copy' }, project.webhook_url || '—')),
    has(session, 'POST', '/projects/:/webhook-secret') ? actionButton('New webhook secret', async () => {
      if (!await confirmAction('Make a new webhook secret? Deliveries signed with the old one are refused from now on.', 'New secret')) return;
      try {
        const made = await post(`/projects/${project.id}/webhook-secret`, {});
        replace(secretArea, notice('ok', 'The new secret, shown only now:'), h('code', { class: 'secret' }, made.secret));
      } catch (e) {
        replace(secretArea, notice('error', e.message));
      }
    }, { class: 'secondary' }) : null,
    secretArea);
}

function domainsSection(projectId, signal) {
  const list = h('tbody', {});
  const message = h('div', { 'aria-live': 'polite' });
  const domain = h('input', { name: 'domain', required: true, placeholder: 'www.example.com', autocomplete: 'off', spellcheck: 'false' });
  const form = h('form', { class: 'inline-form' }, field('Domain', domain), h('button', { type: 'submit' }, 'Add domain'));
  async function load() {
    const domains = await get(`/projects/${projectId}/domains`, { signal });
    replace(list, domains.length === 0 ? h('tr', {}, h('td', { colspan: 3, class: 'empty' }, 'None.')) : domains.map((d) => h('tr', {},
      h('th', { scope: 'row' }, d.domain),
      h('td', {}, d.is_verified ? ['verified ', age(d.verified_at)]
        : ['TXT ', h('code', {}, '_kiln-verification.' + d.domain), ' = ', h('code', {}, d.verification_token || '')]),
      h('td', {},
        d.is_verified ? null : actionButton('Verify', async () => {
          try { await post(`/projects/${projectId}/domains/${d.id}/verify`, {}); replace(message, notice('ok', d.domain + ' is verified.')); }
          catch (e) { replace(message, notice('error', e.message)); }
          await load();
        }, { class: 'secondary', 'aria-label': 'Verify ' + d.domain }),
        actionButton('Remove', async () => {
          if (!await confirmAction(`Remove ${d.domain} from this project?`, 'Remove')) return;
          try { await del(`/projects/${projectId}/domains/${d.id}`); } catch (e) { replace(message, notice('error', e.message)); }
          await load();
        }, { class: 'danger', 'aria-label': 'Remove ' + d.domain })))));
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await post(`/projects/${projectId}/domains`, { domain: domain.value.trim() });
      form.reset();
    } catch (e) {
      replace(message, notice('error', e.message));
    }
    await load();
  });
  load().catch((e) => replace(message, notice('error', e.message)));
  return h('section', { class: 'card' }, h('h2', {}, 'Domains'),
    h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Domain'), h('th', { scope: 'col' }, 'State'), h('th', { scope: 'col' }, 'Actions'))), list)),
    form, message);
}

function dangerSection(project) {
  const message = h('div', { 'aria-live': 'polite' });
  return h('section', { class: 'card danger-zone' }, h('h2', {}, 'Delete project'),
    h('p', {}, 'Removes the project, its deployments and their stored files. Refused while a deployment is in progress.'),
    actionButton('Delete project', async () => {
      if (!await confirmAction(`Delete ${project.name} with all its deployments? This cannot be undone.`, 'Delete project')) return;
      try {
        await del('/projects/' + project.id);
        navigate('/projects');
      } catch (e) {
        replace(message, notice('error', e.message));
      }
    }, { class: 'danger' }),
    message);
}

// The projects list and the form for a new project.

import { h, replace, link, external, statusBadge, age, shortSha, subject, field, notice } from './dom.js';
import { get, post } from './api.js';
import { title, navigate } from './app.js';

export async function projectsPage(main, { signal, session }) {
  const list = h('div', { class: 'cards', 'aria-busy': 'true' });
  replace(main,
    h('div', { class: 'page-head' }, title('Projects'), link('/projects/new', 'New project')),
    list);
  main.querySelector('a[href="/projects/new"]').className = 'button';
  const projects = await get('/projects?per_page=100', { signal });
  list.removeAttribute('aria-busy');
  if (projects.length === 0) {
    replace(list, h('p', { class: 'empty' }, session.me.project_ids
      ? 'This token has no projects.' : 'No projects yet. Create one to deploy it.'));
    return;
  }
  const table = h('table', { class: 'projects' },
    h('caption', { class: 'visually-hidden' }, 'Projects'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Project'),
      h('th', { scope: 'col' }, 'Production'),
      h('th', { scope: 'col' }, 'Live deployment'),
      h('th', { scope: 'col' }, 'Last deployment'))),
    h('tbody', {}, projects.map((project) => projectRow(project, signal))));
  replace(list, h('div', { class: 'table-wrap' }, table));
}

function projectRow(project, signal) {
  const live = h('td', { 'data-label': 'Live deployment' }, h('span', { class: 'muted' }, 'none'));
  const last = h('td', { 'data-label': 'Last deployment' }, h('span', { class: 'muted' }, '—'));
  const row = h('tr', {},
    h('th', { scope: 'row' }, link('/projects/' + project.id, project.name), h('div', { class: 'muted small' }, project.repo_url)),
    h('td', { 'data-label': 'Production' }, project.production_url ? external(project.production_url) : '—'),
    live, last);
  if (project.active_deployment_id) {
    get(`/projects/${project.id}/deployments/${project.active_deployment_id}`, { signal }).then((deployment) => {
      replace(live, link(`/projects/${project.id}/deployments/${deployment.id}`, h('code', {}, shortSha(deployment.commit_sha))),
        ' ', h('span', { class: 'subject' }, subject(deployment.commit_message)), ' · ', age(deployment.deployed_at || deployment.created_at));
    }, () => {});
  }
  get(`/projects/${project.id}/deployments?per_page=1`, { signal }).then((deployments) => {
    if (deployments.length > 0) {
      const deployment = deployments[0];
      replace(last, link(`/projects/${project.id}/deployments/${deployment.id}`, statusBadge(deployment.status)), ' ', age(deployment.created_at));
    }
  }, () => {});
  return row;
}

export async function newProjectPage(main, { signal }) {
  const nodes = await get('/nodes', { signal });
  const builders = [...new Set(nodes.flatMap((node) => (node.capabilities && node.capabilities.builders) || []))].sort();
  const name = h('input', { name: 'name', required: true, maxlength: 100, autocomplete: 'off' });
  const repo = h('input', { name: 'repo_url', required: true, placeholder: 'https://github.com/acme/site.git', autocomplete: 'off', spellcheck: 'false' });
  const branch = h('input', { name: 'default_branch', placeholder: 'main', autocomplete: 'off', spellcheck: 'false' });
  const builder = h('select', { name: 'builder' },
    h('option', { value: '' }, 'Detect from the repository'),
    builders.map((id) => h('option', { value: id }, id)));
  const build = h('input', { name: 'build_command', autocomplete: 'off', spellcheck: 'false' });
  const output = h('input', { name: 'output_directory', autocomplete: 'off', spellcheck: 'false' });
  const message = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'card' },
    field('Name', name),
    field('Repository URL', repo, 'https://, ssh://, git@ or file://'),
    field('Production branch', branch, 'Empty: main'),
    field('Builder', builder, 'Detection runs on the first deployment and is shown on the project page.'),
    h('details', {}, h('summary', {}, 'Build settings'),
      field('Build command', build, 'Empty: the builder\'s default'),
      field('Output directory', output, 'Empty: the builder\'s default')),
    message,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Create project'), link('/projects', 'Cancel')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { name: name.value.trim(), repo_url: repo.value.trim() };
    if (branch.value.trim()) body.default_branch = branch.value.trim();
    if (builder.value) body.builder = builder.value;
    if (build.value.trim()) body.build_command = build.value.trim();
    if (output.value.trim()) body.output_directory = output.value.trim();
    const submit = form.querySelector('button[type=submit]');
    submit.disabled = true;
    try {
      const project = await post('/projects', body);
      navigate('/projects/' + project.id);
    } catch (e) {
      replace(message, notice('error', e.message));
    } finally {
      submit.disabled = false;
    }
  });
  replace(main, h('div', { class: 'page-head' }, title('New project')), form);
}

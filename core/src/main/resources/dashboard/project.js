// A project: its live deployment on top, its deployments updating live, and what can be done to them.

import { h, replace, link, external, statusBadge, age, shortSha, subject, notice, confirmAction, actionButton,
  refreshTimes, deploymentDuration, every, IN_PROGRESS } from './dom.js';
import { get, post, has } from './api.js';
import { title } from './app.js';
export { settingsPage } from './settings.js';

const PER_PAGE = 20;

export async function projectPage(main, { signal, session, params, query }) {
  const projectId = params[0];
  const page = Math.max(1, Number(query.get('page')) || 1);
  let project = await get('/projects/' + projectId, { signal });
  const liveCard = h('section', { class: 'card live', 'aria-labelledby': 'live-title' });
  const messages = h('div', { 'aria-live': 'polite', class: 'messages' });
  const tbody = h('tbody', {});
  const pager = h('nav', { class: 'pager', 'aria-label': 'Deployment pages' });
  const deployButton = actionButton('Deploy', async () => {
    try {
      const deployment = await post(`/projects/${projectId}/deployments`, {});
      say('ok', `Deployment #${deployment.id} of ${shortSha(deployment.commit_sha)} is queued.`);
      await refresh();
    } catch (e) {
      say('error', e.message);
    }
  });
  const heading = title(project.name);
  replace(main,
    h('div', { class: 'page-head' }, heading,
      h('div', { class: 'actions' }, deployButton, link(`/projects/${projectId}/settings`, 'Settings'))),
    h('p', { class: 'meta' }, 'Production: ', project.production_url ? external(project.production_url) : '—',
      ' · branch ', h('code', {}, project.default_branch),
      ' · builder ', h('code', {}, project.builder || 'detected on deploy'),
      project.detected_framework ? [' (', project.detected_framework, ')'] : null),
    messages,
    liveCard,
    h('section', { 'aria-labelledby': 'deployments-title' },
      h('h2', { id: 'deployments-title' }, 'Deployments'),
      h('div', { class: 'table-wrap' }, h('table', { class: 'deployments' },
        h('thead', {}, h('tr', {}, ['Status', 'Branch', 'Commit', 'Author', 'Trigger', 'Age', 'Duration', 'Actions']
          .map((label) => h('th', { scope: 'col' }, label)))),
        tbody)),
      pager));
  main.querySelector(`a[href="/projects/${projectId}/settings"]`).className = 'button secondary';

  function say(kind, text) {
    replace(messages, notice(kind, text));
  }

  const rows = new Map();
  let shownIds = '';
  let liveId;

  async function refresh() {
    const [fresh, envelope] = await Promise.all([
      get('/projects/' + projectId, { signal }),
      get(`/projects/${projectId}/deployments?page=${page}&per_page=${PER_PAGE}`, { signal, full: true })]);
    project = fresh;
    const deployments = envelope.data;
    const busy = deployments.some((d) => IN_PROGRESS.has(d.status));
    const ids = deployments.map((d) => d.id).join(',');
    const next = deployments.map((deployment) => {
      const key = JSON.stringify(deployment) + busy + project.active_deployment_id;
      const known = rows.get(deployment.id);
      if (known && known.key === key) return known.row;
      const row = deploymentRow(deployment, busy);
      if (known && ids === shownIds) known.row.replaceWith(row);
      rows.set(deployment.id, { key, row });
      return row;
    });
    if (ids !== shownIds) {
      tbody.replaceChildren(...next);
      shownIds = ids;
    }
    if (deployments.length === 0) {
      replace(tbody, h('tr', {}, h('td', { colspan: 8, class: 'empty' }, 'No deployments yet. Deploy to build the newest commit of ' + project.default_branch + '.')));
      shownIds = '';
    }
    renderPager(envelope.meta);
    if (project.active_deployment_id !== liveId) {
      liveId = project.active_deployment_id;
      await renderLive();
    }
    refreshTimes(main);
  }

  async function renderLive() {
    if (!liveId) {
      replace(liveCard, h('h2', { id: 'live-title' }, 'Live deployment'), h('p', { class: 'muted' }, 'Nothing is live yet.'));
      return;
    }
    const live = await get(`/projects/${projectId}/deployments/${liveId}`, { signal });
    replace(liveCard,
      h('h2', { id: 'live-title' }, 'Live deployment'),
      h('p', { class: 'live-line' }, statusBadge(live.status), ' ',
        link(`/projects/${projectId}/deployments/${live.id}`, '#' + live.id), ' ',
        h('code', { class: 'live-sha' }, shortSha(live.commit_sha)), ' ',
        h('span', { class: 'subject' }, subject(live.commit_message))),
      h('p', { class: 'muted' }, 'by ', live.commit_author || 'unknown', ' · deployed ', age(live.deployed_at),
        ' · ', project.production_url ? external(project.production_url, 'open production') : null));
  }

  function renderPager(meta) {
    replace(pager);
    if (!meta || meta.total_pages <= 1) return;
    if (page > 1) pager.appendChild(link(`/projects/${projectId}?page=${page - 1}`, 'Newer'));
    pager.appendChild(h('span', {}, ` Page ${page} of ${meta.total_pages} `));
    if (page < meta.total_pages) pager.appendChild(link(`/projects/${projectId}?page=${page + 1}`, 'Older'));
  }

  function isProduction(deployment) {
    return deployment.environment ? deployment.environment === 'production' : deployment.branch === project.default_branch;
  }

  function deploymentRow(deployment, busy) {
    const actions = h('td', { class: 'row-actions', 'data-label': 'Actions' });
    const label = `deployment #${deployment.id}`;
    if (IN_PROGRESS.has(deployment.status)) {
      actions.appendChild(actionButton('Cancel', async () => {
        if (!await confirmAction(`Cancel ${label}? Its build stops at once.`, 'Cancel deployment')) return;
        await act(() => post(`/projects/${projectId}/deployments/${deployment.id}/cancel`), `${label} is cancelled.`);
      }, { class: 'danger', 'aria-label': 'Cancel ' + label }));
    }
    // The contract: only a deployed, not active, production deployment, and nothing else in progress.
    const eligible = deployment.status === 'deployed' && !deployment.active && !deployment.pruned && isProduction(deployment);
    if (eligible && !busy) {
      actions.appendChild(actionButton('Rollback', async () => {
        const ok = await confirmAction(`Roll production back to ${label} (${shortSha(deployment.commit_sha)} ${subject(deployment.commit_message)})? `
          + 'The production URL serves it at once, without a rebuild.', 'Roll back');
        if (!ok) return;
        await act(() => post(`/projects/${projectId}/deployments/${deployment.id}/rollback`), `Production now serves ${label}.`);
      }, { 'aria-label': 'Roll back to ' + label }));
    }
    if (eligible && project.production_pinned !== undefined && has(session, 'POST', '/projects/:/deployments/:/promote')) {
      actions.appendChild(actionButton('Promote', async () => {
        if (!await confirmAction(`Make ${label} live on production?`, 'Promote')) return;
        await act(() => post(`/projects/${projectId}/deployments/${deployment.id}/promote`), `${label} is live.`);
      }, { class: 'secondary', 'aria-label': 'Promote ' + label }));
    }
    if (!IN_PROGRESS.has(deployment.status)) {
      actions.appendChild(actionButton('Redeploy', async () => {
        await act(() => post(`/projects/${projectId}/deployments`, { branch: deployment.branch }),
          `A new deployment of ${deployment.branch} is queued.`);
      }, { class: 'secondary', 'aria-label': `Redeploy ${deployment.branch} (newest commit), like ${label}` }));
    }
    const where = deployment.branch_url ? external(deployment.branch_url, deployment.branch)
      : h('code', {}, deployment.branch);
    return h('tr', { 'data-id': deployment.id, class: deployment.active ? 'active' : null },
      h('td', { 'data-label': 'Status' }, link(`/projects/${projectId}/deployments/${deployment.id}`, statusBadge(deployment.status)),
        deployment.active ? h('span', { class: 'badge live-badge' }, 'live') : null,
        deployment.environment === 'preview' ? h('span', { class: 'badge muted' }, 'preview') : null),
      h('td', { 'data-label': 'Branch' }, where),
      h('td', { 'data-label': 'Commit', class: 'commit' },
        link(`/projects/${projectId}/deployments/${deployment.id}`, h('span', { class: 'subject' }, subject(deployment.commit_message) || '(no message)')),
        ' ', h('code', {}, shortSha(deployment.commit_sha))),
      h('td', { 'data-label': 'Author' }, deployment.commit_author || '—'),
      h('td', { 'data-label': 'Trigger' }, deployment.trigger || 'api'),
      h('td', { 'data-label': 'Age' }, age(deployment.created_at)),
      h('td', { 'data-label': 'Duration' }, deploymentDuration(deployment)),
      actions);
  }

  async function act(call, done) {
    try {
      await call();
      say('ok', done);
    } catch (e) {
      say('error', e.message);
    }
    await refresh();
  }

  await refresh();
  every(2000, signal, refresh);
}


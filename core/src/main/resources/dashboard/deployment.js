// One deployment: what it is, its phases with their durations, its statuses and its log (live while it runs).

import { h, replace, link, external, statusBadge, age, shortSha, duration, notice, confirmAction, actionButton,
  refreshTimes, deploymentDuration, every, IN_PROGRESS } from './dom.js';
import { get, post } from './api.js';
import { title } from './app.js';
import { logView } from './log-view.js';

export async function deploymentPage(main, { signal, params }) {
  const [projectId, deploymentId] = params;
  const [project, first] = await Promise.all([
    get('/projects/' + projectId, { signal }),
    get(`/projects/${projectId}/deployments/${deploymentId}`, { signal })]);
  let deployment = first;
  const summary = h('section', { class: 'card summary', 'aria-label': 'Summary' });
  const phases = h('section', { class: 'card', 'aria-labelledby': 'phases-title' });
  const statuses = h('section', { class: 'card', 'aria-labelledby': 'statuses-title' });
  const messages = h('div', { 'aria-live': 'polite' });
  const actions = h('div', { class: 'actions' });
  let final = !IN_PROGRESS.has(deployment.status);

  replace(main,
    h('p', { class: 'crumbs' }, link('/projects', 'Projects'), ' / ', link('/projects/' + projectId, project.name), ' / ', '#' + deploymentId),
    h('div', { class: 'page-head' }, title('Deployment #' + deploymentId), actions),
    messages, summary,
    h('div', { class: 'two' }, phases, statuses),
    logView(projectId, deployment, { signal, onEnd: () => { final = true; refresh(); } }));

  function renderSummary() {
    const rows = [
      ['Status', [statusBadge(deployment.status), deployment.active ? h('span', { class: 'badge live-badge' }, 'live') : null]],
      ['Commit', [h('code', {}, shortSha(deployment.commit_sha)), ' ', h('span', { class: 'commit-message' }, deployment.commit_message || '')]],
      ['Author', deployment.commit_author || '—'],
      ['Branch', h('code', {}, deployment.branch)],
      ['Environment', deployment.environment || '—'],
      ['Trigger', deployment.trigger || 'api'],
      ['Builder', deployment.builder || '—'],
      ['Node', deployment.node || '—'],
      ['Created', age(deployment.created_at)],
      ['Duration', deploymentDuration(deployment)],
      ['URL', deployment.status === 'deployed' && deployment.deployment_url && !deployment.pruned ? external(deployment.deployment_url) : '—'],
    ];
    if (deployment.branch_url) rows.push(['Branch URL', external(deployment.branch_url)]);
    if (deployment.wait_reason && deployment.status === 'queued') rows.push(['Waiting because', deployment.wait_reason]);
    if (deployment.attempt > 1) rows.push(['Attempt', String(deployment.attempt)]);
    replace(summary, h('dl', { class: 'facts' }, rows.map(([label, value]) => [h('dt', {}, label), h('dd', {}, value)])),
      deployment.error_message ? notice('error', deployment.error_message) : null);
    replace(actions);
    if (IN_PROGRESS.has(deployment.status)) {
      actions.appendChild(actionButton('Cancel', async () => {
        if (!await confirmAction(`Cancel deployment #${deploymentId}? Its build stops at once.`, 'Cancel deployment')) return;
        try {
          await post(`/projects/${projectId}/deployments/${deploymentId}/cancel`);
        } catch (e) {
          replace(messages, notice('error', e.message));
        }
        await refresh();
      }, { class: 'danger' }));
    }
  }

  function renderPhases(list) {
    const total = list.reduce((sum, p) => sum + (p.duration_ms || 0), 0) || 1;
    replace(phases, h('h2', { id: 'phases-title' }, 'Phases'),
      list.length === 0 ? h('p', { class: 'muted' }, 'None recorded.') : h('ol', { class: 'timeline' }, list.map((phase) => {
        const running = phase.ended_at === null && IN_PROGRESS.has(phase.status) && !final;
        const ms = phase.duration_ms ?? (running ? Date.now() - new Date(phase.started_at) : null);
        const bar = h('span', { class: 'bar ' + phase.status });
        // The bar's width is set through the CSSOM: the policy forbids inline style attributes.
        if (ms !== null) bar.style.width = Math.max(2, Math.round(100 * Math.min(1, ms / Math.max(total, ms)))) + '%';
        return h('li', { class: running ? 'running' : null },
          h('span', { class: 'phase-name' }, phase.status, phase.attempt > 1 ? ' (attempt ' + phase.attempt + ')' : ''),
          h('span', { class: 'phase-time' }, ms === null ? age(phase.started_at) : duration(ms) + (running ? '…' : '')),
          h('span', { class: 'track', 'aria-hidden': 'true' }, bar),
          phase.reason ? h('small', { class: 'reason' }, phase.reason) : null);
      })));
  }

  function renderStatuses(list) {
    replace(statuses, h('h2', { id: 'statuses-title' }, 'Statuses'),
      list.length === 0 ? h('p', { class: 'muted' }, 'None.') : h('ul', { class: 'plain statuses' }, list.map((status) => h('li', {},
        h('span', { class: 'badge state-' + status.state }, status.state), ' ', status.description || '',
        ' ', h('span', { class: 'muted' }, status.environment, ' · ', status.creator && status.creator.login ? status.creator.login : '',
          ' · '), age(status.created_at)))));
  }

  async function refresh() {
    const [fresh, phaseList, statusList] = await Promise.all([
      get(`/projects/${projectId}/deployments/${deploymentId}`, { signal }),
      get(`/projects/${projectId}/deployments/${deploymentId}/phases`, { signal }),
      get(`/projects/${projectId}/deployments/${deploymentId}/statuses?per_page=100`, { signal, full: true })]);
    deployment = fresh;
    renderSummary();
    renderPhases(phaseList);
    renderStatuses(statusList);
    refreshTimes(main);
  }

  await refresh();
  every(2000, signal, async () => {
    if (!final || IN_PROGRESS.has(deployment.status)) {
      await refresh();
      final = !IN_PROGRESS.has(deployment.status);
    } else {
      refreshTimes(main);
    }
  });
}

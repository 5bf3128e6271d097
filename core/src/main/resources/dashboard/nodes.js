// The build farm and the queue: what runs where, and what waits and why.

import { h, replace, link, age, statusBadge, shortSha, subject, refreshTimes, every } from './dom.js';
import { get } from './api.js';
import { title } from './app.js';

export async function nodesPage(main, { signal }) {
  const nodesArea = h('div', { class: 'table-wrap' });
  const queueArea = h('div', { class: 'table-wrap' });
  replace(main, h('div', { class: 'page-head' }, title('Nodes and queue')),
    h('section', { 'aria-labelledby': 'nodes-title' }, h('h2', { id: 'nodes-title' }, 'Nodes'), nodesArea),
    h('section', { 'aria-labelledby': 'queue-title' }, h('h2', { id: 'queue-title' }, 'Queue'), queueArea));

  async function refresh() {
    const [nodes, projects] = await Promise.all([get('/nodes', { signal }), get('/projects?per_page=100', { signal })]);
    const names = new Map(projects.map((p) => [String(p.id), p]));
    replace(nodesArea, nodes.length === 0 ? h('p', { class: 'empty' }, 'No nodes.') : h('table', { class: 'nodes' },
      h('thead', {}, h('tr', {}, ['Node', 'State', 'Executors', 'Labels', 'Builders', 'Tools', 'Running', 'Last seen']
        .map((label) => h('th', { scope: 'col' }, label)))),
      h('tbody', {}, nodes.map((node) => h('tr', {},
        h('th', { scope: 'row' }, node.id, node.http_url ? h('div', { class: 'muted small' }, node.http_url) : null),
        h('td', { 'data-label': 'State' }, h('span', { class: 'badge ' + (node.state === 'up' ? 'ok' : 'muted') }, node.state),
          node.left_reason ? h('div', { class: 'muted small' }, node.left_reason) : null),
        h('td', { 'data-label': 'Executors' }, `${node.executors.busy} busy of ${node.executors.total}`),
        h('td', { 'data-label': 'Labels' }, (node.labels || []).map((label) => h('span', { class: 'tag' }, label))),
        h('td', { 'data-label': 'Builders' }, (node.capabilities.builders || []).join(', ') || '—'),
        h('td', { 'data-label': 'Tools' }, Object.entries(node.capabilities.tools || {})
          .map(([tool, version]) => h('span', { class: 'tag', title: version }, tool))),
        h('td', { 'data-label': 'Running' }, (node.running_deployments || []).length === 0 ? '—'
          : (node.running_deployments || []).map((id) => h('span', { class: 'tag' }, '#' + id))),
        h('td', { 'data-label': 'Last seen' }, age(node.last_seen_at)))))));

    // The queue is every queued deployment of the projects this token can see.
    const perProject = await Promise.all(projects.map((p) => get(`/projects/${p.id}/deployments?per_page=100`, { signal })
      .then((list) => list.filter((d) => d.status === 'queued'), () => [])));
    const queued = perProject.flat().sort((a, b) => a.id - b.id);
    replace(queueArea, queued.length === 0 ? h('p', { class: 'empty' }, 'Nothing waits.') : h('table', { class: 'queue' },
      h('thead', {}, h('tr', {}, ['Deployment', 'Project', 'Commit', 'Waiting since', 'Why it waits']
        .map((label) => h('th', { scope: 'col' }, label)))),
      h('tbody', {}, queued.map((d) => h('tr', {},
        h('th', { scope: 'row' }, link(`/projects/${d.project_id}/deployments/${d.id}`, '#' + d.id), ' ', statusBadge(d.status)),
        h('td', { 'data-label': 'Project' }, names.has(String(d.project_id)) ? link('/projects/' + d.project_id, names.get(String(d.project_id)).name) : '—'),
        h('td', { 'data-label': 'Commit' }, h('code', {}, shortSha(d.commit_sha)), ' ', subject(d.commit_message)),
        h('td', { 'data-label': 'Waiting since' }, age(d.created_at)),
        h('td', { 'data-label': 'Why it waits' }, d.wait_reason || 'waiting for a free executor'))))));
    refreshTimes(main);
  }

  await refresh();
  every(3000, signal, refresh);
}

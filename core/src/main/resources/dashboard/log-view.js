// A deployment's log: the stored lines first (only the tail is put on the page; older ones on
// demand), then the live stream, rendered in batches so a fast build never freezes the tab.

import { h } from './dom.js';
import { ansiState, renderAnsi } from './ansi.js';
import { get, follow } from './api.js';

const TAIL = 1000;
const MAX_ON_PAGE = 5000;

export function logView(projectId, deployment, { signal, onEnd }) {
  const lines = [];
  let firstShown = 0;
  let rendered = 0;
  let flushScheduled = false;
  const state = ansiState();
  const output = h('div', { class: 'log-lines' });
  const olderButton = h('button', { type: 'button', class: 'secondary older', hidden: true }, '');
  const status = h('span', { class: 'log-state', role: 'status' }, 'Loading the log…');
  const rawLink = h('a', { href: '#', class: 'raw', download: 'deployment-' + deployment.id + '.log' }, 'Raw log');
  const box = h('div', { class: 'log', tabindex: '0', role: 'log', 'aria-label': 'Build log' }, olderButton, output);
  const view = h('section', { class: 'log-section', 'aria-labelledby': 'log-title' },
    h('div', { class: 'log-head' }, h('h2', { id: 'log-title' }, 'Log'), status, rawLink), box);

  rawLink.addEventListener('click', () => {
    const url = URL.createObjectURL(new Blob([lines.map((l) => l.text).join('\n') + '\n'], { type: 'text/plain' }));
    rawLink.href = url;
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  });

  olderButton.addEventListener('click', () => {
    const start = Math.max(0, firstShown - TAIL);
    const fragment = document.createDocumentFragment();
    const older = ansiState();
    for (let i = start; i < firstShown; i++) fragment.appendChild(lineElement(lines[i], older));
    output.insertBefore(fragment, output.firstChild);
    firstShown = start;
    updateOlder();
    olderButton.focus();
  });

  function updateOlder() {
    olderButton.hidden = firstShown === 0;
    olderButton.textContent = 'Show ' + Math.min(TAIL, firstShown) + ' older lines (' + firstShown + ' hidden)';
  }

  function lineElement(line, colours) {
    const element = h('div', { class: 'line' }, h('span', { class: 'n', 'aria-hidden': 'true' }, String(line.n)));
    const text = h('span', { class: 't' });
    renderAnsi(text, line.text, colours);
    element.appendChild(text);
    return element;
  }

  function atBottom() {
    return box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  }

  function flush() {
    flushScheduled = false;
    if (rendered >= lines.length) return;
    const stick = atBottom();
    // A burst longer than the page keeps only its tail on the page; the rest is one click away.
    const start = Math.max(rendered, lines.length - MAX_ON_PAGE);
    if (start > rendered) {
      output.replaceChildren();
      firstShown = start;
    }
    const fragment = document.createDocumentFragment();
    for (let i = start; i < lines.length; i++) fragment.appendChild(lineElement(lines[i], state));
    rendered = lines.length;
    output.appendChild(fragment);
    // Keep the page light on endless logs: older lines leave the page and come back on demand.
    while (output.childElementCount > MAX_ON_PAGE) {
      output.removeChild(output.firstChild);
      firstShown++;
    }
    updateOlder();
    if (stick) box.scrollTop = box.scrollHeight;
  }

  function schedule() {
    if (!flushScheduled) {
      flushScheduled = true;
      setTimeout(flush, 100);
    }
  }

  (async () => {
    let stored;
    try {
      stored = await get(`/projects/${projectId}/deployments/${deployment.id}/logs`, { signal });
    } catch (e) {
      if (signal.aborted) return;
      status.textContent = 'The log could not be loaded: ' + e.message;
      return;
    }
    const text = stored.build_logs || '';
    const storedLines = text === '' ? [] : text.split('\n');
    storedLines.forEach((t, i) => lines.push({ n: i + 1, text: t }));
    firstShown = Math.max(0, lines.length - TAIL);
    rendered = firstShown;
    flush();
    box.scrollTop = box.scrollHeight;
    if (stored.status && !['queued', 'cloning', 'building', 'uploading', 'deploying'].includes(stored.status)) {
      status.textContent = lines.length + ' lines';
      return;
    }
    status.textContent = 'Connecting…';
    follow(`/projects/${projectId}/deployments/${deployment.id}/logs/stream`, lines.length, {
      signal,
      onLine(n, line) {
        if (lines.length > 0 && n <= lines[lines.length - 1].n) return;
        lines.push({ n, text: line });
        schedule();
      },
      onEnd(data) {
        flush();
        status.textContent = 'Finished: ' + (data.status || 'done') + ' · ' + lines.length + ' lines';
        if (onEnd) onEnd(data);
      },
      onState(kind, message) {
        if (kind === 'live') status.textContent = 'Live';
        else if (kind === 'reconnecting') status.textContent = 'Reconnecting…';
        else status.textContent = message;
      },
    });
  })();

  return view;
}

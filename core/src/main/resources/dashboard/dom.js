// Building the page without ever parsing HTML: every value from the API becomes a text node.

/**
 * Makes an element. attributes: class, href, type, ..., on<event> for listeners;
 * children: strings (text), nodes, arrays, null (skipped).
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'href') {
      element.setAttribute('href', safeHref(value));
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else if (child instanceof Node) element.appendChild(child);
    else element.appendChild(document.createTextNode(String(child)));
  }
}

/** Only http(s) and same-origin paths; anything else (javascript:, data:) becomes inert. */
export function safeHref(value) {
  const text = String(value);
  if (text.startsWith('/') && !text.startsWith('//')) return text;
  if (text.startsWith('blob:')) return text;
  try {
    const url = new URL(text);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.href;
  } catch (e) {
    // not a URL
  }
  return '#';
}

/** Replaces an element's children. */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** A link inside the dashboard, followed without reloading the page. */
export function link(path, ...children) {
  return h('a', { href: path, 'data-nav': true }, ...children);
}

/** A link out of the dashboard, to a site or a repository. */
export function external(url, ...children) {
  return h('a', { href: url, rel: 'noopener noreferrer', target: '_blank' }, ...(children.length ? children : [url]));
}

const STATUS_CLASS = {
  queued: 'waiting', cloning: 'running', building: 'running', uploading: 'running', deploying: 'running',
  deployed: 'ok', failed: 'bad', cancelled: 'muted',
};

export const IN_PROGRESS = new Set(['queued', 'cloning', 'building', 'uploading', 'deploying']);

/** A deployment status as a badge. */
export function statusBadge(status) {
  if (!status) return h('span', { class: 'badge muted' }, 'none');
  return h('span', { class: 'badge ' + (STATUS_CLASS[status] || 'muted') }, status);
}

/** "3 min ago" with the exact time for screen readers and hovering. */
export function age(timestamp) {
  if (!timestamp) return h('span', { class: 'muted' }, '—');
  const then = new Date(timestamp);
  return h('time', { datetime: timestamp, title: then.toLocaleString() }, relative(then));
}

export function relative(then) {
  const seconds = Math.max(0, Math.round((Date.now() - then.getTime()) / 1000));
  if (seconds < 10) return 'just now';
  if (seconds < 60) return seconds + ' s ago';
  if (seconds < 3600) return Math.floor(seconds / 60) + ' min ago';
  if (seconds < 86400) return Math.floor(seconds / 3600) + ' h ago';
  return Math.floor(seconds / 86400) + ' d ago';
}

/** 65000 -> "1m 5s". */
export function duration(milliseconds) {
  if (milliseconds === null || milliseconds === undefined) return '—';
  if (milliseconds < 1000) return milliseconds + ' ms';
  const seconds = Math.round(milliseconds / 1000);
  if (seconds < 60) return seconds + 's';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return minutes + 'm ' + (seconds % 60) + 's';
  return Math.floor(minutes / 60) + 'h ' + (minutes % 60) + 'm';
}

export function shortSha(sha) {
  return sha ? sha.slice(0, 7) : '—';
}

/** The first line of a commit message. */
export function subject(message) {
  return message ? message.split('\n')[0] : '';
}

/** A message area that announces itself to screen readers. */
export function notice(kind, text) {
  return h('p', { class: 'notice ' + kind, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** Asks before something that cannot be undone; resolves true when confirmed. */
export function confirmAction(message, confirmLabel) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-text').textContent = message;
  document.getElementById('confirm-ok').textContent = confirmLabel;
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
  });
}

/** A labelled form field. */
export function field(label, input, hint) {
  const id = input.id || ('f-' + Math.random().toString(36).slice(2, 9));
  input.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hint ? h('small', { class: 'hint' }, hint) : null);
}

/** A button that disables itself while its action runs and reports failures next to it. */
export function actionButton(label, action, attributes = {}) {
  const button = h('button', { type: 'button', ...attributes }, label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await action(button);
    } finally {
      if (button.isConnected) button.disabled = false;
    }
  });
  return button;
}

/** Brings every relative time under root up to date. */
export function refreshTimes(root) {
  for (const time of root.querySelectorAll('time[datetime]')) {
    if (!time.classList.contains('exact')) time.textContent = relative(new Date(time.getAttribute('datetime')));
  }
}

/** How long a deployment took, or has been running. */
export function deploymentDuration(deployment) {
  if (deployment.build_time_ms !== null && deployment.build_time_ms !== undefined) return duration(deployment.build_time_ms);
  if (deployment.started_at && deployment.finished_at) {
    return duration(new Date(deployment.finished_at) - new Date(deployment.started_at));
  }
  if (deployment.started_at && IN_PROGRESS.has(deployment.status)) return duration(Date.now() - new Date(deployment.started_at)) + '…';
  return '—';
}

/** Calls tick every interval until the signal aborts; the next wait starts when a tick has finished. */
export function every(interval, signal, tick) {
  (async () => {
    while (!signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, interval));
      if (signal.aborted) return;
      try {
        await tick();
      } catch (e) {
        // the next tick tries again; a lasting failure shows on the page through tick itself
      }
    }
  })();
}

// The public API, the same one the CLI uses. The token lives in sessionStorage for this tab's
// session only and travels in the Authorization header, never in an address.

export const BASE = '/api/v1/public';
const TOKEN_KEY = 'kiln.token';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function signIn(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
  session = null;
}

export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  session = null;
}

let session = null;

/** Who this token is ({name, admin, project_ids}) and which endpoints the server has. */
export function currentSession() {
  if (!session) {
    session = Promise.all([get('/tokens/current'), get('/endpoints')]).then(([me, endpoints]) => ({
      me,
      endpoints: new Set(endpoints.map((e) => e.method + ' ' + e.path.replace(/:[A-Za-z_]+/g, ':'))),
    }));
    session.catch(() => { session = null; });
  }
  return session;
}

/** Whether the server answers this endpoint, e.g. has('GET', '/projects/:/env-vars'). */
export function has(current, method, path) {
  return current.endpoints.has(method + ' ' + path);
}

/** Sends a request; resolves the envelope's data (or the whole envelope with full=true). */
export async function request(method, path, { body, full = false, raw, contentType, signal } = {}) {
  const headers = { Accept: 'application/json' };
  const current = token();
  if (current) headers.Authorization = 'Bearer ' + current;
  let payload;
  if (raw !== undefined) {
    payload = raw;
    headers['Content-Type'] = contentType || 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(BASE + path, { method, headers, body: payload, signal, cache: 'no-store' });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'Kiln could not be reached: ' + e.message);
  }
  if (response.status === 204) return null;
  let json = null;
  try {
    json = await response.json();
  } catch (e) {
    // not JSON: reported below
  }
  if (!response.ok) {
    const error = json && json.error;
    if (response.status === 401) window.dispatchEvent(new CustomEvent('kiln:unauthorized'));
    throw new ApiError(response.status, error ? error.code : 'http_' + response.status,
      error ? error.message : 'the server answered ' + response.status);
  }
  return full ? json : json && json.data;
}

export const get = (path, options) => request('GET', path, options);
export const post = (path, body, options = {}) => request('POST', path, { ...options, body });
export const patch = (path, body) => request('PATCH', path, { body });
export const del = (path) => request('DELETE', path);

/**
 * Follows a Server-Sent Events stream with fetch (EventSource cannot send the Authorization
 * header). Reconnects with Last-Event-ID after a dropped connection until an "end" event or
 * until the signal aborts. Calls onLine(id, text) and onEnd(data).
 */
export function follow(path, lastId, { onLine, onEnd, onState, signal }) {
  let last = lastId;
  let retry = 2000;
  let ended = false;
  let wake = null;

  async function once() {
    const response = await fetch(BASE + path, {
      headers: { Authorization: 'Bearer ' + token(), Accept: 'text/event-stream', 'Last-Event-ID': String(last) },
      signal, cache: 'no-store',
    });
    if (!response.ok) {
      const error = new ApiError(response.status, 'stream', 'the log stream answered ' + response.status);
      throw error;
    }
    onState('live');
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    // Events are cut out by index, and the rest kept once per chunk: slicing the buffer per event
    // would copy it once per line, which freezes the tab when a chunk holds thousands of lines.
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n/g, '\n');
      let start = 0;
      let end;
      while ((end = buffer.indexOf('\n\n', start)) >= 0) {
        handle(buffer.slice(start, end));
        start = end + 2;
        if (ended) return;
      }
      buffer = buffer.slice(start);
    }
  }

  function handle(block) {
    let id = null;
    let event = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const name = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (name === 'id') id = value;
      else if (name === 'event') event = value;
      else if (name === 'data') data.push(value);
      else if (name === 'retry' && /^\d+$/.test(value)) retry = Number(value);
    }
    if (event === 'end') {
      ended = true;
      let parsed = {};
      try { parsed = JSON.parse(data.join('\n')); } catch (e) { /* no status */ }
      onEnd(parsed);
    } else if (data.length > 0 && id !== null) {
      last = Number(id);
      onLine(last, data.join('\n'));
    }
  }

  // A tab that comes back to the front reconnects at once instead of waiting out the delay.
  function visible() {
    if (document.visibilityState === 'visible' && wake) wake();
  }
  document.addEventListener('visibilitychange', visible);

  (async () => {
    while (!ended && !signal.aborted) {
      try {
        await once();
      } catch (e) {
        if (signal.aborted) break;
        if (e.status === 401 || e.status === 403 || e.status === 404) {
          onState('error', e.message);
          break;
        }
      }
      if (ended || signal.aborted) break;
      onState('reconnecting');
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, retry);
        wake = () => { clearTimeout(timer); resolve(); };
        signal.addEventListener('abort', wake, { once: true });
      });
      wake = null;
    }
    document.removeEventListener('visibilitychange', visible);
  })();
}

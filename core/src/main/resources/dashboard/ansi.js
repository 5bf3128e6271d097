// ANSI colour codes (SGR) in build output as classed spans; every other escape sequence is dropped.
// Text always goes in as text nodes, never as HTML.

const SEQUENCE = /\x1b\[([0-9;?]*)([A-Za-z])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Za-z0-9]|\r/g;

/** A fresh state: what the previous line left on carries over, as in a terminal. */
export function ansiState() {
  return { fg: null, bg: null, bold: false, dim: false, italic: false, underline: false };
}

function apply(state, codes) {
  const list = codes === '' ? [0] : codes.split(';').map((c) => (c === '' ? 0 : Number(c)));
  for (let i = 0; i < list.length; i++) {
    const code = list[i];
    if (code === 0) Object.assign(state, ansiState());
    else if (code === 1) state.bold = true;
    else if (code === 2) state.dim = true;
    else if (code === 3) state.italic = true;
    else if (code === 4) state.underline = true;
    else if (code === 22) { state.bold = false; state.dim = false; }
    else if (code === 23) state.italic = false;
    else if (code === 24) state.underline = false;
    else if (code >= 30 && code <= 37) state.fg = code - 30;
    else if (code === 39) state.fg = null;
    else if (code >= 40 && code <= 47) state.bg = code - 40;
    else if (code === 49) state.bg = null;
    else if (code >= 90 && code <= 97) state.fg = code - 90 + 8;
    else if (code >= 100 && code <= 107) state.bg = code - 100 + 8;
    else if (code === 38 || code === 48) {
      // 256 colours: the first 16 map onto the palette; 24-bit and the rest keep the default.
      const target = code === 38 ? 'fg' : 'bg';
      if (list[i + 1] === 5) {
        const n = list[i + 2];
        state[target] = n >= 0 && n < 16 ? n : null;
        i += 2;
      } else if (list[i + 1] === 2) {
        state[target] = null;
        i += 4;
      }
    }
  }
}

function classes(state) {
  const names = [];
  if (state.fg !== null) names.push('a-f' + state.fg);
  if (state.bg !== null) names.push('a-b' + state.bg);
  if (state.bold) names.push('a-bold');
  if (state.dim) names.push('a-dim');
  if (state.italic) names.push('a-italic');
  if (state.underline) names.push('a-under');
  return names.join(' ');
}

/** Appends one line of text with its colours to the element; updates the state. */
export function renderAnsi(element, text, state) {
  let position = 0;
  SEQUENCE.lastIndex = 0;
  let match;
  const emit = (chunk) => {
    if (chunk === '') return;
    const names = classes(state);
    if (names === '') {
      element.appendChild(document.createTextNode(chunk));
    } else {
      const span = document.createElement('span');
      span.className = names;
      span.textContent = chunk;
      element.appendChild(span);
    }
  };
  while ((match = SEQUENCE.exec(text)) !== null) {
    emit(text.slice(position, match.index));
    if (match[2] === 'm') apply(state, match[1]);
    position = SEQUENCE.lastIndex;
  }
  emit(text.slice(position));
}

/** The text without escape sequences, for the raw log and searching. */
export function stripAnsi(text) {
  return text.replace(SEQUENCE, '');
}

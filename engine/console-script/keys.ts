/**
 * The text of `vm console send` and of console recordings: backslash escapes and key names.
 *
 *   \n \r \t \e \a \b \0 \\ \xHH \uHHHH     C-style escapes (\e is ESC)
 *   <enter> <tab> <esc> <bs> <del> <up> <down> <right> <left> <home> <end> <pgup> <pgdn>
 *   <insert> <f1>…<f12> <ctrl-a>…<ctrl-z> <ctrl-[> <ctrl-\> <ctrl-]> <ctrl-^> <ctrl-_> <space>
 *
 * Key names are case-insensitive; anything else between < and > is literal text (`cat < f` stays).
 * What a key sends is what xterm sends for it (normal cursor mode).
 */

const KEYS: Record<string, string> = {
  enter: '\r',
  return: '\r',
  tab: '\t',
  esc: '\x1b',
  escape: '\x1b',
  bs: '\x7f',
  backspace: '\x7f',
  del: '\x1b[3~',
  delete: '\x1b[3~',
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  home: '\x1b[H',
  end: '\x1b[F',
  pgup: '\x1b[5~',
  pageup: '\x1b[5~',
  pgdn: '\x1b[6~',
  pagedown: '\x1b[6~',
  insert: '\x1b[2~',
  space: ' ',
  f1: '\x1bOP',
  f2: '\x1bOQ',
  f3: '\x1bOR',
  f4: '\x1bOS',
  f5: '\x1b[15~',
  f6: '\x1b[17~',
  f7: '\x1b[18~',
  f8: '\x1b[19~',
  f9: '\x1b[20~',
  f10: '\x1b[21~',
  f11: '\x1b[23~',
  f12: '\x1b[24~',
};

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', e: '\x1b', a: '\x07', b: '\b', '0': '\0', '\\': '\\' };

function key(name: string): string | undefined {
  const n = name.toLowerCase();
  if (KEYS[n] !== undefined) return KEYS[n];
  const ctrl = /^(?:ctrl|c)-(.)$/.exec(n);
  if (ctrl) {
    const ch = ctrl[1]!.toUpperCase().charCodeAt(0);
    if (ch >= 0x40 && ch <= 0x5f) return String.fromCharCode(ch - 0x40); // @ A-Z [ \ ] ^ _
    if (ctrl[1] === '?') return '\x7f';
  }
  return undefined;
}

/** Decode escapes and key names; throws on a malformed escape, naming it. */
export function decodeKeys(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\') {
      const next = text[i + 1];
      if (next === undefined) throw new Error('console text ends with a lone backslash');
      if (ESCAPES[next] !== undefined) {
        out += ESCAPES[next];
        i++;
        continue;
      }
      const hex = next === 'x' ? 2 : next === 'u' ? 4 : 0;
      const digits = text.slice(i + 2, i + 2 + hex);
      if (hex && new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(digits)) {
        out += String.fromCharCode(parseInt(digits, 16));
        i += 1 + hex;
        continue;
      }
      throw new Error(`bad escape \`\\${next}${hex ? digits : ''}\` in console text`);
    }
    if (ch === '<') {
      const end = text.indexOf('>', i + 1);
      const name = end > i ? text.slice(i + 1, end) : '';
      const k = name && !/\s/.test(name) ? key(name) : undefined;
      if (k !== undefined) {
        out += k;
        i = end;
        continue;
      }
    }
    out += ch;
  }
  return out;
}

/** The inverse for recordings: printable text as is, everything else (and \ and <) escaped. */
export function encodeKeys(data: string): string {
  let out = '';
  for (const ch of data) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '<') out += '\\x3c';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\x1b') out += '\\e';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

/** Console output without terminal control sequences and carriage returns: what `expect` matches. */
export function stripAnsi(s: string): string {
  // CSI, OSC (BEL or ST terminated), two-character ESC sequences, and \r.
  return s.replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[ -/]*[0-~]|\r/g, '');
}

/** One line of a recording: `<ms since the previous line>:<encoded text>`. */
export interface RecordedKeys {
  delayMs: number;
  text: string;
}

export function parseRecording(body: string, file: string): RecordedKeys[] {
  const out: RecordedKeys[] = [];
  body.split('\n').forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const m = /^(\d+):(.*)$/.exec(line);
    if (!m) throw new Error(`${file}:${i + 1}: want \`<ms>:<text>\`, got \`${line.slice(0, 60)}\``);
    out.push({ delayMs: Number(m[1]), text: decodeKeys(m[2]!) });
  });
  return out;
}

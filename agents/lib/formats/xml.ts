/**
 * A small, strict-enough XML parser for XISF headers: elements, attributes,
 * text, CDATA, comments, processing instructions and the predefined and
 * numeric entities. No DTDs, no external entities (nothing to exploit), and
 * a depth limit so hostile input cannot blow the stack.
 */
import { AgentError } from '../../sdk/index.ts';

export interface XmlElement {
  /** local name (namespace prefix removed) */
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** concatenated character data directly inside this element */
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[e] ?? m;
  });
}

function localName(qname: string): string {
  const i = qname.indexOf(':');
  return i >= 0 ? qname.slice(i + 1) : qname;
}

/** Parses a document and returns its root element. */
export function parseXml(xml: string, maxDepth = 64): XmlElement {
  let i = 0;
  const n = xml.length;
  const fail = (msg: string): never => {
    throw new AgentError(`invalid XML header: ${msg} at offset ${i}`);
  };
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const textParts: string[][] = [];

  while (i < n) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) {
      if (stack.length) textParts[stack.length - 1]!.push(decodeEntities(xml.slice(i)));
      break;
    }
    if (lt > i && stack.length) textParts[stack.length - 1]!.push(decodeEntities(xml.slice(i, lt)));
    i = lt;
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end < 0) fail('unterminated comment');
      i = end + 3;
    } else if (xml.startsWith('<![CDATA[', i)) {
      const end = xml.indexOf(']]>', i + 9);
      if (end < 0) fail('unterminated CDATA');
      if (stack.length) textParts[stack.length - 1]!.push(xml.slice(i + 9, end));
      i = end + 3;
    } else if (xml.startsWith('<?', i)) {
      const end = xml.indexOf('?>', i + 2);
      if (end < 0) fail('unterminated processing instruction');
      i = end + 2;
    } else if (xml.startsWith('<!', i)) {
      // DOCTYPE and friends: skipped, never interpreted
      const end = xml.indexOf('>', i + 2);
      if (end < 0) fail('unterminated declaration');
      i = end + 1;
    } else if (xml[i + 1] === '/') {
      const end = xml.indexOf('>', i + 2);
      if (end < 0) fail('unterminated end tag');
      const name = localName(xml.slice(i + 2, end).trim());
      const top = stack.pop();
      if (!top || top.name !== name) fail(`mismatched end tag </${name}>`);
      top!.text = textParts.pop()!.join('');
      i = end + 1;
    } else {
      // start tag: name, attributes, optional self-closing
      let j = i + 1;
      while (j < n && !/[\s/>]/.test(xml[j]!)) j++;
      const name = localName(xml.slice(i + 1, j));
      if (!name) fail('empty tag name');
      const attrs: Record<string, string> = {};
      for (;;) {
        while (j < n && /\s/.test(xml[j]!)) j++;
        if (j >= n) fail('unterminated start tag');
        if (xml[j] === '>' || xml.startsWith('/>', j)) break;
        let k = j;
        while (k < n && !/[\s=/>]/.test(xml[k]!)) k++;
        const an = xml.slice(j, k);
        while (k < n && /\s/.test(xml[k]!)) k++;
        if (xml[k] !== '=') fail(`attribute ${an} without value`);
        k++;
        while (k < n && /\s/.test(xml[k]!)) k++;
        const q = xml[k];
        if (q !== '"' && q !== "'") fail(`unquoted attribute ${an}`);
        const end = xml.indexOf(q!, k + 1);
        if (end < 0) fail('unterminated attribute value');
        attrs[an.startsWith('xmlns') ? an : localName(an)] = decodeEntities(xml.slice(k + 1, end));
        j = end + 1;
      }
      const el: XmlElement = { name, attrs, children: [], text: '' };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else if (root) fail('more than one root element');
      else root = el;
      if (xml[j] === '/') {
        i = j + 2;
      } else {
        if (stack.length >= maxDepth) fail('elements nested too deeply');
        stack.push(el);
        textParts.push([]);
        i = j + 1;
      }
    }
  }
  if (stack.length) fail(`unclosed element <${stack[stack.length - 1]!.name}>`);
  if (!root) fail('no root element');
  return root!;
}

/**
 * Reading a V8 heap snapshot (CDP `HeapProfiler.takeHeapSnapshot`): which image strings are
 * alive (previews and finals, bare base64 or `data:` URLs), how big they are, and what retains
 * them, as the shortest paths from the GC roots (the "retainers" view of DevTools, without weak
 * edges).
 *
 * V8 stores at most the first 1024 characters of a string's content in a snapshot, enough to
 * tell the frames apart (their bytes differ within the first few hundred characters).
 */

/** A frame to look for: its label (`partial 0`, …, `final`) and its base64. */
export interface KnownFrame {
  readonly label: string;
  readonly b64: string;
}

/** A class of live strings (e.g. `partial 1, data: URL, string`) and what retains them. */
export interface StringClass {
  readonly frame: string;
  /**
   * `base64`, `data: URL`, `an SSE line` / `a JSON text` (the base64 inside a longer string), or
   * for a sliced string `slice of …` (and `data: URL of a slice of …` for a cons string over one).
   */
  readonly form: string;
  /** The V8 node type: `string` (flat or external), `concatenated string`, `sliced string`. */
  readonly type: string;
  readonly count: number;
  /** Sum of the nodes' self sizes. */
  readonly selfBytes: number;
  /**
   * Self size per character of content, for flat strings: about 1 for one-byte strings, 2 for
   * two-byte ones, about 0 for external strings (their characters are outside the V8 heap); 0
   * when the length is unknown (a string with the base64 inside a longer text).
   */
  readonly bytesPerChar: number;
  /** The most common retainer paths (closest retainer last), with how many strings each. */
  readonly paths: readonly { readonly path: string; readonly count: number }[];
}

interface Snapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

const DATA_URL = 'data:image/png;base64,';
const STRING_TYPES = new Set(['string', 'concatenated string', 'sliced string']);
/** How many retainer steps (closest to the string) make a path's signature. */
const PATH_STEPS = 6;

/** Finds the image strings in a snapshot and their retainer paths. */
export function analyzeSnapshot(json: string, frames: readonly KnownFrame[]): StringClass[] {
  const snap = JSON.parse(json) as Snapshot;
  const { meta } = snap.snapshot;
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  const nType = meta.node_fields.indexOf('type');
  const nName = meta.node_fields.indexOf('name');
  const nSize = meta.node_fields.indexOf('self_size');
  const nEdges = meta.node_fields.indexOf('edge_count');
  const eType = meta.edge_fields.indexOf('type');
  const eName = meta.edge_fields.indexOf('name_or_index');
  const eTo = meta.edge_fields.indexOf('to_node');
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const { nodes, edges, strings } = snap;
  const count = nodes.length / nf;

  const firstEdge = new Uint32Array(count + 1);
  for (let i = 0, e = 0; i < count; i++) {
    firstEdge[i] = e;
    e += (nodes[i * nf + nEdges] as number) * ef;
    firstEdge[i + 1] = e;
  }
  const typeOf = (i: number) => nodeTypes[nodes[i * nf + nType] as number] ?? '?';
  const nameOf = (i: number) => strings[nodes[i * nf + nName] as number] ?? '';
  const edgeName = (e: number) => {
    const type = edgeTypes[edges[e + eType] as number];
    const n = edges[e + eName] as number;
    return type === 'element' || type === 'hidden' ? `[${n}]` : (strings[n] ?? '?');
  };

  // Which frame a string's content holds, and how: the bare base64, a `data:` URL, or inside a
  // longer text (an SSE line or a JSON payload) with the base64 somewhere after its start.
  const heads = frames.map((f) => ({ label: f.label, b64: f.b64, head: f.b64.slice(0, 1000) }));
  const common = heads.reduce((acc, f) => {
    let n = 0;
    while (n < acc.length && acc[n] === f.head[n]) n++;
    return acc.slice(0, n);
  }, heads[0]?.head ?? '');
  const anchor = common.slice(0, Math.max(8, Math.min(40, common.length)));
  const classify = (content: string): { frame: string; form: string; length: number } | null => {
    const at = anchor ? content.indexOf(anchor) : -1;
    if (at === -1) return null;
    const rest = content.slice(at, at + 1000);
    // Too little of it in the snapshot to tell the frames apart.
    if (rest.length < Math.min(common.length + 64, 512)) return null;
    const match = heads.find((f) => f.head.startsWith(rest) || rest.startsWith(f.head));
    if (!match) return null;
    const before = content.slice(0, at);
    const form =
      at === 0
        ? 'base64'
        : before === DATA_URL
          ? 'data: URL'
          : before.startsWith('data: ')
            ? 'an SSE line'
            : before.startsWith('{')
              ? 'a JSON text'
              : 'a longer text';
    const length =
      form === 'base64'
        ? match.b64.length
        : form === 'data: URL'
          ? DATA_URL.length + match.b64.length
          : 0;
    return { frame: match.label, form, length };
  };

  // Breadth-first from the root over strong edges: each node's parent on a shortest path.
  const parentNode = new Int32Array(count).fill(-1);
  const parentEdge = new Int32Array(count).fill(-1);
  const seen = new Uint8Array(count);
  const queue = new Int32Array(count);
  let head = 0;
  let tail = 0;
  queue[tail++] = 0;
  seen[0] = 1;
  while (head < tail) {
    const i = queue[head++] as number;
    for (let e = firstEdge[i] as number; e < (firstEdge[i + 1] as number); e += ef) {
      if (edgeTypes[edges[e + eType] as number] === 'weak') continue;
      const to = (edges[e + eTo] as number) / nf;
      if (seen[to]) continue;
      seen[to] = 1;
      parentNode[to] = i;
      parentEdge[to] = e;
      queue[tail++] = to;
    }
  }

  const label = (i: number) => {
    const type = typeOf(i);
    const name = nameOf(i).replace(/\s+/g, ' ');
    const short = name.length > 36 ? `${name.slice(0, 36)}…` : name;
    if (type === 'closure') return `${short || '(anonymous)'}()`;
    if (type === 'object' || type === 'native' || type === 'synthetic' || type === 'hidden') {
      return short || `(${type})`;
    }
    return `(${type})`;
  };
  const pathOf = (target: number) => {
    const steps: string[] = [];
    for (let i = target; parentNode[i] !== -1 && steps.length < 64; i = parentNode[i] as number) {
      steps.push(`${label(parentNode[i] as number)}.${edgeName(parentEdge[i] as number)}`);
    }
    return steps.reverse();
  };

  // A string's content, through the edges of cons and sliced strings. A slice's offset is not in
  // the snapshot: its parent's content stands for it, and the form says "slice of". A cons string
  // over a slice (`data:` + a slice) is reported as the slice, with its prefix.
  interface Content {
    text: string;
    slice: boolean;
    prefix: string;
  }
  const contentOf = (i: number, depth = 0): Content => {
    const type = typeOf(i);
    if (type === 'string') return { text: nameOf(i), slice: false, prefix: '' };
    const none = { text: '', slice: false, prefix: '' };
    if (depth > 4) return none;
    const parts: Content[] = [];
    for (let e = firstEdge[i] as number; e < (firstEdge[i + 1] as number); e += ef) {
      const name = edgeName(e);
      const to = (edges[e + eTo] as number) / nf;
      if (type === 'sliced string' && name === 'parent') {
        return { text: contentOf(to, depth + 1).text, slice: true, prefix: '' };
      }
      if (type === 'concatenated string' && (name === 'first' || name === 'second')) {
        parts.push(contentOf(to, depth + 1));
      }
    }
    const sliced = parts.findIndex((p) => p.slice);
    if (sliced !== -1) {
      const prefix = parts
        .slice(0, sliced)
        .map((p) => p.text)
        .join('');
      return { text: (parts[sliced] as Content).text, slice: true, prefix };
    }
    return { text: parts.map((p) => p.text).join(''), slice: false, prefix: '' };
  };
  const groups = new Map<
    string,
    { cls: Omit<StringClass, 'paths' | 'bytesPerChar'>; chars: number; paths: Map<string, number> }
  >();
  for (let i = 0; i < count; i++) {
    const type = typeOf(i);
    if (!STRING_TYPES.has(type) || !seen[i]) continue;
    if (type === 'string' && nameOf(i).length < 512) continue;
    const content = contentOf(i);
    const classified = classify(content.text);
    if (!classified) continue;
    const prefix = content.prefix === DATA_URL ? 'data: URL of a ' : content.prefix ? '… + ' : '';
    const found = content.slice
      ? { ...classified, form: `${prefix}slice of ${classified.form}`, length: 0 }
      : classified;
    const key = `${found.frame}|${found.form}|${type}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        cls: { frame: found.frame, form: found.form, type, count: 0, selfBytes: 0 },
        chars: 0,
        paths: new Map(),
      };
      groups.set(key, group);
    }
    group.cls = {
      ...group.cls,
      count: group.cls.count + 1,
      selfBytes: group.cls.selfBytes + (nodes[i * nf + nSize] as number),
    };
    group.chars += found.length;
    // Indices and ids vary from message to message: the signature leaves them out.
    const signature = pathOf(i)
      .slice(-PATH_STEPS)
      .join(' > ')
      .replace(/\[\d+\]/g, '[n]')
      .replace(/@\d+/g, '')
      // React's per-root random key suffix (`__reactProps$x7k…`).
      .replace(/(__react\w+)\$\w+/g, '$1$…');
    group.paths.set(signature, (group.paths.get(signature) ?? 0) + 1);
  }
  return [...groups.values()]
    .map(({ cls, chars, paths }) => ({
      ...cls,
      bytesPerChar: chars ? cls.selfBytes / chars : 0,
      paths: [...paths.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([path, n]) => ({ path, count: n })),
    }))
    .sort((a, b) => b.selfBytes - a.selfBytes);
}

// @ts-check
// fedkit's own lint rules:
// - `fedkit/layers`: a module imports only from the layers below its own (eslint/layers.js),
//   type imports included;
// - `fedkit/no-cycle`: no import cycle anywhere in src/, type imports included (import-x's
//   no-cycle skips type imports, and a type cycle is still a knot a reader cannot untie).
// Both read relative specifiers only (the packages fedkit depends on are not layers).

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { allLayers, allowedImports, innerRanks } from './layers.js';

const layers = allLayers();
const allowed = allowedImports();

/** Repository-relative path with forward slashes. */
function repoPath(cwd, file) {
  return relative(cwd, file).split(sep).join('/');
}

/** The layer a repository path belongs to (longest matching path), or undefined. */
function layerOf(path) {
  let best;
  let length = -1;
  for (const layer of layers) {
    for (const p of layer.paths) {
      const hit = p.endsWith('/') ? path.startsWith(p) : path === p;
      if (hit && p.length > length) {
        best = layer;
        length = p.length;
      }
    }
  }
  return best;
}

/** The inner rank of a file inside a folder that has inner ranks: { folder, rank } or undefined. */
function innerRankOf(path) {
  for (const [folder, ranks] of Object.entries(innerRanks)) {
    if (!path.startsWith(folder)) continue;
    const name = path.slice(folder.length);
    if (name.includes('/')) return undefined;
    const rank = ranks.findIndex((r) => r.includes(name));
    return { folder, rank, ranks };
  }
  return undefined;
}

/** The file a relative specifier names (`./x.js` is the TypeScript source `./x.ts`). */
function resolveSpecifier(fromFile, specifier) {
  return resolve(dirname(fromFile), specifier.replace(/\.js$/, '.ts'));
}

/** Every relative specifier in a module's AST: imports, re-exports, import(), import types. */
function specifiersOf(ast) {
  const out = [];
  const visit = (node) => {
    if (!node || typeof node.type !== 'string') return;
    if ((node.type === 'ImportDeclaration' || node.type === 'ExportNamedDeclaration' || node.type === 'ExportAllDeclaration') && node.source) {
      out.push({ node: node.source, value: String(node.source.value) });
    } else if (node.type === 'ImportExpression' && node.source.type === 'Literal') {
      out.push({ node: node.source, value: String(node.source.value) });
    } else if (node.type === 'TSImportType' && node.argument?.type === 'TSLiteralType') {
      out.push({ node: node.argument, value: String(node.argument.literal.value) });
    }
    for (const key of Object.keys(node)) {
      if (key === 'parent') continue;
      const child = node[key];
      if (Array.isArray(child)) child.forEach(visit);
      else if (child && typeof child === 'object' && typeof child.type === 'string') visit(child);
    }
  };
  visit(ast);
  return out.filter((s) => s.value.startsWith('./') || s.value.startsWith('../'));
}

const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Modules import only from the layers below their own (docs/architecture.md).' },
    messages: {
      upward: "{{from}} (layer {{fromLayer}}) may not import {{to}} (layer {{toLayer}}): {{fromLayer}} uses only {{allowed}}. See docs/architecture.md.",
      inner: '{{from}} may not import {{to}}: inside {{folder}}, files import only the ranks below their own (eslint/layers.js).',
      unplaced: '{{file}} is not placed in the inner ranks of {{folder}}: add it to eslint/layers.js.',
    },
    schema: [],
  },
  create(context) {
    const cwd = context.cwd;
    const file = context.filename;
    const from = repoPath(cwd, file);
    if (!from.startsWith('src/')) return {};
    const fromLayer = layerOf(from);
    const fromInner = innerRankOf(from);
    return {
      Program(program) {
        if (fromInner && fromInner.rank < 0) {
          context.report({ node: program, messageId: 'unplaced', data: { file: from, folder: fromInner.folder } });
        }
        for (const { node, value } of specifiersOf(program)) {
          const to = repoPath(cwd, resolveSpecifier(file, value));
          if (!to.startsWith('src/')) continue;
          const toLayer = layerOf(to);
          if (!fromLayer || !toLayer) continue;
          if (fromLayer.name !== toLayer.name) {
            if (!allowed.get(fromLayer.name)?.has(toLayer.name)) {
              const list = [...(allowed.get(fromLayer.name) ?? [])];
              context.report({
                node,
                messageId: 'upward',
                data: { from, fromLayer: fromLayer.name, to, toLayer: toLayer.name, allowed: list.length > 0 ? list.join(', ') : 'nothing but itself' },
              });
            }
            continue;
          }
          const toInner = innerRankOf(to);
          if (fromInner && toInner && fromInner.folder === toInner.folder && fromInner.rank >= 0 && toInner.rank >= 0 && toInner.rank >= fromInner.rank) {
            context.report({ node, messageId: 'inner', data: { from, to, folder: fromInner.folder } });
          }
        }
      },
    };
  },
};

// ---- Cycles ------------------------------------------------------------------------------------

/** Parsed import lists of src/ files, refreshed when a file changes (editors keep the process). */
const parsed = new Map();

function tsFiles(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) tsFiles(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The files a module imports, from its source on disk (every specifier, type-only included). */
function importsOnDisk(file) {
  const mtime = statSync(file).mtimeMs;
  const cached = parsed.get(file);
  if (cached && cached.mtime === mtime) return cached.imports;
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const imports = info.importedFiles.map((f) => f.fileName).filter((s) => s.startsWith('./') || s.startsWith('../')).map((s) => resolveSpecifier(file, s));
  parsed.set(file, { mtime, imports });
  return imports;
}

/** A path of imports from `start` back to `target` (BFS), or null. */
function pathBack(graph, start, target) {
  const previous = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    if (node === target) {
      const path = [];
      for (let n = node; n !== null; n = previous.get(n)) path.unshift(n);
      return path;
    }
    for (const next of graph.get(node) ?? []) {
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return null;
}

const noCycleRule = {
  meta: {
    type: 'problem',
    docs: { description: 'No import cycles in src/, type-only imports included.' },
    messages: { cycle: 'Import cycle: {{path}}. Move what both need to a module both can import (docs/architecture.md).' },
    schema: [],
  },
  create(context) {
    const cwd = context.cwd;
    const file = context.filename;
    if (!repoPath(cwd, file).startsWith('src/')) return {};
    return {
      Program(program) {
        const own = specifiersOf(program).map((s) => ({ ...s, target: resolveSpecifier(file, s.value) }));
        const graph = new Map();
        for (const f of tsFiles(join(cwd, 'src'))) if (f !== file) graph.set(f, importsOnDisk(f));
        graph.set(file, own.map((s) => s.target));
        const reported = new Set();
        for (const { node, target } of own) {
          if (reported.has(target) || !graph.has(target)) continue;
          const back = pathBack(graph, target, file);
          if (!back) continue;
          reported.add(target);
          const path = [file, ...back].map((f) => repoPath(cwd, f)).join(' → ');
          context.report({ node, messageId: 'cycle', data: { path } });
        }
      },
    };
  },
};

export default {
  meta: { name: 'fedkit' },
  rules: { layers: layersRule, 'no-cycle': noCycleRule },
};

/**
 * The API's documentation page, served locally (no CDN: many users are offline): an HTML shell,
 * a stylesheet and a script that renders `/api/openapi.json`. Nothing inline, so the page runs
 * under the same strict Content-Security-Policy as everything else.
 */

export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>metre API</title>
<link rel="stylesheet" href="/api/docs.css">
<script src="/api/docs.js" defer></script>
</head>
<body>
<header><h1>metre API</h1><p id="info">Loading <a href="/api/openapi.json">/api/openapi.json</a>…</p></header>
<nav id="toc"></nav>
<main id="operations"></main>
<section id="schemas"></section>
</body>
</html>
`;

export const DOCS_CSS = `body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:980px;padding:0 1rem 4rem;color:#1d232b}
h1{margin-bottom:.2rem}code,pre{font:13px/1.4 ui-monospace,monospace}
pre{background:#f5f6f8;padding:.6rem;overflow:auto;border-radius:4px;margin:.3rem 0}
nav a{display:block;text-decoration:none;color:#1d4f91}
.op{border-top:1px solid #ddd;padding:.8rem 0}
.method{display:inline-block;min-width:4.5em;font-weight:700;text-transform:uppercase}
.get{color:#1b7f3b}.post{color:#1d4f91}.put,.patch{color:#9a6700}.delete{color:#b42318}
table{border-collapse:collapse;margin:.3rem 0}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}
.status{font-weight:700}`;

export const DOCS_JS = `'use strict';
(function () {
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }
  function schemaText(schema) { return JSON.stringify(schema, null, 2); }
  function refLink(schema) {
    var ref = schema && schema.$ref;
    if (!ref) return el('pre', {}, [schemaText(schema || {})]);
    var name = ref.split('/').pop();
    return el('p', {}, [el('a', { href: '#schema-' + name }, [name])]);
  }
  function content(body) {
    var out = el('div');
    Object.keys((body && body.content) || {}).forEach(function (type) {
      out.appendChild(el('div', {}, [el('code', {}, [type]), refLink(body.content[type].schema)]));
    });
    return out;
  }
  function parameters(list) {
    if (!list || !list.length) return el('span');
    var rows = list.map(function (p) {
      return el('tr', {}, [
        el('td', {}, [el('code', {}, [p.name])]),
        el('td', {}, [p.in + (p.required ? ', required' : '')]),
        el('td', {}, [p.description || '']),
        el('td', {}, [el('code', {}, [JSON.stringify(p.schema || {})])]),
      ]);
    });
    return el('table', {}, [el('tr', {}, ['name', 'in', 'description', 'schema'].map(function (h) {
      return el('th', {}, [h]);
    }))].concat(rows));
  }
  function operation(path, method, op) {
    var id = 'op-' + method + path.replace(/[^a-z0-9]+/gi, '-');
    var responses = el('div');
    Object.keys(op.responses || {}).forEach(function (status) {
      var r = op.responses[status];
      responses.appendChild(el('div', {}, [
        el('span', { class: 'status' }, [status + ' ']), r.description || '', content(r),
      ]));
    });
    return el('section', { class: 'op', id: id }, [
      el('h3', {}, [el('span', { class: 'method ' + method }, [method]), ' ', el('code', {}, [path])]),
      el('p', {}, [op.summary || '']),
      el('p', {}, [op.description || '']),
      parameters(op.parameters),
      op.requestBody ? el('div', {}, [el('h4', {}, ['Body']), content(op.requestBody)]) : el('span'),
      el('h4', {}, ['Responses']),
      responses,
    ]);
  }
  function render(doc) {
    var info = document.getElementById('info');
    info.textContent = (doc.info.description || '') + ' Version ' + doc.info.version + '. ';
    info.appendChild(el('a', { href: '/api/openapi.json' }, ['OpenAPI ' + doc.openapi + ' document']));
    var toc = document.getElementById('toc');
    var ops = document.getElementById('operations');
    Object.keys(doc.paths).sort().forEach(function (path) {
      Object.keys(doc.paths[path]).forEach(function (method) {
        var op = doc.paths[path][method];
        var section = operation(path, method, op);
        ops.appendChild(section);
        toc.appendChild(el('a', { href: '#' + section.id }, [method.toUpperCase() + ' ' + path + ' — ' + (op.summary || '')]));
      });
    });
    var schemas = document.getElementById('schemas');
    schemas.appendChild(el('h2', {}, ['Schemas']));
    var all = (doc.components && doc.components.schemas) || {};
    Object.keys(all).sort().forEach(function (name) {
      schemas.appendChild(el('div', { id: 'schema-' + name }, [el('h3', {}, [name]), el('pre', {}, [schemaText(all[name])])]));
    });
  }
  fetch('/api/openapi.json').then(function (r) { return r.json(); }).then(render, function (e) {
    document.getElementById('info').textContent = 'Could not load the document: ' + e;
  });
})();
`;

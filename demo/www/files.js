'use strict';
// The file manager page: everything goes through /fs/ (GET a folder with Accept: application/json → its
// listing; PUT /fs/<path> stores; PUT /fs/<folder>/ makes a folder; DELETE removes). Uploads use XHR for
// its upload progress events (fetch has none).
const $ = (id) => document.getElementById(id);
let cwd = decodeURIComponent(location.hash.slice(1)) || '/';

const encodePath = (p) => p.split('/').map(encodeURIComponent).join('/');
const auth = () => ({ Authorization: 'Basic ' + btoa(unescape(encodeURIComponent(`${$('user').value}:${$('password').value}`))) });
const say = (text) => { $('status').textContent = text; };

async function answer(res, what) {
  if (res.ok) return true;
  let detail = '';
  try { detail = (await res.json()).error ?? ''; } catch { /* not JSON */ }
  say(`${what}: ${res.status}${res.status === 401 || res.status === 403 ? ' (give the password the demo printed)' : ''} ${detail}`);
  return false;
}

async function list() {
  $('cwd').textContent = cwd;
  const res = await fetch('/fs' + encodePath(cwd), { headers: { Accept: 'application/json' } });
  if (!(await answer(res, 'list'))) return;
  const doc = await res.json();
  const body = $('files').tBodies[0];
  body.replaceChildren();
  for (const e of doc.list) {
    const tr = body.insertRow();
    const name = tr.insertCell();
    const a = document.createElement('a');
    a.textContent = e.type === 'directory' ? e.path + '/' : e.path;
    if (e.type === 'directory') {
      a.href = '#';
      a.onclick = (ev) => { ev.preventDefault(); cwd = e.path === '..' ? cwd.replace(/[^/]+\/$/, '') : cwd + e.path + '/'; location.hash = cwd; list(); };
    } else {
      a.href = '/fs' + encodePath(cwd + e.path);
      a.download = e.path;
    }
    name.append(a);
    const size = tr.insertCell();
    size.className = 'size';
    size.textContent = e.type === 'file' ? `${e.size} B` : '';
    const when = tr.insertCell();
    when.className = 'when';
    when.textContent = new Date(e.mtime).toLocaleString();
    const act = tr.insertCell();
    if (e.path !== '..') {
      const del = document.createElement('button');
      del.type = 'button';
      del.textContent = 'Delete';
      del.setAttribute('aria-label', `Delete ${e.path}`);
      del.onclick = () => remove(e);
      act.append(del);
    }
  }
}

async function remove(e) {
  const p = '/fs' + encodePath(cwd + e.path) + (e.type === 'directory' ? '/?force=1' : '');
  if (await answer(await fetch(p, { method: 'DELETE', headers: auth() }), `delete ${e.path}`)) { say(`deleted ${e.path}`); list(); }
}

/** One file up, with its progress on the bar; resolves with the server's answer. */
function uploadOne(file) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', '/fs' + encodePath(cwd + file.name));
    xhr.setRequestHeader('Authorization', auth().Authorization);
    const bar = $('progress');
    bar.hidden = false;
    bar.value = 0;
    bar.dataset.events = '0';
    xhr.upload.onprogress = (ev) => {
      if (ev.lengthComputable) bar.value = ev.loaded / ev.total;
      bar.dataset.events = String(Number(bar.dataset.events) + 1); // the tests see the bar move
    };
    xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText });
    xhr.onerror = () => resolve({ status: 0, text: '' });
    xhr.send(file);
  });
}

$('send').onclick = async () => {
  for (const file of $('file').files) {
    const r = await uploadOne(file);
    if (r.status === 200 || r.status === 201) say(`stored ${file.name} (${JSON.parse(r.text).size} bytes)`);
    else { say(`upload ${file.name}: ${r.status}${r.status === 401 || r.status === 403 ? ' (give the password the demo printed)' : ''}`); return; }
  }
  list();
};

$('make').onclick = async () => {
  const name = $('folder').value.trim();
  if (!name) return;
  if (await answer(await fetch('/fs' + encodePath(cwd + name) + '/', { method: 'PUT', headers: auth() }), `new folder ${name}`)) {
    say(`made ${name}/`);
    $('folder').value = '';
    list();
  }
};

list();

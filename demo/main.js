'use strict';
// The MicroWebSrv-TS demo: the Node counterpart of MicroWebSrv2's main.py. Static files from www/, routes,
// a form, JSON, a redirect, a download, a template page, and WebSocket echo and chat pages.
// PORT (default 8080) picks the port; Ctrl-C stops gracefully.
const path = require('node:path');
const { MicroWebSrv } = require('@microwebsrv/core');
const { TemplatePages } = require('@microwebsrv/mods-template');
const { WebSockets } = require('@microwebsrv/mods-websockets');

const page = (title, body) => `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<link rel="stylesheet" href="/style.css"></head><body><header><h1>${title}</h1></header>${body}<p><a href="/">home</a></p></body></html>`;

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

const srv = new MicroWebSrv();
srv.bindAddress = ['0.0.0.0', Number(process.env.PORT ?? 8080)];
srv.rootPath = path.join(__dirname, 'www');
// A tiny module of our own: it sees every request before the routes and passes (answers nothing).
// Modules run in load order, so it is loaded before the template module that answers .jshtml pages.
class VisitCounter {
  constructor() { this.visits = 0; this.templates = null; }
  onRequest(_server, req) { if (this.templates && req.path.endsWith('.jshtml')) this.templates.setGlobalVar('visits', ++this.visits); }
}
const counter = srv.loadModule(VisitCounter);
// Template pages: GET /template.jshtml renders www/template.jshtml (JavaScript expressions, on Eta).
const templates = srv.loadModule(TemplatePages, { showDebug: true });
templates.setGlobalVar('appName', 'MicroWebSrv-TS');
counter.templates = templates;

// WebSockets: an echo at /ws-echo and a multi-user chat at /ws-chat (pages in www/).
const wsMod = srv.loadModule(WebSockets, { paths: ['/ws-echo', '/ws-chat'] });
wsMod.onWebSocketAccepted = (_server, ws) => {
  const who = ws.request.userAddress.join(':');
  if (ws.request.path === '/ws-echo') {
    ws.onTextMessage = (w, text) => w.sendTextMessage(`echo: ${text}`);
    ws.onBinaryMessage = (w, data) => w.sendBinaryMessage(data);
    return;
  }
  wsMod.broadcastText(`* ${who} joined (${wsMod.sockets('/ws-chat').length} here)`, '/ws-chat');
  ws.onTextMessage = (_w, text) => wsMod.broadcastText(`${who}: ${text.slice(0, 500)}`, '/ws-chat');
  ws.onClosed = () => wsMod.broadcastText(`* ${who} left`, '/ws-chat');
};

srv.registerRoute((_s, req) => {
  req.response.returnOk(page('A form', `
<form action="/test-post" method="post">
  <p><label>First name <input name="firstname"></label></p>
  <p><label>Last name <input name="lastname"></label></p>
  <button type="submit">Send</button>
</form>`));
}, 'GET', '/test-post');

srv.registerRoute((_s, req) => {
  const form = req.getPostedURLEncodedForm();
  req.response.returnOk(page('Posted', `<p>Hello <b>${escape(form.firstname ?? '')} ${escape(form.lastname ?? '')}</b>!</p>`));
}, 'POST', '/test-post');

srv.registerRoute((_s, req) => {
  req.response.returnOkJSON({ name: req.queryParams.name ?? null, time: new Date().toISOString(), server: 'MicroWebSrv-TS' });
}, 'GET', '/api/info');

srv.registerRoute((_s, req) => req.response.returnRedirect('/download'), 'GET', '/test-redir');

srv.registerRoute((_s, req) => req.response.returnFile(path.join(__dirname, 'www', 'hello.txt'), 'hello.txt'), 'GET', '/download');

srv.registerRoute((_s, req) => {
  const rows = ['method', 'path', 'queryString', 'httpVer', 'host', 'userAgent', 'isKeepAlive', 'isSSL']
    .map((k) => `<tr><td><code>${k}</code></td><td>${escape(JSON.stringify(req[k]))}</td></tr>`).join('');
  req.response.returnOk(page('Your request', `<table>${rows}</table><p>from ${escape(req.userAddress.join(':'))}</p>`));
}, 'GET', '/request');

srv.startManaged().then(() => {
  const [, port] = srv.address;
  console.log(`MicroWebSrv-TS demo on http://localhost:${port}/  (Ctrl-C stops)`);
}, (err) => { console.error(err.message); process.exitCode = 1; });

process.once('SIGINT', () => {
  console.log('\nstopping…');
  srv.stop().then(() => console.log('stopped'));
});

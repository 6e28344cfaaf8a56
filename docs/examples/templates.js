'use strict';
// Template pages: GET of a .jshtml (or .eta) file under rootPath renders it; a route renders one with
// variables of its own. The pages are in docs/examples/templates/.
const path = require('node:path');
const { MicroWebSrv } = require('@microwebsrv/core');
const { TemplatePages } = require('@microwebsrv/mods-template');

const srv = new MicroWebSrv();
srv.bindAddress = ['0.0.0.0', Number(process.env.PORT ?? 8080)];
srv.rootPath = path.join(__dirname, 'templates');  // GET /hello.jshtml renders templates/hello.jshtml
const pages = srv.loadModule(TemplatePages, {
  showDebug: true,                                  // a failing page answers a 500 naming its line (development only)
  globals: { appName: 'Template example' },         // variables of every page
});
pages.setGlobalVar('startedAt', new Date().toISOString());

const todos = [
  { title: 'Write the docs', done: true },
  { title: 'Escape <b>user input</b>', done: false },
];
// A route renders a page with variables of this render only. (GET /todos.jshtml itself fails: no `todos`.)
srv.registerRoute(async (_srv, req) => {
  await pages.returnTemplate(req, '/todos.jshtml', { todos, filter: req.queryParams.filter ?? 'all' });
}, 'GET', '/todos');
srv.registerRoute((_srv, req) => req.response.returnRedirect('/hello.jshtml'), 'GET', '/');

srv.startManaged().then(() => {
  console.log(`listening on http://localhost:${srv.address[1]}/hello.jshtml  (Ctrl-C stops)`);
}, (err) => { console.error(err.message); process.exitCode = 1; });

process.once('SIGINT', () => { srv.stop().then(() => console.log('stopped')); });

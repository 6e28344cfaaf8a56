// Prometheus metrics: GET /metrics behind the server's access check (Basic auth for the scraper).
// prometheus.yml: scrape_configs: [{ job_name: mws, basic_auth: { username: prom, password: … },
//                                     static_configs: [{ targets: ['127.0.0.1:8080'] }] }]
const { MicroWebSrv, stopOnSignals } = require('@microwebsrv/core');
const { Metrics } = require('@microwebsrv/mods-metrics');

const srv = new MicroWebSrv();
srv.bindAddress = ['127.0.0.1', Number(process.env.PORT ?? 8080)];
const metrics = srv.loadModule(Metrics);                 // path '/metrics', prefix 'mws_'
srv.onAccessCheck = (_s, req) => req.path !== '/metrics' || req.checkBasicAuth('prom', process.env.SCRAPE_PASSWORD ?? 'scrape');
srv.registerRoute(() => 'hello', 'GET', '/');
srv.registerRoute(() => {                                  // the same numbers as a JS API
  const st = srv.stats;
  return { ok2xx: st.byMethod.GET['2xx'], requests: st.requests, p: st.durations.count, slotsFree: st.slots?.available };
}, 'GET', '/stats');
// your own metrics join the same registry
const { Counter } = require('prom-client');
const logins = new Counter({ name: 'app_logins_total', help: 'Logins.', registers: [metrics.registry] });
srv.registerRoute(() => { logins.inc(); return 'welcome'; }, 'POST', '/login');

srv.startManaged().then(() => {
  stopOnSignals(srv);
  console.log(`listening on http://127.0.0.1:${srv.address[1]}`);
});

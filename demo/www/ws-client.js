// The WebSocket URL comes from the page's own address (host and port), so the pages work on any port,
// and over HTTPS as wss:// (MicroWebSrv2's chat page dropped the port).
function wsUrl(path) {
  return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + path;
}
function connectLog(path, logEl, inputEl, formEl) {
  const ws = new WebSocket(wsUrl(path));
  const log = (text) => { const li = document.createElement('li'); li.textContent = text; logEl.appendChild(li); };
  ws.onopen = () => log('connected to ' + wsUrl(path));
  ws.onmessage = (e) => log(e.data);
  ws.onclose = (e) => log('closed (' + e.code + ')');
  formEl.onsubmit = (e) => { e.preventDefault(); if (inputEl.value) { ws.send(inputEl.value); inputEl.value = ''; } };
  return ws;
}

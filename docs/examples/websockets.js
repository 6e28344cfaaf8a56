'use strict';
// WebSockets: an echo on /echo, a chat on /chat (sub-protocol chat.v1, broadcast to everyone on /chat),
// and /shout, a route whose socket is a Duplex stream piped through an upper-casing Transform.
const { Transform } = require('node:stream');
const { MicroWebSrv } = require('@microwebsrv/core');
const { WebSockets, createWebSocketStream } = require('@microwebsrv/mods-websockets');

const srv = new MicroWebSrv();
srv.bindAddress = ['0.0.0.0', Number(process.env.PORT ?? 8080)];
const wsMod = srv.loadModule(WebSockets, {
  paths: ['/echo', '/chat'],        // upgrades elsewhere go on to the routes (here: 404)
  maxRecvMessageLength: 64 * 1024,  // a bigger message closes the socket with 1009
  waitFrameTimeoutSec: 60,          // 60 s without a frame: a ping; no answer within 60 s more: close 1001
  onWebSocketProtocol: (_srv, offered) => (offered.includes('chat.v1') ? 'chat.v1' : null),
});

wsMod.onWebSocketAccepted = (_srv, ws) => {
  if (ws.request.path === '/echo') {
    ws.onTextMessage = (w, text) => w.sendTextMessage(text);
    ws.onBinaryMessage = (w, data) => w.sendBinaryMessage(data);
    return;
  }
  if (ws.protocol !== 'chat.v1') { ws.close(1008, 'use the sub-protocol chat.v1'); return; }
  const who = `${ws.request.userAddress[0]}:${ws.request.userAddress[1]}`;
  wsMod.broadcastText(`* ${who} joined (${wsMod.sockets('/chat').length} here)`, '/chat');
  ws.onTextMessage = (_w, text) => {
    const { skipped } = wsMod.broadcastText(`${who}: ${text}`, '/chat');  // never waits for slow readers
    if (skipped > 0) console.log(`${skipped} slow chat reader(s) missed a message`);
  };
  ws.onClosed = (_w, code) => wsMod.broadcastText(`* ${who} left (${code})`, '/chat');
};

// A handler for one more path (whatever `paths` lists): the socket as a stream, text in, text out.
wsMod.route('/shout', (ws) => {
  const stream = createWebSocketStream(ws, { objectMode: true });  // text messages are strings
  const upper = new Transform({ objectMode: true, transform: (text, _enc, done) => done(null, String(text).toUpperCase()) });
  stream.pipe(upper).pipe(stream);  // backpressure both ways; the client's Close ends the stream
  stream.on('error', (err) => console.log(`/shout: ${err.message}`));  // e.g. the connection dropped
});

srv.registerRoute(() => `<p>${wsMod.count} WebSocket(s) open.</p>`, 'GET', '/');

srv.startManaged().then(() => {
  const port = srv.address[1];
  console.log(`listening on http://localhost:${port}/ — ws://localhost:${port}/echo, ws://localhost:${port}/chat, ws://localhost:${port}/shout`);
}, (err) => { console.error(err.message); process.exitCode = 1; });

// stop(): every open WebSocket gets a Close 1001 ("server stopping") first.
process.once('SIGINT', () => { srv.stop().then(() => console.log('stopped')); });

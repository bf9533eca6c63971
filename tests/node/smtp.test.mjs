// Real SMTP: the core's SMTP transport delivers to a small SMTP sink served by this very event
// loop on 127.0.0.1, which only works because dispatch runs off the main thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { openPortal, client4, invoice } from './helpers.mjs';

/** A minimal SMTP sink (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT); `reject` = 5xx on RCPT. */
function smtpSink({ reject = false } = {}) {
  const messages = [];
  const server = net.createServer((socket) => {
    socket.setEncoding('utf8');
    let buffer = '';
    let data = null;
    let rcpt = [];
    const reply = (line) => socket.write(line + '\r\n');
    reply('220 sink ESMTP');
    socket.on('data', (chunk) => {
      buffer += chunk;
      let i;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (data !== null) {
          if (line === '.') {
            messages.push({ rcpt, data: data.join('\n') });
            data = null;
            rcpt = [];
            reply('250 queued');
          } else {
            data.push(line.startsWith('..') ? line.slice(1) : line);
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') reply('250 sink');
        else if (verb === 'MAIL') reply('250 ok');
        else if (verb === 'RCPT') {
          if (reject) reply('550 no such user');
          else {
            rcpt.push(line.slice(line.indexOf(':') + 1).trim());
            reply('250 ok');
          }
        } else if (verb === 'DATA') {
          data = [];
          reply('354 go on');
        } else if (verb === 'QUIT') {
          reply('221 bye');
          socket.end();
        } else reply('250 ok');
      }
    });
    socket.on('error', () => {});
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port, messages }));
  });
}

test('notifications go out through SMTP to a sink on loopback', async () => {
  const sink = await smtpSink();
  try {
    const portal = openPortal({ smtp: { host: '127.0.0.1', port: sink.port } });
    client4(portal);
    await portal.documents().publish(invoice());
    const r = await portal.sync();
    assert.equal(r.dispatch.sent, 1);
    assert.equal(sink.messages.length, 1);
    assert.deepEqual(sink.messages[0].rcpt, ['<keylian.ace@gmail.com>']);
    assert.match(sink.messages[0].data, /^Message-ID: <[0-9a-f]+@masociete\.fr>$/m);
  } finally {
    sink.server.close();
  }
});

test('an SMTP 5xx is a permanent failure', async () => {
  const sink = await smtpSink({ reject: true });
  try {
    const portal = openPortal({ smtp: { host: '127.0.0.1', port: sink.port } });
    client4(portal);
    await portal.documents().publish(invoice());
    const r = await portal.dispatch();
    assert.equal(r.abandoned, 1);
    assert.equal(portal.notifications().history().items[0].state, 'abandoned');
  } finally {
    sink.server.close();
  }
});

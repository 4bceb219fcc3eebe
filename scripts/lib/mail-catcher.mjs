/**
 * The demo's mail catcher: a real SMTP server (npm `smtp-server`) the academy's email plugin
 * sends to, and a small web page to read what arrived. Mail is kept in memory and written as
 * .eml files next to the demo database. Not for production: it accepts anything from anyone
 * on this machine.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

const escape = (s) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]
  );

const listen = (server, port) =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server.address().port));
  });

/** Starts the catcher; ports 0 pick free ones. Returns the ports and a stop(). */
export const startMailCatcher = async ({ smtpPort = 0, webPort = 0, dir }) => {
  const mails = [];
  fs.mkdirSync(dir, { recursive: true });
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        const file = path.join(dir, `${Date.now()}-${mails.length + 1}.eml`);
        fs.writeFileSync(file, raw);
        const parsed = await simpleParser(raw).catch(() => null);
        mails.push({ raw, parsed, to: session.envelope.rcptTo.map((r) => r.address), file });
        callback();
      });
    },
  });
  const web = http.createServer((req, res) => {
    const match = /^\/mail\/(\d+)(\.eml)?$/.exec(req.url ?? '');
    const mail = match ? mails[Number(match[1]) - 1] : null;
    if (mail && match[2]) {
      res.writeHead(200, { 'content-type': 'message/rfc822' }).end(mail.raw);
    } else if (mail) {
      const body = mail.parsed?.html || `<pre>${escape(mail.parsed?.text)}</pre>`;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
    } else if (req.url === '/' || req.url === '') {
      const rows = mails
        .map(
          (m, i) =>
            `<tr><td>${escape(m.parsed?.date?.toISOString())}</td><td>${escape(m.to.join(', '))}</td>` +
            `<td><a href="/mail/${i + 1}">${escape(m.parsed?.subject)}</a></td>` +
            `<td><a href="/mail/${i + 1}.eml">.eml</a></td></tr>`
        )
        .reverse()
        .join('');
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          `<!doctype html><meta charset="utf-8"><title>Demo mail</title>` +
            `<body style="font-family:sans-serif"><h1>Mail sent by the demo (${mails.length})</h1>` +
            `<table cellpadding="6"><tr><th>Date</th><th>To</th><th>Subject</th><th></th></tr>${rows}</table>`
        );
    } else {
      res.writeHead(404).end('not found');
    }
  });
  const smtpBound = await listen(smtp.server, smtpPort).catch(() => listen(smtp.server, 0));
  const webBound = await listen(web, webPort).catch(() => listen(web, 0));
  return {
    smtpPort: smtpBound,
    webUrl: `http://localhost:${webBound}`,
    stop: () => Promise.all([new Promise((r) => smtp.close(r)), new Promise((r) => web.close(r))]),
  };
};

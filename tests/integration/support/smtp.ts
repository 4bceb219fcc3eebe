import type { AddressInfo } from 'net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

/** A mail as the SMTP server received it, parsed. */
export interface ReceivedMail {
  to: string[];
  parsed: ParsedMail;
  header: (name: string) => string | undefined;
}

/**
 * A real SMTP server on a free port (npm `smtp-server`), for the app's email plugin to send to:
 * what the tests read is what crossed the wire. `refuse(n)` makes it refuse the next n mails
 * with a temporary failure (451) at RCPT TO, as a busy relay would.
 */
export const startSmtpServer = async () => {
  const received: ReceivedMail[] = [];
  let refusals = 0;
  let attempts = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      attempts += 1;
      if (refusals > 0) {
        refusals -= 1;
        const error: Error & { responseCode?: number } = new Error('Try again later');
        error.responseCode = 451;
        return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          received.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            parsed,
            header: (name) => {
              const line = parsed.headerLines.find((h) => h.key === name.toLowerCase())?.line;
              return line?.slice(line.indexOf(':') + 1).trim();
            },
          });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    /** Mails delivered to `address`. */
    to: (address: string) => received.filter((m) => m.to.includes(address)),
    refuse(n: number) {
      refusals = n;
    },
    attempts: () => attempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

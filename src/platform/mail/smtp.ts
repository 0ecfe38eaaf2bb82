import nodemailer from 'nodemailer';

export interface Envelope {
  from: string;
  to: string;
  subject: string;
  text: string;
}

/** Where outbox rows go: SMTP in production; tests may pass their own. */
export interface MailTransport {
  deliver(message: Envelope): Promise<void>;
  close(): void;
}

/** nodemailer over SMTP, from a connection URL (smtp://user:pass@host:587, smtps:// for implicit TLS). */
export function smtpTransport(url: string): MailTransport {
  const transporter = nodemailer.createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
  return {
    async deliver(message) {
      await transporter.sendMail(message);
    },
    close: () => transporter.close(),
  };
}

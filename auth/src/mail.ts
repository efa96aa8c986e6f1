/**
 * Outgoing mail: SMTP through nodemailer when `AUTH_SMTP_URL` is set, otherwise the `mail_outbox`
 * table (development and tests read it; nothing leaves the machine).
 */
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { desc, eq } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@mana/logging';
import { mailOutbox } from './schema.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

export function createMailer(options: {
  smtpUrl: string;
  from: string;
  /** Without SMTP, also write each mail to a file here (development). */
  outboxDir?: string;
  db: PostgresJsDatabase;
  logger: Logger;
}): Mailer {
  if (options.smtpUrl) {
    const transport = nodemailer.createTransport(options.smtpUrl);
    return {
      async send(m) {
        await transport.sendMail({
          from: options.from,
          to: m.to,
          subject: m.subject,
          text: m.text,
          html: m.html,
        });
        options.logger.info({ subject: m.subject }, 'mail sent');
      },
    };
  }
  return {
    async send(m) {
      await options.db
        .insert(mailOutbox)
        .values({ recipient: m.to.toLowerCase(), subject: m.subject, textBody: m.text, htmlBody: m.html });
      if (options.outboxDir) {
        await mkdir(options.outboxDir, { recursive: true });
        const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${m.to.replace(/[^a-zA-Z0-9@._-]/g, '_')}.txt`;
        await writeFile(
          join(options.outboxDir, name),
          `To: ${m.to}\nFrom: ${options.from}\nSubject: ${m.subject}\n\n${m.text}`,
        );
      }
      options.logger.info({ subject: m.subject }, 'mail written to the outbox');
    },
  };
}

/** The newest outbox messages to one address (development, tests). */
export async function readOutbox(
  db: PostgresJsDatabase,
  to: string,
): Promise<{ subject: string; text: string; html: string; createdAt: Date }[]> {
  const rows = await db
    .select()
    .from(mailOutbox)
    .where(eq(mailOutbox.recipient, to.toLowerCase()))
    .orderBy(desc(mailOutbox.id));
  return rows.map((r) => ({
    subject: r.subject,
    text: r.textBody,
    html: r.htmlBody,
    createdAt: r.createdAt,
  }));
}
